/**
 * authenticationWhitelist: addresses and CIDR blocks (IPv4 and IPv6) whose calls skip
 * authentication, as Java's AuthConfig allows. A peer is `host:port`, `[v6]:port` or a bare address.
 */

/** The address part of a peer as this server writes it. */
export function hostOf(peer: string): string {
  if (peer.startsWith("[")) return peer.slice(1, peer.indexOf("]"));
  const colons = peer.split(":").length - 1;
  return colons === 1 ? peer.slice(0, peer.indexOf(":")) : peer;
}

/** The address as 4 (IPv4) or 16 (IPv6) bytes; IPv4-mapped IPv6 as IPv4; null if not an address. */
export function addressBytes(text: string): number[] | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) return addressBytes(mapped[1]);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(text)) {
    const parts = text.split(".").map(Number);
    return parts.every((p) => p <= 255) ? parts : null;
  }
  if (!text.includes(":")) return null;
  const [head, tail, extra] = text.split("::");
  if (extra !== undefined) return null;
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const all = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...t];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const v = parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  return bytes;
}

interface Block {
  bytes: number[];
  bits: number;
}

export class AddressWhitelist {
  private readonly blocks: Block[];

  /** Throws on an entry that is neither an address nor a CIDR block. */
  constructor(text: string) {
    this.blocks = [];
    for (const raw of text.split(/[,;\s]+/)) {
      const entry = raw.trim();
      if (entry === "") continue;
      const [address, prefix] = entry.split("/");
      const bytes = addressBytes(address);
      const bits = prefix === undefined ? (bytes?.length ?? 0) * 8 : Number(prefix);
      if (bytes === null || !Number.isInteger(bits) || bits < 0 || bits > bytes.length * 8 || (prefix !== undefined && !/^\d+$/.test(prefix))) {
        throw new Error(`authenticationWhitelist: ${JSON.stringify(entry)} is neither an address nor a CIDR block`);
      }
      this.blocks.push({ bytes, bits });
    }
  }

  get isEmpty(): boolean {
    return this.blocks.length === 0;
  }

  /** Whether the peer (`host:port` or an address) is in one of the blocks. */
  allows(peer: string | null): boolean {
    if (peer === null || this.blocks.length === 0) return false;
    const bytes = addressBytes(hostOf(peer));
    if (bytes === null) return false;
    return this.blocks.some((block) => block.bytes.length === bytes.length && samePrefix(block.bytes, bytes, block.bits));
  }
}

function samePrefix(a: number[], b: number[], bits: number): boolean {
  let i = 0;
  for (; bits >= 8; bits -= 8, i++) if (a[i] !== b[i]) return false;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (a[i] & mask) === (b[i] & mask);
}
