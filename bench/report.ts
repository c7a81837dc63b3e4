/**
 * Report rendering for bench/run.ts: ratios ours/Java, targets from issue 4, Markdown and a
 * hand-written SVG chart (no dependency).
 */
import type { Figure } from "./run";

type ServerId = "ours-embedded" | "ours-redis" | "ours-redis-2workers" | "java" | "rust";

export interface Report {
  meta: Record<string, unknown> & { date: string; machine: string; mode: string; note?: string };
  servers: Record<string, { label: string; ran: boolean; reason?: string }>;
  figures: Figure[];
  extra: Record<ServerId, Record<string, unknown>>;
}

const ORDER: ServerId[] = ["ours-embedded", "ours-redis", "ours-redis-2workers", "java", "rust"];
const COLORS: Record<ServerId, string> = { "ours-embedded": "#2b7bb9", "ours-redis": "#7fb3dc", "ours-redis-2workers": "#4a90a4", java: "#d9822b", rust: "#6a9f3b" };
const SHORT: Record<ServerId, string> = { "ours-embedded": "ours/embedded", "ours-redis": "ours/Redis", "ours-redis-2workers": "ours/Redis ×2 workers", java: "Java 5.3.3", rust: "Rust" };

export interface Target {
  name: string;
  status: "met" | "missed" | "not measured";
  detail: string;
}

function fig(r: Report, workload: string, server: ServerId): Figure | undefined {
  return r.figures.find((f) => f.workload === workload && f.server === server && f.ok);
}

function workloads(r: Report): string[] {
  const seen: string[] = [];
  for (const f of r.figures) if (!seen.includes(f.workload)) seen.push(f.workload);
  return seen;
}

