/**
 * Starts what every interop file shares: the NameServer under test and, for each 5.x line, one
 * broker of that release (master, a cluster of its own). Ours is one NameServer for every line (a
 * mixed-version cluster, as during an upgrade); Apache's is one NamesrvStartup per line, of the
 * line's own release, so each line is compared with its own reference. Files start their own extra
 * brokers where a scenario would disturb others (shutdowns, master/slave, 4.9.x).
 */
import type { TestProject } from "vitest/node";
import { startBroker, type Broker } from "./broker.js";
import { LINES_5X, lineTag, type Line5 } from "./lines.js";
import { startNameServer, namesrvKind, type NameServer } from "./namesrv.js";
import { makeTempDir, removeTempDir } from "./paths.js";
import { stopAllProcesses } from "./process.js";
import type { LineContext, SuiteContext } from "./suite.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kind = namesrvKind();
  const suiteDir = makeTempDir(`suite-${kind}`);
  const namesrvs = new Map<Line5, NameServer>();
  const brokers: Broker[] = [];
  const teardown = async () => {
    await Promise.all(brokers.map((b) => b.proc.stop("SIGTERM")));
    await Promise.all([...new Set(namesrvs.values())].map((n) => n.proc.stop("SIGTERM")));
    await stopAllProcesses();
    removeTempDir(suiteDir);
  };
  const lines = {} as Record<Line5, LineContext>;
  try {
    const started = Date.now();
    if (kind === "ours") {
      const ours = await startNameServer(kind, `${suiteDir}/namesrv`);
      for (const version of LINES_5X) namesrvs.set(version, ours);
    } else {
      const apache = await Promise.all(
        LINES_5X.map((version) => startNameServer(kind, `${suiteDir}/namesrv-${lineTag(version)}`, { version })),
      );
      LINES_5X.forEach((version, i) => namesrvs.set(version, apache[i]));
    }
    for (const version of LINES_5X) {
      const n = namesrvs.get(version)!;
      console.log(`[interop] ${version} line: NameServer (${kind}) on ${n.addr}${n.httpUrl ? `, HTTP ${n.httpUrl}` : ""}`);
    }
    console.log(`[interop] work dir ${suiteDir}`);
    await Promise.all(
      LINES_5X.map(async (version) => {
        const namesrv = namesrvs.get(version)!;
        const broker = await startBroker({
          version,
          namesrv: namesrv.addr,
          cluster: `InteropCluster_${lineTag(version)}`,
          name: `interop-shared-${lineTag(version)}`,
          id: 0,
          dir: `${suiteDir}/broker-shared-${lineTag(version)}`,
        });
        brokers.push(broker);
        lines[version] = {
          version,
          namesrv: namesrv.addr,
          httpUrl: namesrv.httpUrl,
          kvPath: namesrv.kvPath,
          shared: { cluster: broker.cluster, name: broker.name, addr: broker.addr },
        };
        console.log(`[interop] shared ${version} broker ${broker.name} on ${broker.addr} registered after ${Date.now() - started} ms`);
      }),
    );
  } catch (error) {
    await teardown();
    throw error;
  }
  const context: SuiteContext = { kind, suiteDir, lines };
  project.provide("interop", context);
  return teardown;
}
