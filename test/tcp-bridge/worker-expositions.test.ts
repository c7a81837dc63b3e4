import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../edge/metrics/registry";
import { instanceExposition, mergeExpositions, withWorkerLabel } from "../../tcp-bridge/workers/worker-expositions";

/** A registry shaped like a bridge's: per-process series and a state gauge read from the store. */
function processRegistry(connections: number, routes: number): MetricsRegistry {
  const r = new MetricsRegistry();
  r.gauge("rocketmq_namesrv_up", "up", ["node_type"]).set(["namesrv"], 1);
  r.gauge("rocketmq_namesrv_active_connections", "connections").set([], connections);
  r.counter("rocketmq_rpc_calls_total", "calls", ["code"]).inc(["get_routeinfo_by_topic"], routes);
  r.histogram("rocketmq_rpc_latency", "latency", ["code"], [1, 10]).observe(["x"], 5);
  r.gauge("rocketmq_namesrv_active_brokers", "brokers").set([], 3);
  return r;
}

/** The samples of `name` as label text → value. */
function samples(text: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (m) out[m[1] ?? ""] = Number(m[2]);
  }
  return out;
}

describe("the workers' merged exposition", () => {
  it("puts a worker label first on every sample, with or without labels of its own", () => {
    expect(withWorkerLabel("a 1", 2)).toBe('a{worker="2"} 1');
    expect(withWorkerLabel('a{b="}{"} 1', 0)).toBe('a{worker="0",b="}{"} 1');
    expect(withWorkerLabel("a{} 1", 1)).toBe('a{worker="1"} 1');
  });

  it("keeps each family together, labels per-process series by worker, and takes shared-state series from the primary", async () => {
    const primary = await processRegistry(2, 10).expose();
    const worker = await processRegistry(5, 7).expose();
    const text = mergeExpositions([{ index: 0, text: primary }, { index: 1, text: worker }], 2);

    expect(samples(text, "rocketmq_namesrv_active_connections")).toEqual({ '{worker="0"}': 2, '{worker="1"}': 5 });
    expect(samples(text, "rocketmq_rpc_calls_total")).toEqual({
      '{worker="0",code="get_routeinfo_by_topic"}': 10,
      '{worker="1",code="get_routeinfo_by_topic"}': 7,
    });
    expect(samples(text, "rocketmq_rpc_latency_count")).toEqual({ '{worker="0",code="x"}': 1, '{worker="1",code="x"}': 1 });
    // one copy of what every process reads from the same store, so sum() and count() stay right
    expect(samples(text, "rocketmq_namesrv_active_brokers")).toEqual({ "": 3 });
    expect(samples(text, "rocketmq_namesrv_up")).toEqual({ '{node_type="namesrv"}': 1 });
    expect(samples(text, "rocketmq_namesrv_workers")).toEqual({ "": 2 });
    expect(samples(text, "rocketmq_namesrv_workers_answering")).toEqual({ "": 2 });
    // each family's HELP and TYPE once, its samples right after them
    const typeLines = text.split("\n").filter((l) => l.startsWith("# TYPE "));
    expect(new Set(typeLines).size).toBe(typeLines.length);
    const lines = text.split("\n");
    const first = lines.findIndex((l) => l.startsWith("rocketmq_namesrv_active_connections{"));
    expect(lines[first - 1]).toBe("# TYPE rocketmq_namesrv_active_connections gauge");
    expect(lines[first + 1]).toMatch(/^rocketmq_namesrv_active_connections\{worker="1"\}/);
  });

  it("leaves out a worker that does not answer, and says so in the answering gauge", async () => {
    const source = instanceExposition(processRegistry(1, 1), () => ({ expositions: async () => [] }), 3);
    const text = await source.expose();
    expect(samples(text, "rocketmq_namesrv_workers")).toEqual({ "": 3 });
    expect(samples(text, "rocketmq_namesrv_workers_answering")).toEqual({ "": 1 });
    expect(samples(text, "rocketmq_namesrv_active_connections")).toEqual({ '{worker="0"}': 1 });
  });
});
