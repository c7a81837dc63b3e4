import { describe, expect, it } from "vitest";
import { ConfigError } from "../../edge/config/namesrv-config";
import { advertisedAddress } from "../../tcp-bridge/advertised-address";

const interfaces = {
  lo: [{ address: "127.0.0.1", family: "IPv4", internal: true }],
  eth0: [
    { address: "fe80::1", family: "IPv6", internal: false },
    { address: "10.1.2.3", family: "IPv4", internal: false },
  ],
} as unknown as Parameters<typeof advertisedAddress>[3];

describe("advertisedAddress", () => {
  it("is NAMESRV_ADVERTISED_ADDR when set (host names and bracketed IPv6 included)", () => {
    expect(advertisedAddress("namesrv-0.namesrv:9876", "0.0.0.0", 9876, interfaces)).toBe("namesrv-0.namesrv:9876");
    expect(advertisedAddress(" [fd00::5]:9876 ", "0.0.0.0", 9876, interfaces)).toBe("[fd00::5]:9876");
  });

  it("refuses a value a client could not dial", () => {
    for (const bad of ["namesrv", "host:0", "host:70000", "a:1;b:2", "fd00::5:9876", "http://x:1"]) {
      expect(() => advertisedAddress(bad, "0.0.0.0", 9876, interfaces), bad).toThrow(ConfigError);
    }
  });

  it("is the bind address and port otherwise; a wildcard bind address stands for a non-loopback IPv4 address", () => {
    expect(advertisedAddress(undefined, "127.0.0.1", 19876, interfaces)).toBe("127.0.0.1:19876");
    expect(advertisedAddress("", "192.168.0.7", 9876, interfaces)).toBe("192.168.0.7:9876");
    expect(advertisedAddress(undefined, "0.0.0.0", 9876, interfaces)).toBe("10.1.2.3:9876");
    expect(advertisedAddress(undefined, "::", 9876, interfaces)).toBe("10.1.2.3:9876");
    expect(advertisedAddress(undefined, "::1", 9876, interfaces)).toBe("[::1]:9876");
    expect(advertisedAddress(undefined, "0.0.0.0", 9876, { lo: interfaces!.lo })).toBe("127.0.0.1:9876");
  });
});
