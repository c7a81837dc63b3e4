export const enc = new TextEncoder();
export const dec = new TextDecoder();

export function hex(s: string): Uint8Array {
  const clean = s.replace(/[^0-9a-fA-F]/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Builds a frame with length prefix: headerInfo(type, header) + header + body. */
export function rawFrame(type: number, header: Uint8Array, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(8 + header.length + body.length);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, 4 + header.length + body.length);
  dv.setInt32(4, (type << 24) | header.length);
  out.set(header, 8);
  out.set(body, 8 + header.length);
  return out;
}
