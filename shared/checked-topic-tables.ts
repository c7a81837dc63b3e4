/**
 * Topic tables whose every value already is what the strict TopicConfig rule makes of it (the
 * bridge's Worker decode checks each topic as it packs it). The NameServer then does not check
 * 100,000 topics a second time. A table is marked when it is built and must not change after.
 */
import type { TopicConfigOutput } from "./topic-config";

const checkedTables = new WeakSet<object>();

export function markCheckedTopicConfigs(table: object): void {
  checkedTables.add(table);
}

export function holdsCheckedTopicConfigs(table: unknown): table is Record<string, TopicConfigOutput> {
  return typeof table === "object" && table !== null && checkedTables.has(table);
}
