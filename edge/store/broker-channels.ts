/**
 * The connections a live entry is registered on, one per bridge instance (see Store.unregisterChannel
 * for the rule). The Redis store keeps the same rule in Lua (edge/store/redis/lua/live-table.ts).
 */

/**
 * The bridge instance a channel id belongs to: the part before its last `-` (the bridge names its
 * connections `<instance>-<sequence>`); an id without `-` is a bridge of its own.
 */
export function bridgeOfChannel(channel: string): string {
  const dash = channel.lastIndexOf("-");
  return dash < 0 ? channel : channel.slice(0, dash);
}

/** bridge instance → the channel of the entry's latest registration through that bridge */
export type BrokerChannels = Map<string, string>;

/**
 * A registration through `channel` replaces the channel its bridge recorded before; one without a
 * channel (not carried by a connection) leaves the entry to expiry alone, as Java's null channel does.
 */
export function bindChannel(channels: BrokerChannels, channel: string | null): void {
  if (channel === null) channels.clear();
  else channels.set(bridgeOfChannel(channel), channel);
}

/**
 * What closing `channel` means for an entry: "ignored" when it is not the entry's current channel of
 * its bridge (superseded, or never used), "last" when it is the only connection left (unregister),
 * "released" when other bridges still carry the entry (the channel is forgotten here).
 */
export function releaseChannel(channels: BrokerChannels, channel: string): "ignored" | "last" | "released" {
  const bridge = bridgeOfChannel(channel);
  if (channels.get(bridge) !== channel) return "ignored";
  if (channels.size === 1) return "last";
  channels.delete(bridge);
  return "released";
}
