import { describe, expect, it } from "vitest";
import { parseArgs } from "../../cli/args";
import { CliError } from "../../cli/cli-error";
import { permText, runCommand } from "../../cli/commands";
import { propertiesText } from "../../cli/remoting-admin";
import { formatTable } from "../../cli/table";
import { parseJavaPropertiesText } from "../../shared/properties";
import { CLUSTER, fakeAdminClient } from "./fake-admin-client";

const run = (argv: string[], state: Parameters<typeof fakeAdminClient>[0] = {}) => {
  const fake = fakeAdminClient(state);
  return { fake, output: runCommand(parseArgs(argv), fake.client, () => 1000) };
};

describe("formatTable", () => {
  it("pads every column but the last to its widest cell, with a rule under the header", () => {
    expect(formatTable(["A", "LONGER"], [["xyz", 1], ["é", "two words"]])).toBe("A    LONGER\n---  ---------\nxyz  1\né    two words\n");
  });
});

describe("commands", () => {
  it("clusterList: one row per broker group, master and slaves; --json keeps the cluster info", async () => {
    const out = await run(["clusterList"], { cluster: CLUSTER }).output;
    expect(out.text).toBe(
      [
        "CLUSTER  BROKER    MASTER          SLAVES            INSTANCES",
        "-------  --------  --------------  ----------------  ---------",
        "C1       broker-a  10.0.0.1:10911  1=10.0.0.2:10911  2",
        "C1       broker-b  10.0.0.3:10911  -                 1",
        "C2       broker-z  -               1=10.0.0.9:10911  1",
        "",
      ].join("\n"),
    );
    const filtered = await run(["clusterList", "-c", "C2"], { cluster: CLUSTER }).output;
    expect(filtered.data).toEqual({ clusterAddrTable: { C2: ["broker-z"] }, brokerAddrTable: { "broker-z": CLUSTER.brokerAddrTable["broker-z"] } });
  });

  it("brokers: one row per instance with its role", async () => {
    const out = await run(["brokers"], { cluster: CLUSTER }).output;
    expect(out.data).toEqual([
      { cluster: "C1", brokerName: "broker-a", brokerId: 0, role: "MASTER", addr: "10.0.0.1:10911", zoneName: null },
      { cluster: "C1", brokerName: "broker-a", brokerId: 1, role: "SLAVE", addr: "10.0.0.2:10911", zoneName: null },
      { cluster: "C1", brokerName: "broker-b", brokerId: 0, role: "MASTER", addr: "10.0.0.3:10911", zoneName: null },
      { cluster: "C2", brokerName: "broker-z", brokerId: 1, role: "SLAVE", addr: "10.0.0.9:10911", zoneName: "z1" },
    ]);
    expect(out.text.split("\n")[2]).toBe("C1       broker-a  0   MASTER  10.0.0.1:10911  -");
  });

  it("topicRoute: queues with readable perm, then the brokers; a missing topic rejects with its code", async () => {
    const route = {
      queueDatas: [{ brokerName: "broker-a", readQueueNums: 4, writeQueueNums: 8, perm: 4, topicSysFlag: 0 }],
      brokerDatas: [{ cluster: "C1", brokerName: "broker-a", brokerAddrs: { "0": "10.0.0.1:10911" }, enableActingMaster: false }],
      filterServerTable: {},
    };
    const out = await run(["topicRoute", "T1"], { routes: { T1: route } }).output;
    expect(out.data).toBe(route);
    expect(out.text).toContain("broker-a  4            8             4 R--  0");
    expect(out.text).toContain("C1       broker-a  0   10.0.0.1:10911");
    await expect(run(["topicRoute", "-t", "T2"]).output).rejects.toMatchObject({ responseCode: 17 });
    await expect(run(["topicRoute"]).output).rejects.toMatchObject({ exitCode: 2 });
  });

  it("kv get/put/delete/list", async () => {
    const state = { kv: { NS: { b: "2", a: "1" } } };
    expect((await run(["kv", "get", "NS", "a"], state).output).text).toBe("1\n");
    const put = run(["kv", "put", "NS", "c", "x y"], state);
    expect((await put.output).data).toEqual({ namespace: "NS", key: "c", value: "x y", stored: true });
    expect(put.fake.calls).toEqual([["kvPut", "NS", "c", "x y"]]);
    expect((await run(["kv", "list", "NS"], state).output).text).toBe("KEY  VALUE\n---  -----\na    1\nb    2\nc    x y\n");
    await run(["kv", "delete", "NS", "c"], state).output;
    expect((await run(["kv", "list", "NS", "--json"], state).output).data).toEqual({ namespace: "NS", table: { a: "1", b: "2" } });
    await expect(run(["kv", "put", "NS", "k"], state).output).rejects.toBeInstanceOf(CliError);
    await expect(run(["kv", "rename"], state).output).rejects.toMatchObject({ exitCode: 2 });
  });

  it("config get picks keys (exit 1 for one not set); config set sends key=value pairs", async () => {
    const state = { config: { listenPort: "9876", orderMessageEnable: "false" } };
    const got = await run(["config", "get", "orderMessageEnable"], state).output;
    expect(got).toMatchObject({ data: { orderMessageEnable: "false" }, exitCode: 0 });
    expect((await run(["config", "get", "nope"], state).output).exitCode).toBe(1);
    const set = run(["config", "set", "orderMessageEnable=true", "a=b=c"], state);
    expect((await set.output).data).toEqual({ updated: { orderMessageEnable: "true", a: "b=c" } });
    await expect(run(["config", "set", "novalue"], state).output).rejects.toMatchObject({ exitCode: 2 });
  });

  it("write permission and deleteTopic report what they did", async () => {
    expect((await run(["wipeWritePerm", "broker-a"]).output).data).toEqual({ brokerName: "broker-a", wipeTopicCount: 3 });
    expect((await run(["addWritePerm", "-b", "broker-a"]).output).data).toEqual({ brokerName: "broker-a", addTopicCount: 2 });
    const deleted = run(["deleteTopic", "T", "-c", "C1"]);
    expect((await deleted.output).data).toEqual({ topic: "T", cluster: "C1", deleted: true });
    expect(deleted.fake.calls).toEqual([["deleteTopic", "T", "C1"]]);
  });

  it("health: UP with the latency, DOWN with exit code 1", async () => {
    expect((await run(["health"]).output).data).toEqual({ target: "fake:9876", status: "UP", latencyMs: 0 });
    const fake = fakeAdminClient();
    fake.client.ping = async () => {
      throw new Error("refused");
    };
    const down = await runCommand(parseArgs(["health"]), fake.client);
    expect(down).toMatchObject({ data: { status: "DOWN", error: "refused" }, exitCode: 1 });
  });

  it("permText shows RocketMQ's perm bits", () => {
    expect([permText(6), permText(4), permText(2), permText(7), permText(0)]).toEqual(["RW-", "R--", "-W-", "RWX", "---"]);
  });
});

describe("propertiesText", () => {
  it("is read back by Java's Properties rules exactly", () => {
    const properties = { plain: "v", "key with=sep:": " lead\\back\ttab", unicode: "中é", empty: "" };
    expect(parseJavaPropertiesText(propertiesText(properties))).toEqual(properties);
  });
});
