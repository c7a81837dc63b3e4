import { describe, expect, it } from "vitest";
import { parseArgs } from "../../cli/args";
import { brokerEvents, watch } from "../../cli/watch";
import { brokerKey, brokerRows } from "../../cli/broker-rows";
import type { ClusterInfo } from "../../shared/model";
import { CLUSTER, fakeAdminClient } from "./fake-admin-client";

describe("watch", () => {
  it("reports registrations, unregistrations and moves between refreshes", () => {
    const before = new Map(brokerRows(CLUSTER).map((r) => [brokerKey(r), r]));
    const after = brokerRows({
      brokerAddrTable: {
        "broker-a": { cluster: "C1", brokerName: "broker-a", brokerAddrs: { "0": "10.0.0.7:10911" }, enableActingMaster: false },
        "broker-c": { cluster: "C1", brokerName: "broker-c", brokerAddrs: { "0": "10.0.0.4:10911" }, enableActingMaster: false },
      },
      clusterAddrTable: {},
    });
    const events = brokerEvents(before, after, "t").map((e) => `${e.event} ${e.brokerName}/${e.brokerId} ${e.addr}`);
    expect(events.sort()).toEqual(
      [
        "moved broker-a/0 10.0.0.7:10911",
        "registered broker-c/0 10.0.0.4:10911",
        "unregistered broker-a/1 10.0.0.2:10911",
        "unregistered broker-b/0 10.0.0.3:10911",
        "unregistered broker-z/1 10.0.0.9:10911",
      ].sort(),
    );
    expect(brokerEvents(null, after, "t")).toEqual([]);
  });

  it("--json writes one line per refresh with the brokers and what changed, and stops after --iterations", async () => {
    const views: ClusterInfo[] = [
      { brokerAddrTable: {}, clusterAddrTable: {} },
      CLUSTER,
      { brokerAddrTable: { "broker-b": CLUSTER.brokerAddrTable["broker-b"] }, clusterAddrTable: { C1: ["broker-b"] } },
    ];
    const { client } = fakeAdminClient();
    let refresh = 0;
    client.clusterInfo = async () => views[Math.min(refresh++, views.length - 1)];
    const lines: string[] = [];
    const code = await watch(parseArgs(["watch", "--json", "--interval", "0.01", "--iterations", "3"]), client, (t) => lines.push(t), {
      terminal: false,
      now: () => new Date(0),
    });
    expect(code).toBe(0);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed).toHaveLength(3);
    expect(parsed[0]).toEqual({ time: "1970-01-01T00:00:00.000Z", brokers: [], events: [] });
    expect(parsed[1].events.map((e: { event: string }) => e.event)).toEqual(["registered", "registered", "registered", "registered"]);
    expect(parsed[2].brokers).toHaveLength(1);
    expect(parsed[2].events.filter((e: { event: string }) => e.event === "unregistered")).toHaveLength(3);
  });

  it("draws a table with recent changes; a failed refresh is shown and the next one tried; an abort stops it", async () => {
    const { client } = fakeAdminClient();
    let refresh = 0;
    client.clusterInfo = async () => {
      refresh++;
      if (refresh === 2) throw new Error("connection reset");
      return refresh === 1 ? { brokerAddrTable: {}, clusterAddrTable: {} } : CLUSTER;
    };
    const stop = new AbortController();
    const screens: string[] = [];
    const done = watch(parseArgs(["watch", "--interval", "0.01"]), client, (t) => {
      screens.push(t);
      if (screens.length === 3) stop.abort();
    }, { terminal: true, signal: stop.signal, now: () => new Date(0) });
    expect(await done).toBe(0);
    expect(screens).toHaveLength(3);
    expect(screens[0].startsWith("\x1b[2J\x1b[H")).toBe(true);
    expect(screens[1]).toContain("unreachable: connection reset");
    expect(screens[2]).toContain("4 broker(s) in 3 group(s)");
    expect(screens[2]).toContain("recent changes:");
    expect(screens[2]).toMatch(/registered\s+C1\/broker-a\/0 10\.0\.0\.1:10911/);
  });
});
