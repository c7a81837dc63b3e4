import { describe, expect, it } from "vitest";
import { MetricsRegistry, formatValue } from "../../edge/metrics/registry";

describe("metrics registry and its text exposition", () => {
  it("writes HELP and TYPE, then one line per label set, with escaped help and label values", async () => {
    const r = new MetricsRegistry();
    const c = r.counter("x_events_total", "Events\\seen\nso far", ["kind"]);
    c.inc(["a"]);
    c.inc(["a"], 2);
    c.inc(['q"u\\o\nte']);
    const g = r.gauge("x_level", "A level");
    g.set([], 2.5);
    expect(await r.expose()).toBe(
      [
        "# HELP x_events_total Events\\\\seen\\nso far",
        "# TYPE x_events_total counter",
        'x_events_total{kind="a"} 3',
        'x_events_total{kind="q\\"u\\\\o\\nte"} 1',
        "# HELP x_level A level",
        "# TYPE x_level gauge",
        "x_level 2.5",
        "",
      ].join("\n"),
    );
  });

  it("writes histograms with cumulative buckets, +Inf, sum and count; a value on a bound falls in that bucket", async () => {
    const r = new MetricsRegistry();
    const h = r.histogram("x_latency", "Latency", ["code"], [1, 10]);
    for (const v of [0.5, 1, 5, 50]) h.observe(["ok"], v);
    const text = await r.expose();
    expect(text).toContain('x_latency_bucket{code="ok",le="1"} 2\n');
    expect(text).toContain('x_latency_bucket{code="ok",le="10"} 3\n');
    expect(text).toContain('x_latency_bucket{code="ok",le="+Inf"} 4\n');
    expect(text).toContain('x_latency_sum{code="ok"} 56.5\n');
    expect(text).toContain('x_latency_count{code="ok"} 4\n');
  });

  it("refuses invalid names, a wrong number of label values, a counter going down and a name registered twice", () => {
    const r = new MetricsRegistry();
    expect(() => r.counter("bad-name", "x")).toThrow(/invalid metric name/);
    expect(() => r.gauge("ok_name", "x", ["le"])).toThrow(/invalid label/);
    const c = r.counter("c_total", "x", ["a"]);
    expect(() => c.inc([])).toThrow(/label values/);
    expect(() => c.inc(["v"], -1)).toThrow(/cannot go down/);
    expect(() => r.counter("c_total", "again")).toThrow(/twice/);
    expect(() => r.histogram("h", "x", [], [2, 1])).toThrow(/ascend/);
  });

  it("runs collectors before writing; a failing one is reported and the rest is still written", async () => {
    const r = new MetricsRegistry();
    const g = r.gauge("x_state", "State");
    const failures: unknown[] = [];
    r.onCollect(() => g.set([], 7));
    r.onCollect(async () => {
      throw new Error("store down");
    });
    const text = await r.expose((err) => failures.push(err));
    expect(text).toContain("x_state 7\n");
    expect(failures).toHaveLength(1);
  });

  it("formats special values as the text format names them", () => {
    expect([formatValue(Infinity), formatValue(-Infinity), formatValue(NaN), formatValue(1e-7)]).toEqual(["+Inf", "-Inf", "NaN", "1e-7"]);
  });
});
