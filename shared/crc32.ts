/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as `java.util.zip.CRC32`. */

/** A CRC-32 function: unsigned CRC-32 of `bytes`. */
export type Crc32 = (bytes: Uint8Array) => number;

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * Unsigned CRC-32 of `bytes` (optionally continuing from a previous value), in plain code that runs
 * anywhere. A runtime's native one (zlib's) is about a hundred times faster on large bodies: the
 * bridge passes that to brokerBodyCrc32.
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The value brokers put in `bodyCrc32` (`UtilAll.crc32`): CRC-32 & 0x7FFFFFFF; 0 for no body.
 * Example: raw 3455812242 → 1308328594.
 */
export function brokerBodyCrc32(bytes: Uint8Array | null, crc: Crc32 = crc32): number {
  if (!bytes || bytes.length === 0) return 0;
  return crc(bytes) & 0x7fffffff;
}
