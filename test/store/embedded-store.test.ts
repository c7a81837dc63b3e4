import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import {
  KVConfigFileError,
  parseKVConfig,
  saveKVConfigFile,
  serializeKVConfig,
} from "../../edge/store/kv-config-file";
import type { Store } from "../../edge/store/store";
import { describeStoreConformance, reg } from "./store-conformance";

/** The example file of PROTOCOL §6, as the Java NameServer writes it. */
const JAVA_KV_CONFIG =
  '{"configTable":{"ORDER_TOPIC_CONFIG":{"TopicOrder":"broker-a:4"},"EMPTY_NS":{}}}';

describeStoreConformance("EmbeddedStore (memory)", async () => new EmbeddedStore({ kvConfigPath: null }));

const storeDirs = new WeakMap<Store, string>();
describeStoreConformance(
  "EmbeddedStore (kvConfig file)",
  async () => {
    const dir = await mkdtemp(join(tmpdir(), "edge-namesrv-store-"));
    const store = await EmbeddedStore.open({ kvConfigPath: join(dir, "namesrv", "kvConfig.json") });
    storeDirs.set(store, dir);
    return store;
  },
  {
    cleanup: async (store) => {
      const dir = storeDirs.get(store);
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  },
);

describe("EmbeddedStore kvConfig.json", () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "edge-namesrv-kv-"));
    path = join(dir, "kvConfig.json");
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads a Java-written file unchanged", async () => {
    await writeFile(path, JAVA_KV_CONFIG);
    const store = await EmbeddedStore.open({ kvConfigPath: path });
    expect(await store.getKVConfig("ORDER_TOPIC_CONFIG", "TopicOrder")).toBe("broker-a:4");
    expect(await store.getKVListByNamespace("ORDER_TOPIC_CONFIG")).toEqual({ TopicOrder: "broker-a:4" });
    expect(await store.getKVListByNamespace("EMPTY_NS")).toEqual({});
    expect(await store.getKVListByNamespace("NEVER")).toBeNull();
    // loading does not rewrite the file
    expect(await readFile(path, "utf8")).toBe(JAVA_KV_CONFIG);
    // and the synchronous constructor reads the same
    const sync = new EmbeddedStore({ kvConfigPath: path });
    expect(await sync.getKVListByNamespace("EMPTY_NS")).toEqual({});
    expect(await sync.getKVConfig("ORDER_TOPIC_CONFIG", "TopicOrder")).toBe("broker-a:4");
  });

  it("serialises to the same shape it parses", () => {
    expect(serializeKVConfig(parseKVConfig(JAVA_KV_CONFIG))).toBe(JAVA_KV_CONFIG);
  });

  it("a missing file is an empty table and is not created by reads", async () => {
    const store = await EmbeddedStore.open({ kvConfigPath: path });
    expect(await store.getKVListByNamespace("ORDER_TOPIC_CONFIG")).toBeNull();
    expect(await readdir(dir)).toEqual([]);
  });

  it("a blank file is an empty table", async () => {
    await writeFile(path, "  \n");
    const store = await EmbeddedStore.open({ kvConfigPath: path });
    expect(await store.getKVListByNamespace("ORDER_TOPIC_CONFIG")).toBeNull();
  });

  it("invalid JSON fails open and the constructor with a clear message", async () => {
    await writeFile(path, '{"configTable":{"ns":');
    await expect(EmbeddedStore.open({ kvConfigPath: path })).rejects.toThrow(/invalid JSON in .*kvConfig\.json/);
    expect(() => new EmbeddedStore({ kvConfigPath: path })).toThrow(KVConfigFileError);
  });

  it("a file of the wrong shape fails open", async () => {
    await writeFile(path, '{"configTable":[1,2]}');
    await expect(EmbeddedStore.open({ kvConfigPath: path })).rejects.toThrow(/configTable/);
    await writeFile(path, '{"configTable":{"ns":{"k":{"nested":1}}}}');
    await expect(EmbeddedStore.open({ kvConfigPath: path })).rejects.toThrow(/"ns"\/"k"/);
    await writeFile(path, "[]");
    await expect(EmbeddedStore.open({ kvConfigPath: path })).rejects.toThrow(KVConfigFileError);
  });

  it("a put writes the Java shape, creating parent directories, and reloads", async () => {
    const nested = join(dir, "a", "b", "kvConfig.json");
    const store = await EmbeddedStore.open({ kvConfigPath: nested });
    await store.putKVConfig("ORDER_TOPIC_CONFIG", "TopicOrder", "broker-a:4;broker-b:4");
    await store.putKVConfig("EMPTY_NS", "k", "v");
    await store.deleteKVConfig("EMPTY_NS", "k");
    const text = await readFile(nested, "utf8");
    expect(JSON.parse(text)).toEqual({
      configTable: { ORDER_TOPIC_CONFIG: { TopicOrder: "broker-a:4;broker-b:4" }, EMPTY_NS: {} },
    });
    expect(text).not.toMatch(/\s/);
    const reloaded = await EmbeddedStore.open({ kvConfigPath: nested });
    expect(await reloaded.getKVListByNamespace("ORDER_TOPIC_CONFIG")).toEqual({
      TopicOrder: "broker-a:4;broker-b:4",
    });
    expect(await reloaded.getKVListByNamespace("EMPTY_NS")).toEqual({});
  });

  it("a delete of a missing key still persists", async () => {
    const store = await EmbeddedStore.open({ kvConfigPath: path });
    await store.deleteKVConfig("ns", "missing");
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ configTable: {} });
  });

  it("keeps the Java file's other namespaces when it writes", async () => {
    await writeFile(path, JAVA_KV_CONFIG);
    const store = await EmbeddedStore.open({ kvConfigPath: path });
    await store.putKVConfig("ORDER_TOPIC_CONFIG", "Other", "broker-b:8");
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      configTable: { ORDER_TOPIC_CONFIG: { TopicOrder: "broker-a:4", Other: "broker-b:8" }, EMPTY_NS: {} },
    });
  });

  it("a write that fails rejects and leaves the table unchanged (parent is a file)", async () => {
    const blocker = join(dir, "blocker");
    await writeFile(blocker, "not a directory");
    const store = new EmbeddedStore({
      kvConfigPath: join(blocker, "kvConfig.json"),
      initialKVTable: new Map([["ns", new Map([["k", "old"]])]]),
    });
    await expect(store.putKVConfig("ns", "k", "new")).rejects.toThrow(KVConfigFileError);
    await expect(store.putKVConfig("ns2", "k", "v")).rejects.toThrow(/cannot write kvConfig file/);
    await expect(store.deleteKVConfig("ns", "k")).rejects.toThrow(KVConfigFileError);
    expect(await store.getKVConfig("ns", "k")).toBe("old");
    expect(await store.getKVListByNamespace("ns")).toEqual({ k: "old" });
    expect(await store.getKVListByNamespace("ns2")).toBeNull();
    await store.close();
  });

  it("a write that fails (target is a directory) leaves no temp file and later writes still work", async () => {
    const target = join(dir, "kv");
    await mkdir(target);
    const store = await EmbeddedStore.open({ kvConfigPath: join(dir, "other.json") });
    const broken = new EmbeddedStore({ kvConfigPath: target, initialKVTable: new Map() });
    await expect(broken.putKVConfig("ns", "k", "v")).rejects.toThrow(KVConfigFileError);
    expect(await broken.getKVListByNamespace("ns")).toBeNull();
    expect((await readdir(dir)).sort()).toEqual(["kv"]);
    // the queue is not poisoned by a failure
    await store.putKVConfig("ns", "k", "v");
    expect(await store.getKVConfig("ns", "k")).toBe("v");
  });

  it("a failed write does not block the next one on the same store", async () => {
    const blocker = join(dir, "blocker");
    await writeFile(blocker, "x");
    const store = new EmbeddedStore({ kvConfigPath: join(blocker, "kvConfig.json"), initialKVTable: new Map() });
    const first = store.putKVConfig("ns", "a", "1");
    await rm(blocker);
    await expect(first).rejects.toThrow(KVConfigFileError);
    await store.putKVConfig("ns", "b", "2");
    expect(await store.getKVListByNamespace("ns")).toEqual({ b: "2" });
    expect(JSON.parse(await readFile(join(blocker, "kvConfig.json"), "utf8"))).toEqual({
      configTable: { ns: { b: "2" } },
    });
  });

  it("writes are atomic: only the target file is left, and concurrent puts all persist", async () => {
    const store = await EmbeddedStore.open({ kvConfigPath: path });
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.putKVConfig("ns", `k${i}`, `v${i}`)));
    await store.deleteKVConfig("ns", "k0");
    await store.close();
    expect(await readdir(dir)).toEqual(["kvConfig.json"]);
    const reloaded = await EmbeddedStore.open({ kvConfigPath: path });
    const list = await reloaded.getKVListByNamespace("ns");
    expect(Object.keys(list ?? {})).toHaveLength(24);
    expect(list?.k24).toBe("v24");
    expect(list?.k0).toBeUndefined();
  });

  it("saveKVConfigFile replaces existing content", async () => {
    await writeFile(path, JAVA_KV_CONFIG);
    await saveKVConfigFile(path, new Map([["x", new Map([["y", "z"]])]]));
    expect(await readFile(path, "utf8")).toBe('{"configTable":{"x":{"y":"z"}}}');
    expect(await readdir(dir)).toEqual(["kvConfig.json"]);
  });

  it("route state is not persisted", async () => {
    const store = await EmbeddedStore.open({ kvConfigPath: path });
    await store.registerBroker(reg());
    expect(await store.getAllTopics()).toHaveLength(2);
    expect(await readdir(dir)).toEqual([]);
    const reopened = await EmbeddedStore.open({ kvConfigPath: path });
    expect(await reopened.getAllTopics()).toEqual([]);
  });
});

describe("EmbeddedStore internals", () => {
  it("a topic whose brokers have no BrokerData has no route (PROTOCOL §4.6 step 3)", async () => {
    // not reachable through the Store interface; checked white-box
    const store = new EmbeddedStore({ kvConfigPath: null, clock: () => reg().now });
    await store.registerBroker(reg());
    expect(await store.getTopicRoute("TopicA")).not.toBeNull();
    const internals = store as unknown as { tables: { brokerAddrTable: Map<string, unknown> } };
    internals.tables.brokerAddrTable.delete("broker-a");
    expect(await store.getTopicRoute("TopicA")).toBeNull();
    expect(await store.getAllTopics()).toHaveLength(2);
  });
});
