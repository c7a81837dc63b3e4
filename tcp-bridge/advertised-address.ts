import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]", ""]);

/**
 * The remoting address this server tells the address server to hand out: NAMESRV_ADVERTISED_ADDR
 * when set (already checked by the deployment configuration; e.g. a Kubernetes pod's DNS name),
 * else the bind address and port. A wildcard bind address names no host a client could dial, so
 * the first non-loopback IPv4 address of this machine stands for it (loopback when it has none).
 */
export function advertisedAddress(
  configured: string | null,
  bindAddress: string,
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string {
  if (configured !== null) return configured;
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
