import { describe, expect, it } from "vitest";
import { confirmOnReplicas, onlineReplicas } from "../../edge/store/redis/replica-acknowledgement";

const INFO = (...states: string[]) =>
  ["# Replication", "role:master", `connected_slaves:${states.length}`, ...states.map((s, i) => `slave${i}:ip=127.0.0.1,port=${7000 + i},state=${s},offset=10,lag=0`), "master_repl_offset:10", ""].join("\r\n");

function fakeRedis(info: string, waitReply: number) {
  const sent: string[][] = [];
  return {
    sent,
    send: async (args: string[]) => {
      sent.push(args);
      return args[0] === "INFO" ? info : waitReply;
    },
  };
}

describe("acknowledgement of replicated writes", () => {
  it("counts only replicas in state=online", () => {
    expect(onlineReplicas(INFO("online", "wait_bgsave", "online"))).toBe(2);
    expect(onlineReplicas(INFO())).toBe(0);
    expect(onlineReplicas("role:slave\r\nmaster_host:127.0.0.1\r\n")).toBe(0);
  });

  it("waits for no more replicas than are online, and for none when there are none", async () => {
    const two = fakeRedis(INFO("online", "online"), 2);
    await expect(confirmOnReplicas(two.send, { replicas: 3, timeoutMs: 700 }, "put")).resolves.toEqual({ online: 2, confirmed: 2 });
    expect(two.sent).toEqual([["INFO", "replication"], ["WAIT", "2", "700"]]);
    const none = fakeRedis(INFO(), 0);
    await expect(confirmOnReplicas(none.send, { replicas: 1, timeoutMs: 700 }, "put")).resolves.toEqual({ online: 0, confirmed: 0 });
    expect(none.sent).toEqual([["INFO", "replication"]]);
  });

  it("a write the replicas did not confirm in time is an error that says so", async () => {
    const slow = fakeRedis(INFO("online"), 0);
    const told: string[] = [];
    const events = { unconfirmed: (what: string) => told.push(what) };
    await expect(confirmOnReplicas(slow.send, { replicas: 1, timeoutMs: 700 }, "script putKVConfig", events)).rejects.toThrow(
      /script putKVConfig: written on the primary but confirmed by 0 of 1 replica\(s\) within 700 ms/,
    );
    expect(told).toEqual(["script putKVConfig"]);
    await confirmOnReplicas(fakeRedis(INFO("online"), 1).send, { replicas: 1, timeoutMs: 700 }, "script putKVConfig", events);
    expect(told).toEqual(["script putKVConfig"]);
  });

  it("replicas = 0 sends nothing", async () => {
    const off = fakeRedis(INFO("online"), 1);
    await confirmOnReplicas(off.send, { replicas: 0, timeoutMs: 700 }, "put");
    expect(off.sent).toEqual([]);
  });
});
