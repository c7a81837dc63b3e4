import { MASTER_ID, Perm } from "../../shared/codes";
import type { TopicRouteData } from "../../shared/model";

const SYNC_BROKER_MEMBER_PREFIX = "rmq_sys_SYNC_BROKER_MEMBER_";

/**
 * Slave-acting-master (NamesrvConfig.supportActingMaster): for a broker group that lost its
 * master, enabled acting-master, and whose queues are not writeable, publish its lowest slave
 * under id 0 so that older clients read from it.
 */
export function applyActingMaster(topic: string, route: TopicRouteData): TopicRouteData {
  if (topic.startsWith(SYNC_BROKER_MEMBER_PREFIX)) return route;
  const needsRewrite = route.brokerDatas.some(
    (b) => Object.keys(b.brokerAddrs).length > 0 && b.brokerAddrs[MASTER_ID] === undefined,
  );
  if (!needsRewrite) return route;
  const brokerDatas = route.brokerDatas.map((broker) => {
    const ids = Object.keys(broker.brokerAddrs).map(Number);
    if (!broker.enableActingMaster || ids.length === 0 || broker.brokerAddrs[MASTER_ID] !== undefined) return broker;
    const queue = route.queueDatas.find((q) => q.brokerName === broker.brokerName);
    if (!queue || (queue.perm & Perm.WRITE) !== 0) return broker;
    const minId = Math.min(...ids);
    const brokerAddrs = { ...broker.brokerAddrs };
    brokerAddrs[MASTER_ID] = brokerAddrs[minId];
    delete brokerAddrs[minId];
    return { ...broker, brokerAddrs };
  });
  return { ...route, brokerDatas };
}

/**
 * Zone routing (`__ZONE_MODE`/`__ZONE_NAME`): keep broker groups of the client's zone and groups
 * without a master; drop the others together with their queues and filter servers.
 */
export function filterByZone(route: TopicRouteData, zoneName: string): TopicRouteData {
  const zone = zoneName.toLowerCase();
  const removedNames = new Set<string>();
  const removedAddrs = new Set<string>();
  const brokerDatas = route.brokerDatas.filter((broker) => {
    if (!broker.brokerAddrs) return false;
    const hasMaster = broker.brokerAddrs[MASTER_ID] !== undefined;
    if (!hasMaster || (broker.zoneName ?? "").toLowerCase() === zone) return true;
    removedNames.add(broker.brokerName);
    for (const addr of Object.values(broker.brokerAddrs)) removedAddrs.add(addr);
    return false;
  });
  const filterServerTable: Record<string, string[]> = {};
  for (const [addr, servers] of Object.entries(route.filterServerTable)) {
    if (!removedAddrs.has(addr)) filterServerTable[addr] = servers;
  }
  return {
    ...route,
    brokerDatas,
    queueDatas: route.queueDatas.filter((q) => !removedNames.has(q.brokerName)),
    filterServerTable,
  };
}