const fmt = (x: number | undefined, digits = 2) => (x === undefined || Number.isNaN(x) ? "–" : Number.isInteger(x) ? String(x) : x.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 || Number.isNaN(a) || Number.isNaN(b) ? undefined : a / b);
const x = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(2)}×`);

/** Ratios of each server to Java for every workload. */
export function ratios(r: Report): Record<string, Record<string, { throughput?: number; p99?: number; serverCpu?: number }>> {
  const out: Record<string, Record<string, { throughput?: number; p99?: number; serverCpu?: number }>> = {};
  for (const w of workloads(r)) {
    const j = fig(r, w, "java");
    out[w] = {};
    for (const s of ORDER) {
      if (s === "java") continue;
      const f = fig(r, w, s);
      if (!f || !j) continue;
      out[w][s] = { throughput: ratio(f.throughput, j.throughput), p99: ratio(f.p99, j.p99), serverCpu: ratio(f.serverCpuUsPerReq, j.serverCpuUsPerReq) };
    }
  }
  return out;
}

function get(o: unknown, ...path: (string | number)[]): any {
  let v: any = o;
  for (const p of path) v = v?.[p];
  return v;
}

export function targets(r: Report): Target[] {
  const out: Target[] = [];
  const routeW = workloads(r).filter((w) => w.startsWith("route ") && !w.includes("re-registration"));
  const eachRatio = (server: ServerId, key: "throughput" | "p99") =>
    routeW.map((w) => ({ w, v: ratio(fig(r, w, server)?.[key], fig(r, w, "java")?.[key]) })).filter((e) => e.v !== undefined) as { w: string; v: number }[];

  const tput = eachRatio("ours-embedded", "throughput");
  if (tput.length === 0) out.push({ name: "embedded: route throughput ≥ 2× Java (16 and 256 connections)", status: "not measured", detail: "" });
  else {
    const worst = tput.reduce((a, b) => (b.v < a.v ? b : a));
    const ok = worst.v >= 2;
    out.push({
      name: "embedded: route throughput ≥ 2× Java (16 and 256 connections)",
      status: ok ? "met" : "missed",
      detail: `worst ${worst.v.toFixed(2)}× (${worst.w}); ${ok ? "margin" : "short by"} ${Math.abs((worst.v / 2 - 1) * 100).toFixed(0)} % of the 2× goal; range ${Math.min(...tput.map((e) => e.v)).toFixed(2)}–${Math.max(...tput.map((e) => e.v)).toFixed(2)}×`,
    });
  }
  const p99 = eachRatio("ours-embedded", "p99");
  if (p99.length === 0) out.push({ name: "embedded: route p99 ≤ ½ Java's", status: "not measured", detail: "" });
  else {
    const worst = p99.reduce((a, b) => (b.v > a.v ? b : a));
    const ok = worst.v <= 0.5;
    out.push({
      name: "embedded: route p99 ≤ ½ Java's",
      status: ok ? "met" : "missed",
      detail: `worst ${worst.v.toFixed(2)}× Java's p99 (${worst.w}); goal 0.50×; range ${Math.min(...p99.map((e) => e.v)).toFixed(2)}–${Math.max(...p99.map((e) => e.v)).toFixed(2)}×`,
    });
  }
  const rt = eachRatio("ours-redis", "throughput");
  if (rt.length === 0) out.push({ name: "Redis: route throughput ≥ Java's", status: "not measured", detail: "" });
  else {
    const worst = rt.reduce((a, b) => (b.v < a.v ? b : a));
    out.push({
      name: "Redis: route throughput ≥ Java's",
      status: worst.v >= 1 ? "met" : "missed",
      detail: `worst ${worst.v.toFixed(2)}× (${worst.w}); range ${Math.min(...rt.map((e) => e.v)).toFixed(2)}–${Math.max(...rt.map((e) => e.v)).toFixed(2)}×`,
    });
  }
  const sizes = Object.keys(get(r.extra, "java", "regcost") ?? {}).filter((k) => /^\d+$/.test(k));
  const regRatios = sizes
    .map((n) => ({ n, v: ratio(get(r.extra, "ours-embedded", "regcost", n, "unchangedMs", "p50"), get(r.extra, "java", "regcost", n, "unchangedMs", "p50")) }))
    .filter((e) => e.v !== undefined) as { n: string; v: number }[];
  if (regRatios.length === 0) out.push({ name: "embedded: unchanged re-registration ≤ Java's cost", status: "not measured", detail: "" });
  else {
    const worst = regRatios.reduce((a, b) => (b.v > a.v ? b : a));
    out.push({
      name: "embedded: unchanged re-registration ≤ Java's cost",
      status: worst.v <= 1 ? "met" : "missed",
      detail: regRatios.map((e) => `${e.n} topics: ${e.v.toFixed(2)}× Java's p50 latency`).join("; "),
    });
  }
  const rssOf = (s: ServerId) => (get(r.extra, s, "footprint", "rss") as { label: string; rssKb: number }[] | undefined)?.reduce((a, b) => a + b.rssKb, 0);
  const rss = ratio(rssOf("ours-embedded"), rssOf("java"));
  const fpTopics = get(r.extra, "java", "footprint", "topics");
  out.push(
    rss === undefined
      ? { name: "embedded: resident memory ≤ ⅓ Java's (100,000 topics)", status: "not measured", detail: "" }
      : {
          name: "embedded: resident memory ≤ ⅓ Java's (100,000 topics)",
          status: rss <= 1 / 3 && fpTopics >= 100_000 ? "met" : "missed",
          detail: `${rss.toFixed(2)}× Java's RSS at ${fpTopics} topics (${Math.round(rssOf("ours-embedded")! / 1024)} vs ${Math.round(rssOf("java")! / 1024)} MiB); goal 0.33×${fpTopics < 100_000 ? " (smaller data set in this mode)" : ""}`,
        },
  );
  for (const s of ["ours-embedded", "ours-redis", "ours-redis-2workers"] as ServerId[]) {
    const d = get(r.extra, s, "failureClose", "detectMs");
    out.push(
      d === undefined
        ? { name: `${SHORT[s]}: removal from routes ≤ 100 ms after connection close`, status: "not measured", detail: "" }
        : {
            name: `${SHORT[s]}: removal from routes ≤ 100 ms after connection close`,
            status: d <= 100 && get(r.extra, s, "failureClose", "removed") ? "met" : "missed",
            detail: `${d} ms (Java: ${get(r.extra, "java", "failureClose", "detectMs") ?? "–"} ms)`,
          },
    );
  }
  return out;
}

