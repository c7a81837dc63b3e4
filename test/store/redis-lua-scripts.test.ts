/**
 * The Lua of the Redis store is written once: every function has one definition among the
 * fragments and script bodies, each script defines what it includes once, and every script
 * compiles on a real redis-server.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RedisScript } from "../../edge/store/redis/redis-transport";
import { RespConnection } from "../support/redis/node-resp-transport";
import { useRedisServer } from "../support/redis-server";

const REDIS_DIR = join(import.meta.dirname, "../../edge/store/redis");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const definedFunctions = (lua: string) => [...lua.matchAll(/\blocal\s+function\s+([A-Za-z_]\w*)/g)].map((m) => m[1]);

async function allScripts(): Promise<RedisScript[]> {
  const dir = join(REDIS_DIR, "operations");
  const scripts: RedisScript[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const module = (await import(join(dir, file))) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (value && typeof value === "object" && "source" in value && "name" in value) scripts.push(value as RedisScript);
    }
  }
  return scripts;
}

const duplicates = (names: string[]) => names.filter((n, i) => names.indexOf(n) !== i);

describe("Lua of the Redis store", () => {
  it("defines each function once across all fragments and script bodies", () => {
    const names = sourceFiles(REDIS_DIR).flatMap((file) => definedFunctions(readFileSync(file, "utf8")));
    expect(names.length).toBeGreaterThan(30);
    expect(duplicates(names)).toEqual([]);
  });

  it("puts each fragment into a script once, however many fragments use it", async () => {
    const scripts = await allScripts();
    expect(scripts.map((s) => s.name)).toContain("getTopicRoute");
    expect(scripts.length).toBeGreaterThanOrEqual(24);
    for (const script of scripts) expect(duplicates(definedFunctions(script.source)), script.name).toEqual([]);
    // the route script checks brokerAddrs and builds live ids with the shared definitions
    const route = scripts.find((s) => s.name === "getTopicRoute")!;
    expect(definedFunctions(route.source)).toEqual(expect.arrayContaining(["esc", "liveId", "parseAddrs", "scanAddrs"]));
  });

  describe("on redis-server", () => {
    const redis = useRedisServer();
    let conn: RespConnection | null = null;
    afterAll(() => conn?.close());

    it("compiles every script", async () => {
      conn = RespConnection.fromUrl(redis.current.url);
      for (const script of await allScripts()) {
        const sha = await conn.send(["SCRIPT", "LOAD", script.source]).catch((err: Error) => `${script.name}: ${err.message}`);
        expect(sha, script.name).toMatch(/^[0-9a-f]{40}$/);
      }
    });
  });
});
