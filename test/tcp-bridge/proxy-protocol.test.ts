import { describe, expect, it } from "vitest";
import { readProxyHeader } from "../../tcp-bridge/proxy-protocol";

const ascii = (text: string) => new TextEncoder().encode(text);
const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

/** A v2 header: PROXY command over TCP with the given family and address bytes. */
function v2(family: number, addresses: number[], command = 1): Uint8Array {
  return new Uint8Array([...SIGNATURE, 0x20 | command, family, addresses.length >> 8, addresses.length & 0xff, ...addresses]);
}

const remotingFrame = new Uint8Array([0, 0, 0, 8, 0, 0, 0, 2, 0x7b, 0x7d, 0, 0]);

describe("readProxyHeader", () => {
  it("reads a v1 header and its client address", () => {
    const header = ascii("PROXY TCP4 10.1.2.3 10.0.0.1 56324 9876\r\n");
    expect(readProxyHeader(new Uint8Array([...header, ...remotingFrame]))).toEqual({
      kind: "proxy",
      length: header.length,
      sourceAddress: "10.1.2.3",
      version: 1,
    });
    expect(readProxyHeader(ascii("PROXY TCP6 2001:db8::1 2001:db8::2 4000 9876\r\n"))).toMatchObject({ sourceAddress: "2001:db8::1" });
    expect(readProxyHeader(ascii("PROXY UNKNOWN\r\n"))).toMatchObject({ kind: "proxy", sourceAddress: null, length: 15 });
  });

  it("reads a v2 header: IPv4, IPv6, LOCAL and TLVs after the addresses", () => {
    const ipv4 = v2(0x11, [192, 168, 7, 9, 10, 0, 0, 1, 0xdc, 0x04, 0x26, 0x94, 0x03, 0x00, 0x04, 1, 2, 3, 4]);
    expect(readProxyHeader(new Uint8Array([...ipv4, ...remotingFrame]))).toEqual({ kind: "proxy", length: ipv4.length, sourceAddress: "192.168.7.9", version: 2 });
    const six = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01];
    const ipv6 = v2(0x21, [...six, ...six, 0, 1, 0, 2]);
    expect(readProxyHeader(ipv6)).toMatchObject({ sourceAddress: "2001:db8::1", length: ipv6.length });
    expect(readProxyHeader(v2(0x00, [], 0))).toMatchObject({ kind: "proxy", sourceAddress: null, length: 16 });
  });

  it("waits for more bytes while they could still be a header, and decides at once when they cannot", () => {
    const header = v2(0x11, [192, 168, 7, 9, 10, 0, 0, 1, 0xdc, 0x04, 0x26, 0x94]);
    for (let cut = 1; cut < header.length; cut++) expect(readProxyHeader(header.subarray(0, cut)), `v2 cut ${cut}`).toEqual({ kind: "more" });
    const line = ascii("PROXY TCP4 10.1.2.3 10.0.0.1 56324 9876\r\n");
    for (let cut = 1; cut < line.length; cut++) expect(readProxyHeader(line.subarray(0, cut)), `v1 cut ${cut}`).toEqual({ kind: "more" });
    expect(readProxyHeader(remotingFrame.subarray(0, 1))).toEqual({ kind: "none" });
    expect(readProxyHeader(remotingFrame)).toEqual({ kind: "none" });
  });

  it("refuses malformed headers", () => {
    for (const bad of [
      ascii("PROXY TCP4 10.1.2.300 10.0.0.1 1 2\r\n"),
      ascii("PROXY TCP4 10.1.2.3 10.0.0.1 99999 2\r\n"),
      ascii("PROXY SCTP 10.1.2.3 10.0.0.1 1 2\r\n"),
      ascii(`PROXY TCP4 ${"1".repeat(120)}`),
      new Uint8Array([...SIGNATURE, 0x31, 0x11, 0, 0]),
      new Uint8Array([...SIGNATURE, 0x2f, 0x11, 0, 0]),
      v2(0x11, [1, 2, 3]),
    ]) {
      expect(readProxyHeader(bad).kind, new TextDecoder().decode(bad)).toBe("invalid");
    }
  });
});
