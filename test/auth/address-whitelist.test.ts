import { describe, expect, it } from "vitest";
import { AddressWhitelist, addressBytes, hostOf } from "../../edge/auth/address-whitelist";

describe("authenticationWhitelist", () => {
  it("reads peers as the transports write them", () => {
    expect(hostOf("10.1.2.3:5555")).toBe("10.1.2.3");
    expect(hostOf("[::1]:5555")).toBe("::1");
    expect(hostOf("10.1.2.3")).toBe("10.1.2.3");
    expect(hostOf("fe80::1")).toBe("fe80::1");
    expect(addressBytes("::ffff:10.0.0.1")).toEqual([10, 0, 0, 1]);
    expect(addressBytes("::1")).toEqual([...Array(15).fill(0), 1]);
    expect(addressBytes("1.2.3.256")).toBeNull();
    expect(addressBytes("host")).toBeNull();
  });

  it("matches addresses and CIDR blocks, IPv4 and IPv6", () => {
    const list = new AddressWhitelist("127.0.0.1, 10.0.0.0/8;192.168.1.128/25 fd00::/8");
    expect(list.allows("127.0.0.1:40000")).toBe(true);
    expect(list.allows("127.0.0.2:40000")).toBe(false);
    expect(list.allows("10.200.3.4")).toBe(true);
    expect(list.allows("11.0.0.1")).toBe(false);
    expect(list.allows("192.168.1.200:1")).toBe(true);
    expect(list.allows("192.168.1.100:1")).toBe(false);
    expect(list.allows("[fd12::5]:9876")).toBe(true);
    expect(list.allows("[fe80::5]:9876")).toBe(false);
    expect(list.allows("::ffff:10.1.1.1")).toBe(true);
    expect(list.allows(null)).toBe(false);
    expect(new AddressWhitelist("").allows("127.0.0.1")).toBe(false);
  });

  it("refuses entries that are neither addresses nor blocks", () => {
    expect(() => new AddressWhitelist("10.0.0.0/33")).toThrow(/authenticationWhitelist/);
    expect(() => new AddressWhitelist("example.com")).toThrow(/authenticationWhitelist/);
    expect(() => new AddressWhitelist("10.0.0.0/x")).toThrow(/authenticationWhitelist/);
  });
});
