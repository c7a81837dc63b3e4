/**
 * The HAProxy PROXY protocol header (v1 text, v2 binary) that a load balancer may put before the
 * first remoting frame of a connection, detected the way the Java NameServer detects it: with no
 * configuration, by the first bytes. The header tells the client's real address, which then stands
 * for the peer everywhere (logs, connection caps and bookkeeping).
 *
 * v1: `PROXY TCP4|TCP6|UNKNOWN <src> <dst> <srcport> <dstport>\r\n`, at most 107 bytes.
 * v2: a 12-byte signature, version/command, family/transport, a 16-bit length, then the addresses
 * (and TLVs, skipped). A LOCAL command or an UNKNOWN/UNSPEC family keeps the socket's address.
 */

const V2_SIGNATURE = new Uint8Array([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = new TextEncoder().encode("PROXY ");
const V1_MAX_LENGTH = 107;
/** v2 header length field: addresses and TLVs (at most 65535 by its width). */
const V2_FIXED = 16;

export type ProxyHeaderResult =
  /** the bytes so far could still be a PROXY header: wait for more */
  | { kind: "more" }
  /** no PROXY header: every byte belongs to the remoting stream */
  | { kind: "none" }
  /** a header of `length` bytes; `sourceAddress` null keeps the socket's address */
  | { kind: "proxy"; length: number; sourceAddress: string | null; version: 1 | 2 }
  | { kind: "invalid"; reason: string };

/** True while `bytes` agree with `signature` as far as both go. */
function agrees(bytes: Uint8Array, signature: Uint8Array): boolean {
  const n = Math.min(bytes.length, signature.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== signature[i]) return false;
  return true;
}

/** Reads a PROXY header at the start of a connection's bytes (everything received so far). */
export function readProxyHeader(bytes: Uint8Array): ProxyHeaderResult {
  if (agrees(bytes, V2_SIGNATURE)) return bytes.length < V2_SIGNATURE.length ? { kind: "more" } : readV2(bytes);
  if (agrees(bytes, V1_PREFIX)) return bytes.length < V1_PREFIX.length ? { kind: "more" } : readV1(bytes);
  return { kind: "none" };
}

function readV1(bytes: Uint8Array): ProxyHeaderResult {
  let end = -1;
  for (let i = V1_PREFIX.length; i < Math.min(bytes.length, V1_MAX_LENGTH) - 1; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    return bytes.length >= V1_MAX_LENGTH ? { kind: "invalid", reason: "PROXY v1 header without CRLF within 107 bytes" } : { kind: "more" };
  }
  const line = String.fromCharCode(...bytes.subarray(0, end));
  const parts = line.split(" ");
  const length = end + 2;
  if (parts[1] === "UNKNOWN") return { kind: "proxy", length, sourceAddress: null, version: 1 };
  if (parts.length !== 6 || (parts[1] !== "TCP4" && parts[1] !== "TCP6")) {
    return { kind: "invalid", reason: `malformed PROXY v1 header: ${JSON.stringify(line)}` };
  }
  const [, family, source, , sourcePort] = parts;
  const validAddress = family === "TCP4" ? isIPv4(source) : isIPv6(source);
  if (!validAddress || !isPort(sourcePort) || !isPort(parts[5])) {
    return { kind: "invalid", reason: `malformed PROXY v1 header: ${JSON.stringify(line)}` };
  }
  return { kind: "proxy", length, sourceAddress: source, version: 1 };
}

function readV2(bytes: Uint8Array): ProxyHeaderResult {
  if (bytes.length < V2_FIXED) return { kind: "more" };
  const versionCommand = bytes[12];
  if (versionCommand >> 4 !== 2) return { kind: "invalid", reason: `PROXY v2 header of version ${versionCommand >> 4}` };
  const command = versionCommand & 0x0f;
  if (command > 1) return { kind: "invalid", reason: `PROXY v2 header with command ${command}` };
  const familyTransport = bytes[13];
  const addressLength = (bytes[14] << 8) | bytes[15];
  const length = V2_FIXED + addressLength;
  if (bytes.length < length) return { kind: "more" };
  if (command === 0) return { kind: "proxy", length, sourceAddress: null, version: 2 }; // LOCAL: a health check
  const addresses = bytes.subarray(V2_FIXED, length);
  switch (familyTransport >> 4) {
    case 1: // AF_INET
      if (addresses.length < 12) return { kind: "invalid", reason: "PROXY v2 IPv4 addresses truncated" };
      return { kind: "proxy", length, sourceAddress: Array.from(addresses.subarray(0, 4)).join("."), version: 2 };
    case 2: // AF_INET6
      if (addresses.length < 36) return { kind: "invalid", reason: "PROXY v2 IPv6 addresses truncated" };
      return { kind: "proxy", length, sourceAddress: ipv6Text(addresses.subarray(0, 16)), version: 2 };
    default: // AF_UNSPEC, AF_UNIX: no client address worth keeping
      return { kind: "proxy", length, sourceAddress: null, version: 2 };
  }
}

function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535;
}

function isIPv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIPv6(text: string): boolean {
  return /^[0-9a-fA-F:.]{2,45}$/.test(text) && text.includes(":");
}

/** An IPv6 address as text (groups in hex, the longest zero run shortened to `::`). */
function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