// ---- SVG -----------------------------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderSvg(r: Report): string {
  const ws = workloads(r);
  const servers = ORDER.filter((s) => r.figures.some((f) => f.server === s));
  const barH = 9;
  const rowH = servers.length * barH + 14;
  const top = 60;
  const labelW = 330;
  const panelW = 300;
  const gap = 40;
  const width = labelW + 2 * panelW + gap + 60;
  const height = top + ws.length * rowH + 40;
  const maxT = Math.max(1, ...r.figures.filter((f) => f.ok).map((f) => f.throughput ?? 0));
  const maxP = Math.max(0.001, ...r.figures.filter((f) => f.ok).map((f) => f.p99 ?? 0));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(`<text x="10" y="18" font-size="14" font-weight="bold">${esc(`NameServer benchmark ${r.meta.date.slice(0, 10)} on ${r.meta.machine} (${r.meta.mode})`)}</text>`);
  parts.push(`<text x="${labelW}" y="44" font-weight="bold">route queries / s (higher is better)</text>`);
  parts.push(`<text x="${labelW + panelW + gap}" y="44" font-weight="bold">p99 latency, ms (lower is better)</text>`);
  let lx = 10;
  for (const s of servers) {
    parts.push(`<rect x="${lx}" y="28" width="10" height="10" fill="${COLORS[s]}"/><text x="${lx + 14}" y="37">${esc(SHORT[s])}</text>`);
    lx += 100;
  }
  ws.forEach((w, i) => {
    const y0 = top + i * rowH;
    parts.push(`<text x="10" y="${y0 + rowH / 2 + 2}">${esc(w)}</text>`);
    if (i > 0) parts.push(`<line x1="10" x2="${width - 10}" y1="${y0 - 3}" y2="${y0 - 3}" stroke="#eee"/>`);
    servers.forEach((s, k) => {
      const f = r.figures.find((g) => g.workload === w && g.server === s);
      const y = y0 + k * barH;
      if (!f || !f.ok) {
        parts.push(`<text x="${labelW}" y="${y + barH - 1}" font-size="9" fill="#b00">${f ? "failed" : "–"}</text>`);
        return;
      }
      const tw = ((f.throughput ?? 0) / maxT) * panelW;
      const pw = ((f.p99 ?? 0) / maxP) * panelW;
      parts.push(`<rect x="${labelW}" y="${y}" width="${tw.toFixed(1)}" height="${barH - 2}" fill="${COLORS[s]}"/>`);
      parts.push(`<text x="${(labelW + tw + 3).toFixed(1)}" y="${y + barH - 2}" font-size="8">${f.throughput}</text>`);
      parts.push(`<rect x="${labelW + panelW + gap}" y="${y}" width="${pw.toFixed(1)}" height="${barH - 2}" fill="${COLORS[s]}"/>`);
      parts.push(`<text x="${(labelW + panelW + gap + pw + 3).toFixed(1)}" y="${y + barH - 2}" font-size="8">${fmt(f.p99)}</text>`);
    });
  });
  parts.push(`</svg>`);
  return `${parts.join("\n")}\n`;
}

// ---- Markdown ------------------------------------------------------------------------------------

