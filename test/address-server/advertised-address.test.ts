import { describe, expect, it } from "vitest";
import { parseAdvertisedAddress } from "../../edge/config/advertised-address";
import { readBunDeployment } from "../../edge/config/deployment-config";
import { ConfigError } from "../../edge/config/namesrv-config";
import { advertisedAddress } from "../../tcp-bridge/advertised-address";

const interfaces = {
  lo: [{ address: "127.0.0.1", family: "IPv4", internal: true }],
  eth0: [
    { address: "fe80::1", family: "IPv6", internal: false },
    { address: "10.1.2.3", family: "IPv4", internal: false },
  ],
} as unknown as Parameters<typeof advertisedAddress>[3];

describe("NAMESRV_ADVERTISED_ADDR", () => {
  it("takes host:port, host names and bracketed IPv6 included; unset is null", () => {
    expect(parseAdvertisedAddress("namesrv-0.namesrv:9876")).toBe("namesrv-0.namesrv:9876");
    expect(parseAdvertisedAddress(" [fd00::5]:9876 ")).toBe("[fd00::5]:9876");
    expect(parseAdvertisedAddress(undefined)).toBeNull();
    expect(parseAdvertisedAddress("")).toBeNull();
  });

  it("refuses a value a client could not dial, and so does the start-up configuration", async () => {
    for (const bad of ["namesrv", "host:0", "host:70000", "a:1;b:2", "fd00::5:9876", "http://x:1"]) {
      expect(() => parseAdvertisedAddress(bad), bad).toThrow(ConfigError);
    }
    const sources = (env: Record<string, string>) => ({ argv: [], env, home: "/h", readFile: async () => new Uint8Array() });
    await expect(readBunDeployment(sources({ NAMESRV_ADVERTISED_ADDR: "nope" }))).rejects.toThrow(/NAMESRV_ADVERTISED_ADDR/);
    expect((await readBunDeployment(sources({ NAMESRV_ADVERTISED_ADDR: "ns.example:9876" }))).advertisedAddr).toBe("ns.example:9876");
  });
});

describe("advertisedAddress", () => {
  it("is the configured address when there is one", () => {
    expect(advertisedAddress("ns.example:9876", "0.0.0.0", 19876, interfaces)).toBe("ns.example:9876");
  });

  it("is the bind address and port otherwise; a wildcard bind address stands for a non-loopback IPv4 address", () => {
    expect(advertisedAddress(null, "127.0.0.1", 19876, interfaces)).toBe("127.0.0.1:19876");
    expect(advertisedAddress(null, "192.168.0.7", 9876, interfaces)).toBe("192.168.0.7:9876");
    expect(advertisedAddress(null, "0.0.0.0", 9876, interfaces)).toBe("10.1.2.3:9876");
    expect(advertisedAddress(null, "::", 9876, interfaces)).toBe("10.1.2.3:9876");
    expect(advertisedAddress(null, "::1", 9876, interfaces)).toBe("[::1]:9876");
    expect(advertisedAddress(null, "0.0.0.0", 9876, { lo: interfaces!.lo })).toBe("127.0.0.1:9876");
  });
});
