import { ConfigError } from "./namesrv-config";

/**
 * NAMESRV_ADVERTISED_ADDR, checked at start-up: `host:port` (IPv6 in brackets), what the address
 * server hands to clients; null when unset (the server derives one from its bind address).
 */
export function parseAdvertisedAddress(value: string | undefined): string | null {
  if (value === undefined || value.trim() === "") return null;
  const trimmed = value.trim();
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:;\[\]/]+):(\d{1,5})$/.exec(trimmed);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65_535) {
    throw new ConfigError(`NAMESRV_ADVERTISED_ADDR must be host:port (IPv6 in brackets), not ${JSON.stringify(value)}`);
  }
  return trimmed;
}
