import type { TopicRouteData } from "../../shared/model";
import type { Dialect } from "../../shared/fastjson-writer";
import type { RouteStamp } from "../store/store";

/** One topic's cached answer: the store's stamp, the rewritten route and its encodings so far. */
export interface CachedRoute {
  stamp: RouteStamp;
  /** after the configuration's rewrites; null = no route */
  route: TopicRouteData | null;
  /** UTF-8 bytes of the route in each dialect asked for so far */
  encoded: Partial<Record<Dialect, Uint8Array<ArrayBuffer>>>;
  /** what this entry is counted as against the budget */
  bytes: number;
}

/** Map slot, entry, stamp and encodings record of one entry, whatever its route. */
const ENTRY_OVERHEAD_BYTES = 256;

/** An entry in the recency list: the oldest is dropped first. */
interface Slot extends CachedRoute {
  topic: string;
  older: Slot | null;
  newer: Slot | null;
}

/**
 * The route manager's encoded routes, least recently used first, within a byte budget
 * (routeCacheMaxBytes): every topic ever asked for, absent ones included, costs memory only until
 * newer ones push it out. An entry counts a fixed overhead, its topic and stamp, its encodings, and
 * its decoded route as much again as its first encoding.
 *
 * Recency is a doubly linked list through the entries: a hit relinks one entry, an eviction
 * unlinks the oldest, both in constant time and without touching the map's order.
 */
export class RouteCache {
  private readonly slots = new Map<string, Slot>();
  private oldest: Slot | null = null;
  private newest: Slot | null = null;
  private totalBytes = 0;

  constructor(private maxBytes: number) {}

  /** The entry of `topic`, now the most recently used. */
  get(topic: string): CachedRoute | undefined {
    const slot = this.slots.get(topic);
    if (slot !== undefined && slot !== this.newest) {
      this.unlink(slot);
      this.linkNewest(slot);
    }
    return slot;
  }

  /** Replaces the entry of `topic`; the one returned may already be gone if it alone passes the budget. */
  set(topic: string, stamp: RouteStamp, route: TopicRouteData | null): CachedRoute {
    this.remove(topic);
    const slot: Slot = {
      stamp,
      route,
      encoded: {},
      bytes: ENTRY_OVERHEAD_BYTES + 2 * (topic.length + stamp.version.length),
      topic,
      older: null,
      newer: null,
    };
    this.slots.set(topic, slot);
    this.linkNewest(slot);
    this.totalBytes += slot.bytes;
    this.evict();
    return slot;
  }

  /** Keeps an encoding of the entry's route, counted against the budget while the entry is cached. */
  addEncoding(topic: string, entry: CachedRoute, dialect: Dialect, bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
    const first = entry.encoded.legacy === undefined && entry.encoded.standard === undefined;
    entry.encoded[dialect] = bytes;
    if (this.slots.get(topic) === entry) {
      const added = first ? 2 * bytes.length : bytes.length;
      entry.bytes += added;
      this.totalBytes += added;
      this.evict();
    }
    return bytes;
  }

  /** Drops every entry; a new budget applies from now on. */
  reset(maxBytes: number): void {
    this.slots.clear();
    this.oldest = this.newest = null;
    this.totalBytes = 0;
    this.maxBytes = maxBytes;
  }

  get size(): number {
    return this.slots.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  private remove(topic: string): void {
    const slot = this.slots.get(topic);
    if (slot === undefined) return;
    this.slots.delete(topic);
    this.unlink(slot);
    this.totalBytes -= slot.bytes;
  }

  private evict(): void {
    while (this.totalBytes > this.maxBytes && this.oldest !== null) this.remove(this.oldest.topic);
  }

  private linkNewest(slot: Slot): void {
    slot.older = this.newest;
    slot.newer = null;
    if (this.newest !== null) this.newest.newer = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  private unlink(slot: Slot): void {
    if (slot.older !== null) slot.older.newer = slot.newer;
    else this.oldest = slot.newer;
    if (slot.newer !== null) slot.newer.older = slot.older;
    else this.newest = slot.older;
    slot.older = slot.newer = null;
  }
}
