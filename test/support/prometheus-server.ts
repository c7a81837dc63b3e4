/**
 * A private Prometheus for one test: a free port on 127.0.0.1, its own data directory, scraping the
 * given targets every second; killed and its directory removed by `stop`. When prometheus is not
 * installed the test FAILS with a message saying how to install it (scripts/install-prometheus.sh).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";
import { waitFor } from "./wait-for";

export interface PrometheusServer {
  url: string;
  /** the instant vector of `expression`: one entry per series */
  query(expression: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  output(): string;
  stop(): Promise<void>;
}

export function promToolMissingMessage(command: "prometheus" | "promtool"): string | null {
  const probe = spawnSync(command, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    return `${command} is not installed (or not on PATH): run \`bash scripts/install-prometheus.sh\` (apt-get) and re-run the tests`;
  }
  return null;
}

export async function startPrometheus(targets: string[]): Promise<PrometheusServer> {
  const missing = promToolMissingMessage("prometheus");
  if (missing) throw new Error(missing);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "prometheus-test-"));
  const configPath = join(dir, "prometheus.yml");
  writeFileSync(
    configPath,
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      "  - job_name: rocketmq-namesrv",
      "    static_configs:",
      `      - targets: [${targets.map((t) => `"${t}"`).join(", ")}]`,
      "",
    ].join("\n"),
  );
  const child = spawn(
    "prometheus",
    [`--config.file=${configPath}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${output}`);
      return (await fetch(`${url}/-/ready`)).ok;
    }, "Prometheus to be ready", 30_000, 200);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    async query(expression) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`);
      const answer = (await response.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> }; error?: string };
      if (answer.status !== "success") throw new Error(`query ${expression} failed: ${answer.error}`);
      return answer.data.result;
    },
    output: () => output,
    stop,
  };
}
