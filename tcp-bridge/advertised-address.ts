import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";
import { ConfigError } from "../edge/config/namesrv-config";

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]", ""]);

/**
 * The remoting address this server tells the address server to hand out: NAMESRV_ADVERTISED_ADDR
 * when set (`host:port`, e.g. a Kubernetes pod's DNS name), else the bind address and port. A
 * wildcard bind address names no host a client could dial, so the first non-loopback IPv4 address
 * of this machine stands for it (loopback when it has none).
 */
export function advertisedAddress(
  configured: string | undefined,
  bindAddress: string,
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string {
  if (configured !== undefined && configured.trim() !== "") {
    const value = configured.trim();
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:;\[\]]+):(\d{1,5})$/.exec(value);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65_535) {
      throw new ConfigError(`NAMESRV_ADVERTISED_ADDR must be host:port (IPv6 in brackets), not ${JSON.stringify(configured)}`);
    }
    return value;
  }
  const host = WILDCARDS.has(bindAddress) ? firstExternalIPv4(interfaces) : bindAddress;
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

function firstExternalIPv4(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  for (const addresses of Object.values(interfaces)) {
    for (const address of addresses ?? []) {
      if (address.family === "IPv4" && !address.internal) return address.address;
    }
  }
  return "127.0.0.1";
}
