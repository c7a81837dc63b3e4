/**
 * The NameServer's series in process, on the embedded store: what each kind of call adds, what is
 * read from the store at scrape time, and that a failing store leaves GET /metrics answering.
 */
import { describe, expect, it } from "vitest";
import { defaultNamesrvConfig, type NamesrvConfig } from "../../edge/config/namesrv-config";
import { createApp } from "../../edge/http/app";
import { NamesrvMetrics } from "../../edge/metrics/namesrv-metrics";
import { createNamesrv } from "../../edge/namesrv";
import { INTERNAL_CALL, type CallInfo } from "../../edge/port/call";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import type { Store } from "../../edge/store/store";
import { silentLogger } from "../../shared/logger";
import { registrationInput } from "../support/http-api";

const REMOTING: CallInfo = { transport: "remoting", peer: "127.0.0.1:5000", principal: null, connection: "c-1" };
const HTTP: CallInfo = { transport: "http", peer: "127.0.0.1:5001", principal: null, connection: null };

function assemble(overrides: Partial<NamesrvConfig> = {}, store: Store = new EmbeddedStore({ kvConfigPath: null })) {
  let now = Date.now();
  const metrics = new NamesrvMetrics();
  const config = { ...defaultNamesrvConfig("/tmp/namesrv-metrics-test"), ...overrides };
  const namesrv = createNamesrv(store, config, { log: silentLogger, metrics, clock: () => now });
  const app = createApp(namesrv.port, { config: namesrv.services.config, metrics: metrics.registry });
  const scrape = async () => {
    const response = await app.request("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    return response.text();
  };
  return { metrics, namesrv, app, scrape, advance: (ms: number) => (now += ms) };
}

describe("NameServer metrics", () => {
  it("times client calls in rocketmq_rpc_latency by Java's code names and transport, leaving out the process's own calls", async () => {
    const { namesrv, scrape } = assemble();
    await namesrv.port.registerBroker(registrationInput(), REMOTING);
    await expect(namesrv.port.getRouteInfoByTopic({ topic: "Nope", zoneName: null, dialect: "standard" }, HTTP)).rejects.toMatchObject({ code: 17 });
    await namesrv.port.getBrokerClusterInfo({}, INTERNAL_CALL);
    const text = await scrape();
    expect(text).toContain('rocketmq_rpc_latency_count{request_code="register_broker",response_code="success",transport="remoting"} 1\n');
    expect(text).toContain('rocketmq_rpc_latency_count{request_code="get_routeinfo_by_topic",response_code="topic_not_exist",transport="http"} 1\n');
    expect(text).not.toContain("get_broker_cluster_info");
    expect(text).toContain('rocketmq_rpc_latency_bucket{request_code="register_broker",response_code="success",transport="remoting",le="3000"} 1\n');
    expect(text).toContain('rocketmq_namesrv_up{node_type="namesrv"} 1\n');
  });

  it("counts full and unchanged registrations, and reads brokers, groups, clusters and topics from the store", async () => {
    const { namesrv, scrape } = assemble({ metricsStateCacheMillis: 0 });
    await namesrv.port.registerBroker(registrationInput({ bodyDigest: "d1" }), REMOTING);
    await namesrv.port.registerBroker(registrationInput({ bodyDigest: "d1" }), REMOTING);
    await namesrv.port.registerBroker(registrationInput({ bodyDigest: "d2", brokerName: "broker-b", brokerAddr: "127.0.0.1:10921", clusterName: "Other" }), REMOTING);
    const text = await scrape();
    expect(text).toContain('rocketmq_namesrv_broker_registrations_total{kind="full"} 2\n');
    expect(text).toContain('rocketmq_namesrv_broker_registrations_total{kind="unchanged"} 1\n');
    expect(text).toContain("rocketmq_namesrv_active_brokers 2\n");
    expect(text).toContain("rocketmq_namesrv_broker_groups 2\n");
    expect(text).toContain("rocketmq_namesrv_clusters 2\n");
    expect(text).toMatch(/rocketmq_namesrv_topics [1-9]\d*\n/);
    expect(text).toContain("rocketmq_namesrv_state_readable 1\n");
    expect(text).toContain('rocketmq_namesrv_store_latency_count{operation="registerBroker"} 2\n');
  });

  it("counts liveness sweeps, brokers expired and brokers unregistered when their connection closed", async () => {
    const { namesrv, scrape, advance } = assemble();
    await namesrv.port.registerBroker(registrationInput({ channel: "c-1" }), REMOTING);
    await namesrv.port.registerBroker(registrationInput({ channel: "c-2", brokerName: "broker-b", brokerAddr: "127.0.0.1:10921" }), REMOTING);
    await namesrv.port.closeChannel({ channel: "c-1" }, INTERNAL_CALL);
    await namesrv.port.scanNotActiveBroker({}, INTERNAL_CALL);
    advance(10 * 60_000);
    await namesrv.port.scanNotActiveBroker({}, INTERNAL_CALL);
    const text = await scrape();
    expect(text).toContain("rocketmq_namesrv_brokers_unregistered_on_close_total 1\n");
    expect(text).toContain("rocketmq_namesrv_expiry_sweeps_total 2\n");
    expect(text).toContain("rocketmq_namesrv_brokers_expired_total 1\n");
  });

  it("counts route cache hits and misses", async () => {
    const { namesrv, scrape } = assemble();
    await namesrv.services.routes.registerBroker(registrationInput());
    await namesrv.services.routes.getEncodedRoute("TopicTest", null, "standard");
    await namesrv.services.routes.getEncodedRoute("TopicTest", null, "standard");
    await namesrv.services.routes.getEncodedRoute("TopicTest", null, "legacy");
    const text = await scrape();
    expect(text).toContain('rocketmq_namesrv_route_cache_events_total{result="miss"} 1\n');
    expect(text).toContain('rocketmq_namesrv_route_cache_events_total{result="hit"} 2\n');
    expect(text).toContain("rocketmq_namesrv_route_cache_entries 1\n");
  });

  it("counts calls refused by authentication, by stage", async () => {
    const { namesrv, scrape } = assemble({
      authenticationEnabled: true,
      initAuthenticationUser: JSON.stringify({ username: "admin", password: "admin-secret-1" }),
    });
    await namesrv.ready;
    await expect(namesrv.port.putKVConfig({ namespace: "n", key: "k", value: "v" }, HTTP)).rejects.toMatchObject({ code: 16 });
    const text = await scrape();
    expect(text).toContain('rocketmq_namesrv_access_denied_total{stage="authentication"} 1\n');
    expect(text).toContain('rocketmq_rpc_latency_count{request_code="put_kv_config",response_code="no_permission",transport="http"} 1\n');
  });

  it("reads the state once per metricsStateCacheMillis, and answers with the state marked unreadable when the store fails", async () => {
    const inner = new EmbeddedStore({ kvConfigPath: null });
    let reads = 0;
    let failing = false;
    const store = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === "getClusterInfo") {
          return async () => {
            reads++;
            if (failing) throw new Error("store unreachable");
            return target.getClusterInfo();
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const { scrape } = assemble({ metricsStateCacheMillis: 60_000 }, store);
    await scrape();
    await scrape();
    expect(reads).toBe(1);
    const { scrape: uncached } = assemble({ metricsStateCacheMillis: 0 }, store);
    failing = true;
    const text = await uncached();
    expect(text).toContain("rocketmq_namesrv_state_readable 0\n");
    expect(text).toContain('rocketmq_namesrv_store_errors_total{operation="getClusterInfo"} 1\n');
    expect(text).toContain('rocketmq_namesrv_up{node_type="namesrv"} 1\n');
  });
});
