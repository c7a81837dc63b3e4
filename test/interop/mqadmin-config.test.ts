import { describe, expect, it } from "vitest";
import { LINES_5X } from "./support/lines.js";
import { remotingCall } from "./support/remoting.js";
import { admin, line, unique } from "./support/suite.js";

const ORDER_TOPIC_CONFIG = "ORDER_TOPIC_CONFIG";

/** `key = value` lines of getNamesrvConfig. */
function parseNamesrvConfig(output: string): Record<string, string> {
  return Object.fromEntries([...output.matchAll(/^(\w+)\s+=\s+(.*?)\s*$/gm)].map((m) => [m[1], m[2]]));
}

describe.each(LINES_5X)("mqadmin %s KV, order-conf and NameServer config commands", (version) => {
  const s = line(version);
  const mq = admin(version);

  /** GET_KV_CONFIG (101) straight over the wire: [code, value]. */
  async function getKv(namespace: string, key: string): Promise<[number, string | undefined]> {
    const response = await remotingCall(s.namesrv, 101, { namespace, key });
    return [response.code, response.extFields?.value];
  }

  it("updateKvConfig / deleteKvConfig in ORDER_TOPIC_CONFIG, read back with updateOrderConf -m get", async () => {
    const topic = unique("InteropKvOrder");
    const value = `${s.shared.name}:2`;
    expect(await mq("updateKvConfig", "-s", ORDER_TOPIC_CONFIG, "-k", topic, "-v", value)).toContain(
      "create or update kv config to namespace success.",
    );
    expect(await mq("updateOrderConf", "-t", topic, "-m", "get")).toContain(`get orderConf success. topic=[${topic}], orderConf=[${value}]`);

    expect(await mq("deleteKvConfig", "-s", ORDER_TOPIC_CONFIG, "-k", topic)).toContain("delete kv config from namespace success.");
    expect(await mq("updateOrderConf", "-t", topic, "-m", "get")).toMatch(
      new RegExp(`CODE: 22\\s+DESC: No config item, Namespace: ${ORDER_TOPIC_CONFIG} Key: ${topic}`),
    );
  });

  it("updateKvConfig / deleteKvConfig in any namespace, read back over the wire (and HTTP for ours)", async () => {
    const namespace = unique("INTEROP_NS");
    const key = "interop.key";
    const value = "value with spaces=and:colons";
    expect(await mq("updateKvConfig", "-s", namespace, "-k", key, "-v", value)).toContain("create or update kv config to namespace success.");
    expect(await getKv(namespace, key)).toEqual([0, value]);
    if (s.kind === "ours") {
      const response = await fetch(`${s.httpUrl}/api/v1/kv/${encodeURIComponent(namespace)}/${encodeURIComponent(key)}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(JSON.stringify(value).slice(1, -1));
    }

    expect(await mq("deleteKvConfig", "-s", namespace, "-k", key)).toContain("delete kv config from namespace success.");
    expect((await getKv(namespace, key))[0]).toBe(22); // QUERY_NOT_FOUND
    if (s.kind === "ours") {
      const response = await fetch(`${s.httpUrl}/api/v1/kv/${encodeURIComponent(namespace)}/${encodeURIComponent(key)}`);
      expect(response.status).toBe(404);
    }
  });

  it("updateOrderConf -m put / get / delete", async () => {
    const topic = unique("InteropOrderConf");
    const conf = `${s.shared.name}:3`;
    expect(await mq("updateOrderConf", "-t", topic, "-m", "put", "-v", conf)).toContain(
      `update orderConf success. topic=[${topic}], orderConf=[${conf}]`,
    );
    expect(await mq("updateOrderConf", "-t", topic, "-m", "get")).toContain(`get orderConf success. topic=[${topic}], orderConf=[${conf}]`);
    expect(await getKv(ORDER_TOPIC_CONFIG, topic)).toEqual([0, conf]);

    expect(await mq("updateOrderConf", "-t", topic, "-m", "delete")).toContain(`delete orderConf success. topic=[${topic}]`);
    expect(await mq("updateOrderConf", "-t", topic, "-m", "get")).toMatch(/CODE: 22\s+DESC: No config item/);
  });

  it("getNamesrvConfig prints the NameServer's configuration", async () => {
    const output = await mq("getNamesrvConfig");
    expect(output).toContain(`============${s.namesrv}============`);
    const config = parseNamesrvConfig(output);
    expect(config.listenPort).toBe(s.namesrv.split(":")[1]);
    expect(config).toHaveProperty("kvConfigPath");
    expect(config.configBlackList?.split(";")).toEqual(expect.arrayContaining(["configBlackList", "configStorePath", "kvConfigPath"]));
    expect(config).toHaveProperty("scanNotActiveBrokerInterval");
  });

  it("updateNamesrvConfig changes an allowed key, visible in getNamesrvConfig", async () => {
    const before = parseNamesrvConfig(await mq("getNamesrvConfig"));
    const next = before.scanNotActiveBrokerInterval === "4000" ? "4500" : "4000";
    const output = await mq("updateNamesrvConfig", "-k", "scanNotActiveBrokerInterval", "-v", next);
    expect(output).toContain(`update name server config success![${s.namesrv}]`);
    expect(output).toContain(`scanNotActiveBrokerInterval : ${next}`);
    expect(parseNamesrvConfig(await mq("getNamesrvConfig")).scanNotActiveBrokerInterval).toBe(next);
  });

  it("updateNamesrvConfig refuses a black-listed key (kvConfigPath) with NO_PERMISSION", async () => {
    const before = parseNamesrvConfig(await mq("getNamesrvConfig")).kvConfigPath;
    const output = await mq("updateNamesrvConfig", "-k", "kvConfigPath", "-v", "/tmp/interop-should-not-apply.json");
    expect(output).toMatch(/CODE: 16\s+DESC: Can not update config in black list\./);
    expect(output).not.toContain("update name server config success");
    expect(parseNamesrvConfig(await mq("getNamesrvConfig")).kvConfigPath).toBe(before);
  });
});
