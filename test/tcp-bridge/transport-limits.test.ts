import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerRequest } from "../support/broker-registration";
import { waitFor } from "../support/wait-for";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { useRedisServer } from "../support/redis-server";
import { RemotingTestClient } from "../support/remoting-client";

/** Resident memory of a process, from /proc. */
function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
  return Number(line!.replace(/\D+/g, "")) * 1024;
}

/** A frame's length prefix and header announcing `length` bytes after the prefix, and `sent` of them. */
function partialFrame(length: number, sent: number): Uint8Array {
  const bytes = new Uint8Array(4 + sent);
  new DataView(bytes.buffer).setInt32(0, length);
  return bytes;
}

const isOpen = (client: RemotingTestClient) => !client.socket.destroyed && client.socket.readyState === "open";

const redis = useRedisServer();

describeTransportLimits("embedded store", () => ({}));
describeTransportLimits("Redis store", () => ({ REDIS_URL: redis.current.url, NAMESRV_REDIS_PREFIX: `limits-${Date.now()}` }));

function describeTransportLimits(storeName: string, env: () => Record<string, string>) {
  describe(`transport limits (${storeName})`, () => {
    let ns: NamesrvProcess;
    let client: RemotingTestClient;
    let sentinelRoute: Uint8Array;
    const topics = Array.from({ length: 3000 }, (_, i) => `LimitTopic-${String(i).padStart(5, "0")}-${"x".repeat(20)}`);

    beforeAll(async () => {
      ns = await startNamesrv({
        ...env(),
        NAMESRV_CONFIG_serverFrameDeadlineSeconds: "1",
        NAMESRV_CONFIG_serverPartialFrameBudgetBytes: "1000000",
        NAMESRV_CONFIG_serverPendingWritePauseBytes: "262144",
        NAMESRV_CONFIG_serverMaxPendingWriteBytes: "67108864",
        NAMESRV_CONFIG_maxInFlightPerConnection: "4",
      });
      client = await RemotingTestClient.connect(ns.port);
      const broker = await RemotingTestClient.connect(ns.port);
      expect((await broker.request(103, registerRequest({ topics: ["Sentinel", ...topics] }))).code).toBe(0);
      sentinelRoute = (await client.request(105, { extFields: { topic: "Sentinel" } })).body!;
    });
    afterAll(async () => {
      client?.close();
      await ns?.stop();
    });

    async function expectSentinelUnchanged() {
      const now = await client.request(105, { extFields: { topic: "Sentinel" } });
      expect(now.code).toBe(0);
      expect(now.body).toEqual(sentinelRoute);
    }

    it("closes a connection whose frame does not complete within serverFrameDeadlineSeconds", async () => {
      const slow = await RemotingTestClient.connect(ns.port);
      const started = Date.now();
      slow.writeRaw(partialFrame(1000, 10));
      // trickling bytes does not keep it alive
      const trickle = setInterval(() => isOpen(slow) && slow.writeRaw(new Uint8Array(1)), 200);
      try {
        await slow.closed;
      } finally {
        clearInterval(trickle);
      }
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      await expectSentinelUnchanged();
    });

    it("closes the connection whose incomplete frame would pass the shared budget; the others go on", async () => {
      const first = await RemotingTestClient.connect(ns.port);
      const second = await RemotingTestClient.connect(ns.port);
      try {
        // a route query with a 900,000-byte body (ignored by the server), sent in two parts
        const { opaque, bytes } = first.encode(105, { extFields: { topic: "Sentinel" }, body: new Uint8Array(900_000) });
        const answer = first.expect(opaque, 10_000, () => first.writeRaw(bytes.subarray(0, 600_000)));
        await waitFor(async () => (await client.request(106)).code === 0, "the first part to be read");
        second.writeRaw(partialFrame(900_000, 500_000));
        await second.closed;
        expect(isOpen(first)).toBe(true);
        first.writeRaw(bytes.subarray(600_000));
        expect((await answer).body).toEqual(sentinelRoute);
      } finally {
        first.close();
        second.close();
      }
    });

    it("stops reading a client that does not read its answers, holds a bounded amount for it, and loses none", async () => {
      const reader = await RemotingTestClient.connect(ns.port);
      try {
        const listSize = (await reader.request(206)).body!.length;
        expect(listSize).toBeGreaterThan(100_000);
        const rssBefore = rssBytes(ns.process.pid!);
        reader.socket.pause();
        const count = 2000; // ~200 MiB of answers if the server produced them all
        const answers: Promise<unknown>[] = [];
        for (let i = 0; i < count; i++) {
          const { opaque, bytes } = reader.encode(206);
          answers.push(reader.expect(opaque, 120_000, () => reader.socket.write(bytes)));
        }
        // the server stops reading it; others are served meanwhile
        for (let i = 0; i < 20; i++) await expectSentinelUnchanged();
        const held = rssBytes(ns.process.pid!) - rssBefore;
        expect(held).toBeLessThan(150 * 1024 * 1024);
        reader.socket.resume();
        const all = await Promise.all(answers);
        expect(all).toHaveLength(count);
      } finally {
        reader.close();
      }
    }, 120_000);
  });
}

describe("connection caps", () => {
  let ns: NamesrvProcess;
  beforeAll(async () => {
    ns = await startNamesrv({ NAMESRV_CONFIG_maxConnectionsPerPeer: "3", NAMESRV_CONFIG_maxConnections: "100" });
  });
  afterAll(async () => {
    await ns?.stop();
  });

  it("closes connections past maxConnectionsPerPeer at accept, and accepts again once one closed", async () => {
    const open = await Promise.all([1, 2, 3].map(() => RemotingTestClient.connect(ns.port)));
    try {
      for (const c of open) expect((await c.request(106)).code).toBe(0);
      const refused = await RemotingTestClient.connect(ns.port);
      await refused.closed;
      expect(ns.output()).toContain("maxConnectionsPerPeer=3");
      open.pop()!.close();
      const again = await waitFor(async () => {
        const c = await RemotingTestClient.connect(ns.port);
        try {
          if ((await c.request(106, {}, 1000)).code === 0) return c;
        } catch {
          c.close();
        }
        return null;
      }, "a connection to be accepted again", 10_000, 100);
      open.push(again!);
      for (const c of open) expect((await c.request(106)).code).toBe(0);
    } finally {
      for (const c of open) c.close();
    }
  });
});

describe("answers that cannot be framed", () => {
  let ns: NamesrvProcess;
  beforeAll(async () => {
    // values as large as a frame, allowed on purpose, to reach the answer's own limit
    ns = await startNamesrv({ NAMESRV_CONFIG_maxKvValueBytes: String(16 * 1024 * 1024) });
  });
  afterAll(async () => {
    await ns?.stop();
  });

  it("get a SYSTEM_ERROR saying why, never silence, and the connection goes on", async () => {
    const value = "v".repeat(16 * 1024 * 1024 - 100);
    const put = await ns.http("/api/v1/kv/BIG_NS/big", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ value }),
    });
    expect(put.status).toBe(200);
    const client = await RemotingTestClient.connect(ns.port);
    try {
      const get = await client.request(101, { extFields: { namespace: "BIG_NS", key: "big" } }, 20_000);
      expect(get.code).toBe(1);
      expect(get.remark).toMatch(/exceeds the frame limit|cannot be encoded/);
      const list = await client.request(219, { extFields: { namespace: "BIG_NS" } }, 20_000);
      expect(list.code).toBe(1);
      expect(list.remark).toMatch(/exceeds the frame limit/);
      expect((await client.request(106)).code).toBe(0);
    } finally {
      client.close();
    }
  }, 60_000);
});
