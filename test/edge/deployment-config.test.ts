import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEPLOYMENT_VARIABLES, readBunDeployment, readEdgeDeployment } from "../../edge/config/deployment-config";

const sources = (env: Record<string, string>) => ({ argv: [], env, home: "/home/x", readFile: async () => new Uint8Array() });

describe("the deployment configuration", () => {
  it("is read on Bun from the environment: store, log level, the edge URL and NameServer keys", async () => {
    const deployment = await readBunDeployment(
      sources({ REDIS_URL: "redis://127.0.0.1:6379", NAMESRV_LOG_LEVEL: "debug", NAMESRV_EDGE_URL: "http://127.0.0.1:8787", NAMESRV_PORT: "9999" }),
    );
    expect(deployment).toMatchObject({ logLevel: "debug", edgeUrl: "http://127.0.0.1:8787", store: { kind: "redis-resp", prefix: "rmq" } });
    expect(deployment.namesrv.listenPort).toBe(9999);
    expect((await readBunDeployment(sources({}))).store).toEqual({ kind: "embedded" });
  });

  it("refuses an invalid log level or edge URL, naming the variable", async () => {
    await expect(readBunDeployment(sources({ NAMESRV_LOG_LEVEL: "verbose" }))).rejects.toThrow(/NAMESRV_LOG_LEVEL/);
    await expect(readBunDeployment(sources({ NAMESRV_EDGE_URL: "ftp://x" }))).rejects.toThrow(/NAMESRV_EDGE_URL/);
    await expect(readBunDeployment(sources({ NAMESRV_EDGE_URL: "not a url" }))).rejects.toThrow(/NAMESRV_EDGE_URL/);
    expect(() => readEdgeDeployment({ NAMESRV_LOG_LEVEL: "loud" })).toThrow(/NAMESRV_LOG_LEVEL/);
  });

  it("is read on an edge runtime from the environment alone, with the same keys; no RESP there", () => {
    const deployment = readEdgeDeployment({ REDIS_URL: "redis://x:1", NAMESRV_CONFIG_orderMessageEnable: "true", NAMESRV_HTTP_PORT: "8081" });
    expect(deployment.store).toEqual({ kind: "embedded" });
    expect(deployment.namesrv.orderMessageEnable).toBe(true);
    expect(deployment.namesrv.httpPort).toBe(8081);
    expect(() => readEdgeDeployment({ NAMESRV_CONFIG_nope: "1" })).toThrow(/NAMESRV_CONFIG_nope/);
  });

  it("is documented in README's table, one row per variable", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const v of DEPLOYMENT_VARIABLES) {
      expect(readme).toContain(`| \`${v.name}\` | ${v.sets} | ${v.default} | ${v.runtimes} |`);
    }
    const rows = readme.split("\n").filter((line) => /^\| `[A-Z_<>a-z]+` \| .* \| (all|Bun|Workers) \|$/.test(line));
    expect(rows).toHaveLength(DEPLOYMENT_VARIABLES.length);
  });
});
