/**
 * `mqadmin updateNamesrvConfig` survives a restart of the NameServer started with `-c <file>`: the
 * Java NameServer saves every accepted update into its configStorePath, which `-c` makes that file,
 * and reads the file at start-up. INTEROP_NAMESRV=java runs the same assertions against Apache's.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mqadmin } from "./support/java.js";
import { NEWEST_LINE, lineTag } from "./support/lines.js";
import { startNameServer, type NameServer } from "./support/namesrv.js";
import { fileDir, suite } from "./support/suite.js";

const s = suite();
const version = NEWEST_LINE;

/** `key = value` lines of getNamesrvConfig. */
function parseNamesrvConfig(output: string): Record<string, string> {
  return Object.fromEntries([...output.matchAll(/^(\w+)\s+=\s+(.*?)\s*$/gm)].map((m) => [m[1], m[2]]));
}

describe(`mqadmin ${version} updateNamesrvConfig across a restart (-c file)`, () => {
  const dir = fileDir(`config-restart-${lineTag(version)}`);
  let namesrv: NameServer | undefined;

  afterAll(async () => {
    await namesrv?.proc.stop("SIGTERM");
  });

  it("keeps the updated value after the NameServer restarts with the same file", async () => {
    namesrv = await startNameServer(s.kind, dir, { label: "config-restart", version, configFile: true });
    const mq = mqadmin(namesrv.addr, `${dir}/mqadmin`, version);
    const before = parseNamesrvConfig(await mq("getNamesrvConfig"));
    const next = before.scanNotActiveBrokerInterval === "4200" ? "4300" : "4200";
    expect(await mq("updateNamesrvConfig", "-k", "scanNotActiveBrokerInterval", "-v", next)).toContain("update name server config success");
    expect(parseNamesrvConfig(await mq("getNamesrvConfig")).scanNotActiveBrokerInterval).toBe(next);

    const { port, httpPort } = namesrv;
    await namesrv.proc.stop("SIGTERM");
    namesrv = await startNameServer(s.kind, dir, { label: "config-restart", version, configFile: true, port, httpPort });
    expect(parseNamesrvConfig(await mq("getNamesrvConfig")).scanNotActiveBrokerInterval).toBe(next);
  }, 120_000);
});
