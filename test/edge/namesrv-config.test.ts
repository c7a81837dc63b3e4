import { describe, expect, it } from "vitest";
import {
  SECURITY_KEYS,
  applyConfigEntries,
  ConfigError,
  configBlackList,
  configToProperties,
  defaultNamesrvConfig,
} from "../../edge/config/namesrv-config";
import { LIMITS } from "../../edge/config/limits";
import { loadNamesrvConfig } from "../../edge/config/load-config";
import { ConfigManager } from "../../edge/service/config-manager";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { ResponseCode } from "../../shared/codes";

describe("NameServer configuration", () => {
  const defaults = defaultNamesrvConfig("/home/rocketmq");

  it("has the Java defaults", () => {
    expect(defaults.listenPort).toBe(9876);
    expect(defaults.kvConfigPath).toBe("/home/rocketmq/namesrv/kvConfig.json");
    expect(defaults.scanNotActiveBrokerInterval).toBe(5000);
    expect(defaults.serverChannelMaxIdleTimeSeconds).toBe(120);
    expect(defaults.orderMessageEnable).toBe(false);
    expect(defaults.returnOrderTopicConfigToBroker).toBe(true);
  });

  it("parses typed values from strings and keeps unknown keys apart", () => {
    const { config, extra } = applyConfigEntries(defaults, {
      listenPort: "9999",
      orderMessageEnable: "TRUE",
      kvConfigPath: " /tmp/kv.json ",
      somethingElse: "x",
    });
    expect(config.listenPort).toBe(9999);
    expect(config.orderMessageEnable).toBe(true);
    expect(config.kvConfigPath).toBe("/tmp/kv.json");
    expect(extra).toEqual({ somethingElse: "x" });
  });

  it("rejects bad values, naming each", () => {
    expect(() => applyConfigEntries(defaults, { listenPort: "abc", orderMessageEnable: "yes" })).toThrow(ConfigError);
    try {
      applyConfigEntries(defaults, { listenPort: "70000", orderMessageEnable: "yes" });
    } catch (err) {
      expect(String(err)).toContain("listenPort");
      expect(String(err)).toContain("orderMessageEnable");
    }
  });

  it("black-lists the fixed keys plus the configured ones", () => {
    const list = configBlackList({ ...defaults, configBlackList: "configBlackList;listenPort" });
    expect([...list].sort()).toEqual(
      ["configBlackList", "configStorePath", "kvConfigPath", "listenPort", "rocketmqHome", ...SECURITY_KEYS].sort(),
    );
    expect(list.has("authenticationEnabled")).toBe(true);
  });

  it("masks initAuthenticationUser in GET_NAMESRV_CONFIG, keeps it for configStorePath", () => {
    const withUser = { ...defaults, initAuthenticationUser: '{"username":"admin","password":"secret-123"}' };
    expect(configToProperties(withUser, {}, true).initAuthenticationUser).toBe("******");
    expect(configToProperties(withUser, {}, false).initAuthenticationUser).toBe(withUser.initAuthenticationUser);
  });

  it("dumps every set property as text", () => {
    const props = configToProperties(defaults, { extraKey: "v" }, true);
    expect(props.listenPort).toBe("9876");
    expect(props.enableTopicList).toBe("true");
    expect(props.extraKey).toBe("v");
    expect("rocketmqHome" in props).toBe(false);
  });
});

describe("limits", () => {
  const defaults = defaultNamesrvConfig("/home/rocketmq");

  it("are configuration keys with their documented defaults, validated within their ranges", () => {
    for (const [key, limit] of Object.entries(LIMITS)) {
      expect(defaults[key as keyof typeof defaults], key).toBe(limit.default);
      expect(() => applyConfigEntries(defaults, { [key]: String(limit.min - 1) }), key).toThrow(ConfigError);
      expect(applyConfigEntries(defaults, { [key]: String(limit.min) }).config[key as keyof typeof defaults]).toBe(limit.min);
    }
    expect(() => applyConfigEntries(defaults, { maxConnections: "lots" })).toThrow(/maxConnections/);
  });

  it("are refused by UPDATE_NAMESRV_CONFIG: a remote client cannot lift them", async () => {
    const store = await EmbeddedStore.open({ kvConfigPath: null });
    const manager = new ConfigManager(store, defaults);
    await expect(manager.update({ maxConnections: "1000000" })).rejects.toMatchObject({ code: ResponseCode.NO_PERMISSION });
    expect((await manager.current()).maxConnections).toBe(LIMITS.maxConnections.default);
  });

  it("are read from NAMESRV_CONFIG_<key> variables by the server's loader; an unknown key is an error", async () => {
    const sources = { argv: [], home: "/h", readFile: async () => new Uint8Array() };
    const { config } = await loadNamesrvConfig({ ...sources, env: { NAMESRV_CONFIG_maxConnections: "42" } });
    expect(config.maxConnections).toBe(42);
    await expect(loadNamesrvConfig({ ...sources, env: { NAMESRV_CONFIG_maxConnectoins: "42" } })).rejects.toThrow(/NAMESRV_CONFIG_maxConnectoins/);
  });
});