export function renderMarkdown(r: Report, svgName: string): string {
  const L: string[] = [];
  const m = r.meta as any;
  const ran = ORDER.filter((s) => r.servers[s]?.ran);
  L.push(`# NameServer benchmark — ${m.date.slice(0, 10)} — ${m.machine} (${m.mode} run)`);
  L.push("");
  L.push(`Command: \`npm run bench${m.mode === "default" ? "" : ` -- --${m.mode}`}\` · git ${m.git} · ${m.cpus}, ${m.memGiB} GiB · ${m.elapsedS} s`);
  L.push(`Load average at start ${m.loadavgStart.join(" / ")}, at end ${m.loadavgEnd.join(" / ")}. Bun ${m.versions.bun}; ${m.versions.java}; ${m.versions.redis}.`);
  if (m.note) L.push("", `> ${m.note}`);
  L.push("");
  L.push("All servers ran one at a time on this machine, under the same load from the same Java load generator");
  L.push("(RocketMQ 5.3.3 remoting client, every response decoded and checked). The load generator runs on the same");
  L.push("cores as the server, so absolute numbers are low and noisy; compare the **ratios**, computed within this run.");
  L.push("");
  L.push("## Servers");
  L.push("");
  L.push("| server | ran | note |");
  L.push("| --- | --- | --- |");
  for (const s of ORDER) {
    const info = r.servers[s];
    if (!info) continue;
    const startups = (get(r.extra, s, "startupMs") as number[] | undefined) ?? [];
    L.push(`| ${info.label} | ${info.ran ? "yes" : "no"} | ${info.ran ? `start-up to first answer: ${startups.join(", ")} ms` : info.reason ?? ""} |`);
  }
  L.push("");
  L.push("## Targets (issue 4)");
  L.push("");
  L.push("| target | status | detail |");
  L.push("| --- | --- | --- |");
  for (const t of targets(r)) L.push(`| ${t.name} | **${t.status}** | ${t.detail} |`);
  L.push("");
  L.push("## Headline ratios (ours ÷ Java, same run)");
  L.push("");
  const rat = ratios(r);
  const others = ORDER.filter((s) => s !== "java" && ran.includes(s));
  L.push(`| workload | ${others.map((s) => `${SHORT[s]} throughput`).join(" | ")} | ${others.map((s) => `${SHORT[s]} p99`).join(" | ")} | ${others.map((s) => `${SHORT[s]} server CPU/req`).join(" | ")} |`);
  L.push(`| --- |${others.map(() => " --- |").join("").repeat(3)}`);
  for (const w of workloads(r)) {
    const row = rat[w] ?? {};
    L.push(`| ${w} | ${others.map((s) => x(row[s]?.throughput)).join(" | ")} | ${others.map((s) => x(row[s]?.p99)).join(" | ")} | ${others.map((s) => x(row[s]?.serverCpu)).join(" | ")} |`);
  }
  L.push("");
  L.push(`![throughput and p99 per workload](${svgName})`);
  L.push("");
  L.push("## Route queries");
  L.push("");
  L.push("Throughput = validated answers per second in the measured window (after warm-up); latency in ms from send to");
  L.push("validated answer; CPU µs/req = CPU time of the server process(es) (for Redis: ours + redis-server; with NAMESRV_WORKERS, every bridge process) and of the");
  L.push("load generator, divided by all answers of the run.");
  L.push("");
  L.push("| workload | server | req/s | p50 | p99 | p99.9 | errors | server CPU µs/req | loadgen CPU µs/req |");
  L.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const w of workloads(r)) {
    for (const s of ran) {
      const f = r.figures.find((g) => g.workload === w && g.server === s);
      if (!f) continue;
      if (!f.ok) {
        L.push(`| ${w} | ${SHORT[s]} | failed | | | | ${f.errors ?? "–"} | | |`);
        continue;
      }
      L.push(`| ${w} | ${SHORT[s]} | ${f.throughput} | ${fmt(f.p50)} | ${fmt(f.p99)} | ${fmt(f.p999)} | ${f.errors} | ${fmt(f.serverCpuUsPerReq)} | ${fmt(f.clientCpuUsPerReq)} |`);
    }
  }
  L.push("");
  L.push("Failures (wrong or missing answers) in detail:");
  const failed = r.figures.filter((f) => !f.ok);
  L.push(failed.length === 0 ? "none — every answer of every server was a correct route." : failed.map((f) => `- ${SHORT[f.server as ServerId]} / ${f.workload}: ${f.error}`).join("\n"));
  L.push("");
  L.push("### Re-registration during route queries");
  L.push("");
  L.push("| server | re-registrations | topics per broker | body bytes | p50 ms | p99 ms | max ms | errors |");
  L.push("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const s of ran) {
    const f = r.figures.find((g) => g.group === "mixed" && g.server === s);
    const reg = get(f?.raw, "registration");
    if (!reg) continue;
    L.push(`| ${SHORT[s]} | ${reg.latencyMs.count} | ${reg.topicsPerBroker} | ${reg.bodyBytes} | ${reg.latencyMs.p50} | ${reg.latencyMs.p99} | ${reg.latencyMs.max} | ${reg.errors} |`);
  }
  L.push("");
  L.push("## Registration cost (one broker, REGISTER_BROKER round trip, ms)");
  L.push("");
  const sizes = Object.keys(get(r.extra, ran[0] ?? "java", "regcost") ?? {}).filter((k) => /^\d+$/.test(k));
  L.push("| server | topics | body bytes | first p50 | unchanged p50 | unchanged max | changed p50 | ratio unchanged ÷ Java |");
  L.push("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const s of ran) {
    for (const n of sizes) {
      const c = get(r.extra, s, "regcost", n);
      if (!c) continue;
      L.push(
        `| ${SHORT[s]} | ${n} | ${c.bodyBytes} | ${c.firstMs.p50} | ${c.unchangedMs.p50} | ${c.unchangedMs.max} | ${c.changedMs.p50} | ${x(ratio(c.unchangedMs.p50, get(r.extra, "java", "regcost", n, "unchangedMs", "p50")))} |`,
      );
    }
  }
  L.push("");
  const ch = get(r.meta, "params", "churn");
  L.push(`## Sustained re-registration (${ch?.brokers} brokers, each every ${ch?.periodMs} ms, ${ch?.topicsPerBroker} topics each, unchanged DataVersion, ${ch?.durationMs} ms)`);
  L.push("");
  L.push("| server | initial registration of all (ms) | re-registrations/s | p50 ms | p99 ms | max ms | errors | server CPU ms |");
  L.push("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const s of ran) {
    const c = get(r.extra, s, "churn");
    if (!c?.latencyMs) continue;
    L.push(`| ${SHORT[s]} | ${c.initialRegistrationMs} | ${c.ratePerSec} | ${c.latencyMs.p50} | ${c.latencyMs.p99} | ${c.latencyMs.max} | ${c.errors} | ${c.serverCpuMs} |`);
  }
  L.push("");
  L.push("## Footprint and start-up");
  L.push("");
  L.push("RSS = VmRSS from /proc/<pid>/status after registering the data set and 2 s of rest; HWM = peak RSS (VmHWM).");
  L.push("");
  L.push("| server | topics | brokers | registration of all (ms) | RSS MiB | peak MiB | RSS ÷ Java | RSS right after start MiB | start-up to first answer (ms) |");
  L.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  const rssSum = (s: ServerId) => (get(r.extra, s, "footprint", "rss") as { rssKb: number }[] | undefined)?.reduce((a, b) => a + b.rssKb, 0);
  for (const s of ran) {
    const fp = get(r.extra, s, "footprint");
    if (!fp) continue;
    const parts = (fp.rss as { label: string; rssKb: number; hwmKb: number }[]).map((p) => `${p.label} ${Math.round(p.rssKb / 1024)}`).join(" + ");
    const peaks = (fp.rss as { label: string; rssKb: number; hwmKb: number }[]).map((p) => Math.round(p.hwmKb / 1024)).join(" + ");
    const idle = (get(r.extra, s, "rssAfterStartKb") as { label: string; kb: number }[][] | undefined)?.[0]?.map((p) => Math.round(p.kb / 1024)).join(" + ");
    L.push(
      `| ${SHORT[s]} | ${fp.topics} | ${fp.brokers} | ${fp.setupMs}${fp.setupOk ? "" : " (failed)"} | ${parts} | ${peaks} | ${x(ratio(rssSum(s), rssSum("java")))} | ${idle ?? "–"} | ${(get(r.extra, s, "startupMs") ?? []).join(", ")} |`,
    );
  }
  L.push("");
  L.push("## Failure detection");
  L.push("");
  L.push("Time until a broker is gone from the route answers (polled every few ms), after its connection closes, and after");
  L.push("it stops talking while keeping the connection open, with `heartbeatTimeoutMillis` set in its registration.");
  L.push("Every server scans for silent brokers on its default period (5 s for Java and ours), so the second figure is");
  L.push("the timeout plus up to one scan period.");
  L.push("");
  L.push("| server | after connection close (ms) | heartbeat timeout (ms) | removed after (ms) | past the timeout (ms) |");
  L.push("| --- | --- | --- | --- | --- |");
  for (const s of ran) {
    const c = get(r.extra, s, "failureClose");
    const t = get(r.extra, s, "failureTimeout");
    L.push(
      `| ${SHORT[s]} | ${c?.ok ? `${c.detectMs}${c.removed ? "" : " (not removed)"}` : c ? `failed: ${c.error}` : "–"} | ${t?.hbTimeoutMs ?? "–"} | ${t?.ok ? `${t.detectMs}${t.removed ? "" : " (not removed)"}` : t ? `failed: ${t.error}` : "–"} | ${t?.afterTimeoutMs ?? "–"} |`,
    );
  }
  L.push("");
  L.push("## Set-up registrations");
  L.push("");
  L.push("| server | data set | brokers | total ms | p50 ms per broker | max ms | server CPU ms |");
  L.push("| --- | --- | --- | --- | --- | --- | --- |");
  for (const s of ran) {
    for (const [k, v] of Object.entries(r.extra[s] ?? {})) {
      if (!k.startsWith("setup ")) continue;
      const st = v as any;
      L.push(`| ${SHORT[s]} | ${k.slice(6)} | ${st.brokers ?? "–"} | ${st.ok ? st.totalMs : `failed: ${st.error}`} | ${st.registrationMs?.p50 ?? "–"} | ${st.registrationMs?.max ?? "–"} | ${st.serverCpuMs} |`);
    }
  }
  L.push("");
  L.push("## Parameters");
  L.push("");
  L.push("```json");
  L.push(JSON.stringify({ params: m.params, topology: m.topology }, null, 1));
  L.push("```");
  L.push("");
  return `${L.join("\n")}\n`;
}
