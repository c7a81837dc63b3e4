/**
 * The Prometheus alert rules and the Grafana dashboard in ops/: promtool validates and unit-tests
 * the rules, every expression of the dashboard parses as PromQL, and every series either names is
 * one the NameServer exposes (a renamed metric must not leave a dashboard or an alert silent).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { NamesrvMetrics } from "../../edge/metrics/namesrv-metrics";
import { startProcessMetrics } from "../../tcp-bridge/process-metrics";
import { promToolMissingMessage } from "../support/prometheus-server";

const ROOT = resolve(__dirname, "../..");
const ALERTS = join(ROOT, "ops/prometheus/alerts.yml");
const DASHBOARD = join(ROOT, "ops/grafana/rocketmq-namesrv-dashboard.json");

function promtool(...args: string[]) {
  const missing = promToolMissingMessage("promtool");
  if (missing) throw new Error(missing);
  const run = spawnSync("promtool", args, { encoding: "utf8", cwd: join(ROOT, "ops/prometheus") });
  return { status: run.status, output: run.stdout + run.stderr };
}

/** The families the Bun server exposes, from its registry. */
async function exposedFamilies(): Promise<Set<string>> {
  const metrics = new NamesrvMetrics();
  const process = startProcessMetrics(metrics.registry);
  process.stop();
  const text = await metrics.registry.expose();
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
}

/** Metric names in PromQL `expression` (the NameServer's and the process's), as families. */
function familiesIn(expression: string): string[] {
  return [...expression.matchAll(/\b((?:rocketmq|process)_[a-z_]+)/g)].map((m) => m[1].replace(/_(bucket|count|sum)$/, ""));
}

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { uid: string; title: string; panels: Panel[]; templating: { list: Array<{ query: { query: string } }> } };
const dashboardExpressions = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

describe("ops/prometheus/alerts.yml", () => {
  it("passes promtool check rules", () => {
    const run = promtool("check", "rules", "alerts.yml");
    expect(run.output).toContain("SUCCESS");
    expect(run.status).toBe(0);
  });

  it("passes its unit tests (promtool test rules alerts.test.yml)", () => {
    const run = promtool("test", "rules", "alerts.test.yml");
    expect(run.output).toContain("SUCCESS");
    expect(run.status).toBe(0);
  });

  it("names only series the NameServer exposes (or Prometheus' up)", async () => {
    const exposed = await exposedFamilies();
    const expressions = [...readFileSync(ALERTS, "utf8").matchAll(/expr: (>\n(?:\s{10}.*\n)+|.*)/g)].map((m) => m[1]);
    expect(expressions.length).toBe(11);
    for (const expr of expressions) for (const family of familiesIn(expr)) expect(exposed, expr).toContain(family);
  });
});

describe("ops/grafana/rocketmq-namesrv-dashboard.json", () => {
  it("has panels for requests, latency, brokers, registrations, expiries, errors and Redis latency", () => {
    expect(dashboard.uid).toBe("edge-namesrv");
    const all = dashboardExpressions.map((e) => e.expr).join("\n");
    for (const needed of [
      "rocketmq_rpc_latency_count",
      "rocketmq_rpc_latency_bucket",
      "rocketmq_namesrv_active_brokers",
      "rocketmq_namesrv_topics",
      "rocketmq_namesrv_broker_registrations_total",
      "rocketmq_namesrv_brokers_expired_total",
      "rocketmq_namesrv_store_latency_bucket",
      "rocketmq_namesrv_store_errors_total",
    ]) {
      expect(all).toContain(needed);
    }
  });

  it("names only series the NameServer exposes", async () => {
    const exposed = await exposedFamilies();
    for (const { panel, expr } of dashboardExpressions) {
      for (const family of familiesIn(expr)) expect(exposed, `${panel}: ${expr}`).toContain(family);
    }
  });

  it("has expressions that parse as PromQL (checked by promtool as recording rules, Grafana's variables filled in)", () => {
    const dir = mkdtempSync(join(tmpdir(), "dashboard-rules-"));
    try {
      const fill = (expr: string) => expr.replaceAll("$__rate_interval", "5m").replaceAll("$job", ".*").replaceAll("$instance", ".*");
      const rules = dashboardExpressions.map((e, i) => `      - record: dashboard:expr_${i}\n        expr: ${JSON.stringify(fill(e.expr))}`);
      writeFileSync(join(dir, "rules.yml"), `groups:\n  - name: dashboard\n    rules:\n${rules.join("\n")}\n`);
      const run = promtool("check", "rules", join(dir, "rules.yml"));
      expect(run.output).toContain(`SUCCESS: ${dashboardExpressions.length} rules found`);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
