import { describe, expect, it } from "vitest";
import { selectStore, StoreSelectionError } from "../../edge/store/store-selection";

describe("store selection from the environment", () => {
  it("nothing set: the embedded store", () => {
    expect(selectStore({})).toEqual({ kind: "embedded" });
  });

  it("REDIS_URL: one Redis, replicated writes wait for 1 replica for up to 1000 ms by default", () => {
    expect(selectStore({ REDIS_URL: "rediss://u:p@h:6380/0" })).toEqual({
      kind: "redis-resp",
      url: "rediss://u:p@h:6380/0",
      prefix: "rmq",
      replicaAck: { replicas: 1, timeoutMs: 1000 },
      timeoutMs: 2000,
    });
  });

  it("REDIS_CLUSTER_NODES: seed nodes (IPv6 in brackets), ACL user, password and TLS", () => {
    expect(
      selectStore({
        REDIS_CLUSTER_NODES: "10.0.0.1:7000, [::1]:7001,redis-2.svc:7002",
        REDIS_USERNAME: "namesrv",
        REDIS_PASSWORD: "secret",
        REDIS_TLS: "true",
        REDIS_TLS_CA_FILE: "/etc/ca.pem",
        REDIS_WAIT_REPLICAS: "2",
        REDIS_WAIT_TIMEOUT_MS: "500",
        NAMESRV_REDIS_PREFIX: "prod",
      }),
    ).toEqual({
      kind: "redis-cluster",
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "::1", port: 7001 },
        { host: "redis-2.svc", port: 7002 },
      ],
      prefix: "prod",
      connection: { username: "namesrv", password: "secret", tls: true, tlsCaFile: "/etc/ca.pem" },
      replicaAck: { replicas: 2, timeoutMs: 500 },
      timeoutMs: 2000,
    });
  });

  it("REDIS_SENTINELS needs REDIS_SENTINEL_MASTER; REDIS_SENTINEL_PASSWORD is the sentinels' own", () => {
    expect(() => selectStore({ REDIS_SENTINELS: "127.0.0.1:26379" })).toThrow(/REDIS_SENTINEL_MASTER/);
    expect(() => selectStore({ REDIS_SENTINEL_MASTER: "mymaster" })).toThrow(/needs REDIS_SENTINELS/);
    expect(selectStore({ REDIS_SENTINELS: "127.0.0.1:26379,127.0.0.1:26380", REDIS_SENTINEL_MASTER: "mymaster", REDIS_SENTINEL_PASSWORD: "s" })).toMatchObject({
      kind: "redis-sentinel",
      sentinels: [
        { host: "127.0.0.1", port: 26379 },
        { host: "127.0.0.1", port: 26380 },
      ],
      masterName: "mymaster",
      sentinelPassword: "s",
      connection: { username: null, password: null, tls: false, tlsCaFile: null },
    });
  });

  it("refuses two kinds of Redis at once, bad addresses and out-of-range waits", () => {
    const bad: Record<string, string>[] = [
      { REDIS_URL: "redis://h:1", REDIS_CLUSTER_NODES: "h:2" },
      { REDIS_CLUSTER_NODES: "h:2", REDIS_SENTINELS: "h:3", REDIS_SENTINEL_MASTER: "m" },
      { REDIS_CLUSTER_NODES: "h" },
      { REDIS_CLUSTER_NODES: "h:0" },
      { REDIS_CLUSTER_NODES: "h:70000" },
      { REDIS_CLUSTER_NODES: " , " },
      { REDIS_CLUSTER_NODES: "h:1", REDIS_TLS: "yes" },
      { REDIS_URL: "redis://h:1", REDIS_WAIT_REPLICAS: "-1" },
      { REDIS_URL: "redis://h:1", REDIS_WAIT_REPLICAS: "17" },
      { REDIS_URL: "redis://h:1", REDIS_WAIT_TIMEOUT_MS: "0" },
      { REDIS_URL: "http://h:1" },
      { REDIS_URL: "redis://h:1", REDIS_TIMEOUT_MS: "50" },
    ];
    for (const env of bad) expect(() => selectStore(env), JSON.stringify(env)).toThrow(StoreSelectionError);
  });

  it("REDIS_TIMEOUT_MS bounds each call", () => {
    expect(selectStore({ REDIS_SENTINELS: "h:1", REDIS_SENTINEL_MASTER: "m", REDIS_TIMEOUT_MS: "2500" })).toMatchObject({ timeoutMs: 2500 });
  });

  it("REDIS_WAIT_REPLICAS=0 turns acknowledgement by replicas off", () => {
    expect(selectStore({ REDIS_URL: "redis://h:1", REDIS_WAIT_REPLICAS: "0" })).toMatchObject({ replicaAck: { replicas: 0 } });
  });
});
