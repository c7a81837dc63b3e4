/**
 * The container files, checked offline against the code (Docker and Kubernetes do not run here):
 * the entry point exists, the ports are the configuration's defaults, every environment variable
 * is one the code reads, every probe and scrape path is served by the app, and the ConfigMap's
 * properties are configuration keys with valid values.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, parse } from "yaml";
import { DEPLOYMENT_VARIABLES } from "../../edge/config/deployment-config";
import { applyConfigEntries, defaultNamesrvConfig, isConfigKey } from "../../edge/config/namesrv-config";
import { parseJavaPropertiesText } from "../../shared/properties";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";

const ROOT = join(__dirname, "../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const defaults = defaultNamesrvConfig("/home/bun");

/** Whether the code reads `name`: a deployment variable, or NAMESRV_CONFIG_<a configuration key>. */
function isKnownVariable(name: string): boolean {
  if (DEPLOYMENT_VARIABLES.some((v) => v.name === name)) return true;
  const key = /^NAMESRV_CONFIG_(.+)$/.exec(name)?.[1];
  return key !== undefined && isConfigKey(key);
}

/** The status the Bun server, as the image runs it, answers for `path` (probes, scrapes). */
let server: NamesrvProcess;
beforeAll(async () => {
  server = await startNamesrv();
}, 30_000);
afterAll(async () => {
  await server?.stop();
});
async function served(path: string): Promise<number> {
  return (await server.http(path)).status;
}

type Manifest = { kind: string; metadata: { name: string }; spec?: Record<string, any>; data?: Record<string, string> };
const manifests = (): Manifest[] =>
  ["deploy/kubernetes/namesrv.yaml", "deploy/kubernetes/redis.yaml"].flatMap((file) => parseAllDocuments(read(file)).map((d) => d.toJS() as Manifest));

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");

  it("runs the Bun server's entry point as a non-root user, exposing the default ports", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(cmd!)).toEqual(["bun", "tcp-bridge/main.ts"]);
    expect(existsSync(join(ROOT, "tcp-bridge/main.ts"))).toBe(true);
    expect(dockerfile).toMatch(/^USER bun$/m);
    expect(/^EXPOSE (.*)$/m.exec(dockerfile)?.[1].split(/\s+/).map(Number)).toEqual([defaults.listenPort, defaults.httpPort]);
    const bunVersion = JSON.parse(read("package.json")).devDependencies.bun;
    expect(dockerfile).toContain(`FROM oven/bun:${bunVersion}`);
  });

  it("sets only variables the code reads, and copies every source folder the server imports", () => {
    const env = [...dockerfile.matchAll(/^\s*(?:ENV )?([A-Z_][A-Za-z0-9_.]*)=/gm)].map((m) => m[1]);
    expect(env.length).toBeGreaterThan(0);
    for (const name of env) expect(isKnownVariable(name), name).toBe(true);
    for (const folder of ["shared", "edge", "tcp-bridge"]) expect(dockerfile).toContain(`COPY ${folder} ./${folder}`);
  });

  it("checks health on a path the app serves", async () => {
    expect(dockerfile).toContain("http://127.0.0.1:8080/health");
    expect(await served("/health")).toBe(200);
  });
});

describe("docker-compose.yml", () => {
  const compose = parse(read("docker-compose.yml")) as { services: Record<string, any> };

  it("runs two NameServers on one Redis, each with variables the code reads", () => {
    const namesrvs = Object.entries(compose.services).filter(([, s]) => s.build === ".");
    expect(namesrvs).toHaveLength(2);
    for (const [, service] of namesrvs) {
      for (const name of Object.keys(service.environment)) expect(isKnownVariable(name), name).toBe(true);
      expect(service.environment.REDIS_URL).toBe("redis://redis:6379");
      expect(service.ports.map((p: string) => Number(p.split(":")[1]))).toEqual([defaults.listenPort, defaults.httpPort]);
    }
    expect(compose.services.redis.command).toContain("--appendonly");
  });

  it("has Prometheus scrape both on the metrics path", async () => {
    const prometheus = parse(read("deploy/prometheus.yml")) as { scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[] };
    const job = prometheus.scrape_configs[0];
    expect(job.static_configs[0].targets).toEqual(["namesrv-1:8080", "namesrv-2:8080"]);
    expect(await served(job.metrics_path)).toBe(200);
  });
});

describe("Kubernetes manifests", () => {
  it("probe paths the app serves, on the configured ports", async () => {
    const set = manifests().find((m) => m.kind === "StatefulSet" && m.metadata.name === "edge-namesrv")!;
    const container = set.spec!.template.spec.containers[0];
    const ports = Object.fromEntries(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    expect(ports).toEqual({ remoting: defaults.listenPort, http: defaults.httpPort });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: "http" });
    expect(await served("/health")).toBe(200);
    expect(await served("/ready")).toBe(200);
    expect(container.args.slice(0, 2)).toEqual(["bun", "tcp-bridge/main.ts"]);
    for (const { name } of container.env) if (name !== "POD_IP") expect(isKnownVariable(name), name).toBe(true);
    expect(set.spec!.template.metadata.annotations["prometheus.io/path"]).toBe("/metrics");
  });

  it("mounts a namesrv.properties of valid configuration keys where the container reads it with -c", () => {
    const map = manifests().find((m) => m.kind === "ConfigMap")!;
    const properties = parseJavaPropertiesText(map.data!["namesrv.properties"]);
    for (const key of Object.keys(properties)) expect(isConfigKey(key), key).toBe(true);
    expect(() => applyConfigEntries(defaults, properties)).not.toThrow();
    const set = manifests().find((m) => m.kind === "StatefulSet" && m.metadata.name === "edge-namesrv")!;
    const spec = set.spec!.template.spec;
    const mount = spec.containers[0].volumeMounts.find((v: { name: string }) => v.name === "config");
    expect(spec.containers[0].args).toEqual(["bun", "tcp-bridge/main.ts", "-c", `${mount.mountPath}/namesrv.properties`]);
    // the grace period outlasts the graceful shutdown's wait
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(Number(properties.shutdownWaitTimeSeconds));
  });

  it("gives brokers a headless Service that lists every instance, and clients a ClusterIP one", () => {
    const services = manifests().filter((m) => m.kind === "Service" && m.metadata.name.startsWith("edge-namesrv") && !m.metadata.name.includes("redis"));
    expect(services.map((s) => [s.metadata.name, s.spec!.clusterIP ?? "ClusterIP"])).toEqual([
      ["edge-namesrv", "ClusterIP"],
      ["edge-namesrv-headless", "None"],
    ]);
    const redis = manifests().find((m) => m.kind === "Secret")!;
    expect((redis as any).stringData.url).toMatch(/^redis:\/\/edge-namesrv-redis:6379$/);
  });
});
