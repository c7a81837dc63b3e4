/**
 * A zlib stream that inflates to `inflatedBytes` zero bytes at deflate's highest ratio (~1032:1),
 * written directly (one dynamic Huffman block whose matches of 258 bytes at distance 1 cost two bits
 * each), so that a 1 GiB bomb is built in milliseconds without ever holding 1 GiB.
 */

class BitWriter {
  private readonly bytes: Uint8Array;
  private bit = 0;
  constructor(capacityBytes: number) {
    this.bytes = new Uint8Array(capacityBytes);
  }
  /** `count` bits of `value`, least significant first (deflate's order for header fields). */
  bits(value: number, count: number): void {
    for (let i = 0; i < count; i++) this.put((value >>> i) & 1);
  }
  /** A Huffman code of `length` bits, most significant first. */
  code(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) this.put((value >>> i) & 1);
  }
  /** `count` zero bits, fast. */
  zeros(count: number): void {
    this.bit += count;
  }
  private put(b: number): void {
    if (b) this.bytes[this.bit >>> 3] |= 1 << (this.bit & 7);
    this.bit++;
  }
  done(): Uint8Array {
    return this.bytes.subarray(0, (this.bit + 7) >>> 3);
  }
}

export function deflateBomb(inflatedBytes: number): Uint8Array {
  const matches = Math.max(0, Math.floor((inflatedBytes - 1) / 258));
  const total = 1 + matches * 258;
  const w = new BitWriter(Math.ceil((matches * 2) / 8) + 64);
  w.bits(0x78, 8);
  w.bits(0x01, 8); // zlib header: deflate, 32 KiB window, check bits
  w.bits(1, 1); // BFINAL
  w.bits(2, 2); // dynamic Huffman
  w.bits(286 - 257, 5); // HLIT: literal/length codes 0..285
  w.bits(0, 5); // HDIST: one distance code
  w.bits(18 - 4, 4); // HCLEN: code length codes up to symbol 1 in the permuted order
  // code length code lengths in the order 16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,2,14,1: 18 → 1, 2 → 2, 1 → 2
  const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
  const clLength: Record<number, number> = { 18: 1, 2: 2, 1: 2 };
  for (const sym of order) w.bits(clLength[sym] ?? 0, 3);
  // canonical codes: 18 → 0, 1 → 10, 2 → 11
  const cl = { one: () => w.code(0b10, 2), two: () => w.code(0b11, 2), zeros: (n: number) => (w.code(0, 1), w.bits(n - 11, 7)) };
  cl.two(); // literal 0: length 2
  cl.zeros(138);
  cl.zeros(117); // literals 1..255: unused
  cl.two(); // end of block: length 2
  cl.zeros(28); // lengths 257..284: unused
  cl.one(); // length 285 (258 bytes): length 1
  cl.one(); // distance code 0 (distance 1): length 1
  // literal/length codes: 285 → 0, literal 0 → 10, end → 11; distance 0 → 0
  w.code(0b10, 2); // one zero byte
  w.zeros(matches * 2); // each match: length code 0, distance code 0
  w.code(0b11, 2); // end of block
  const body = w.done();
  const adlerB = total % 65521; // Adler-32 of zeros: a = 1, b = n
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, ((adlerB << 16) | 1) >>> 0);
  return out;
}
