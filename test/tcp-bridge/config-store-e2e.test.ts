import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { RemotingTestClient, text } from "../support/remoting-client";

const ROOT = resolve(__dirname, "../..");

// UPDATE_NAMESRV_CONFIG (318) on the embedded store is written to configStorePath in the Java
// NameServer's layout. As in Java, only a `-c` file is read at start-up, and `-c` makes that file
// the configStorePath: an update survives a restart exactly when the server runs with `-c`.
describe("the NameServer configuration across a restart of the Bun server (embedded store)", () => {
  let dir: string;
  let running: NamesrvProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "config-store-e2e-"));
  });
  afterEach(async () => {
    for (const ns of running) await ns.stop();
    running = [];
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}, args: string[] = []): Promise<NamesrvProcess> {
    const ns = await startNamesrv(env, args);
    running.push(ns);
    return ns;
  }

  async function call(ns: NamesrvProcess, code: number, body?: string) {
    const client = await RemotingTestClient.connect(ns.port);
    try {
      return await client.request(code, body === undefined ? {} : { body });
    } finally {
      client.close();
    }
  }

  it("with -c: the update is written to that file in Java's layout and kept by a restart", async () => {
    const file = join(dir, "namesrv.properties");
    writeFileSync(file, "# operator's file\norderMessageEnable=false\ncustomKey=kept\n");
    const first = await start({}, ["-c", file]);
    expect((await call(first, 318, "scanNotActiveBrokerInterval=4321\norderMessageEnable=true\n")).code).toBe(0);
    const dump = text(await call(first, 319))!;
    // Java's file is its GET_NAMESRV_CONFIG dump: every property, sorted, key=value
    expect(readFileSync(file, "utf8")).toBe(dump);
    expect(dump).toContain(`configStorePath=${file}\n`);
    expect(readFileSync(`${file}.bak`, "utf8")).toBe("# operator's file\norderMessageEnable=false\ncustomKey=kept\n");
    expect(readdirSync(dir).sort()).toEqual(["namesrv.properties", "namesrv.properties.bak"]);
    await first.stop();

    const second = await start({}, ["-c", file]);
    const after = text(await call(second, 319))!;
    expect(after).toContain("scanNotActiveBrokerInterval=4321\n");
    expect(after).toContain("orderMessageEnable=true\n");
    expect(after).toContain("customKey=kept\n");
    expect(after).toContain(`listenPort=${second.port}\n`); // the environment still overrides the file
  });

  it("without -c: the update is written to configStorePath but, as in Java, not read back", async () => {
    const file = join(dir, "store", "namesrv.properties");
    const env = { NAMESRV_CONFIG_configStorePath: file };
    const first = await start(env);
    expect((await call(first, 318, "waitSecondsForService=7")).code).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("waitSecondsForService=7\n");
    await first.stop();
    const second = await start(env);
    expect(text(await call(second, 319))).toContain("waitSecondsForService=45\n");
  });

  it.each([
    ["an invalid value", "listenPort=98x76\n", /listenPort=\\"98x76\\": expected an integer/],
    ["a malformed \\uXXXX escape", "productEnvName=\\u12\n", /Malformed \\\\uxxxx encoding/],
  ])("a -c file with %s stops the start-up with a configuration error naming the file", async (_, content, detail) => {
    const file = join(dir, "broken.properties");
    writeFileSync(file, content);
    const result = spawnSync(join(ROOT, "node_modules/.bin/bun"), ["tcp-bridge/main.ts", "-c", file], {
      cwd: ROOT,
      env: { ...process.env, NAMESRV_PORT: "0", NAMESRV_HTTP_PORT: "0", NAMESRV_BIND_ADDRESS: "127.0.0.1" },
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(result.status).toBe(1);
    const failure = result.stderr;
    expect(failure).toContain('"msg":"invalid configuration"');
    expect(failure).toContain(`config file ${file}`);
    expect(failure).toMatch(detail);
  });
});
