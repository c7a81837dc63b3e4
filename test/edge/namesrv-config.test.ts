import { describe, expect, it } from "vitest";
import {
  applyConfigEntries,
  ConfigError,
  configBlackList,
  configToProperties,
  defaultNamesrvConfig,
} from "../../edge/config/namesrv-config";

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
    expect([...list].sort()).toEqual(["configBlackList", "configStorePath", "kvConfigPath", "listenPort", "rocketmqHome"]);
  });

  it("dumps every set property as text", () => {
    const props = configToProperties(defaults, { extraKey: "v" });
    expect(props.listenPort).toBe("9876");
    expect(props.enableTopicList).toBe("true");
    expect(props.extraKey).toBe("v");
    expect("rocketmqHome" in props).toBe(false);
  });
});
