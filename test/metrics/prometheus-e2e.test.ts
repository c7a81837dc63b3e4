/**
 * GET /metrics of the Bun server as a real Prometheus sees it: a broker registers over remoting,
 * Prometheus scrapes the HTTP port, and its query API answers the NameServer's series; promtool
 * lints a real scrape.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerRequest } from "../support/broker-registration";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { promToolMissingMessage, startPrometheus, type PrometheusServer } from "../support/prometheus-server";
import { RemotingTestClient } from "../support/remoting-client";
import { waitFor } from "../support/wait-for";

let namesrv: NamesrvProcess;
let prometheus: PrometheusServer | null = null;
let broker: RemotingTestClient | null = null;

beforeAll(async () => {
  namesrv = await startNamesrv();
  broker = await RemotingTestClient.connect(namesrv.port);
  expect((await broker.request(103, registerRequest())).code).toBe(0);
  expect((await broker.request(105, { extFields: { topic: "TopicTest" } })).code).toBe(0);
});

afterAll(async () => {
  broker?.close();
  await prometheus?.stop();
  await namesrv?.stop();
});

describe("GET /metrics scraped by Prometheus", () => {
  it("passes promtool check metrics", async () => {
    const missing = promToolMissingMessage("promtool");
    if (missing) throw new Error(missing);
    const scrape = await (await namesrv.http("/metrics")).text();
    const lint = spawnSync("promtool", ["check", "metrics"], { input: scrape, encoding: "utf8" });
    expect(lint.stdout + lint.stderr).toBe("");
    expect(lint.status).toBe(0);
  });

  it("has the NameServer up, the registration's latency and one live broker in Prometheus' query API", async () => {
    prometheus = await startPrometheus([`127.0.0.1:${namesrv.httpPort}`]);
    const p = prometheus;
    const value = async (expression: string) => {
      const result = await p.query(expression);
      return result.length === 1 ? Number(result[0].value[1]) : null;
    };
    await waitFor(async () => (await value("up")) === 1, "Prometheus to scrape the NameServer", 30_000, 250);
    expect(await value("rocketmq_namesrv_up")).toBe(1);
    expect(await value('rocketmq_rpc_latency_count{request_code="register_broker",response_code="success",transport="remoting"}')).toBe(1);
    expect(await value("rocketmq_namesrv_active_brokers")).toBe(1);
    expect(await value('rocketmq_namesrv_broker_registrations_total{kind="full"}')).toBe(1);
    const routes = await p.query('rocketmq_rpc_latency_bucket{request_code="get_routeinfo_by_topic",le="+Inf"}');
    expect(routes.map((r) => r.metric.response_code)).toEqual(["success"]);
  });
});
