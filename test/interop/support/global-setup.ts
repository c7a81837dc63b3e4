/**
 * Starts what every interop file shares: the NameServer under test and one RocketMQ 5.3.3 broker
 * (master, cluster "InteropCluster"). Files start their own extra brokers where a scenario would
 * disturb others (shutdowns, master/slave, 4.9.x).
 */
import type { TestProject } from "vitest/node";
import { startBroker, type Broker } from "./broker.js";
import { startNameServer, namesrvKind, type NameServer } from "./namesrv.js";
import { makeTempDir, removeTempDir } from "./paths.js";
import { stopAllProcesses } from "./process.js";
import type { SuiteContext } from "./suite.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kind = namesrvKind();
  const suiteDir = makeTempDir(`suite-${kind}`);
  let namesrv: NameServer | undefined;
  let broker: Broker | undefined;
  const teardown = async () => {
    await broker?.proc.stop("SIGTERM");
    await namesrv?.proc.stop("SIGTERM");
    await stopAllProcesses();
    removeTempDir(suiteDir);
  };
  try {
    const started = Date.now();
    namesrv = await startNameServer(kind, `${suiteDir}/namesrv`);
    console.log(`[interop] NameServer (${kind}) on ${namesrv.addr}${namesrv.httpUrl ? `, HTTP ${namesrv.httpUrl}` : ""}; work dir ${suiteDir}`);
    broker = await startBroker({
      line: 5,
      namesrv: namesrv.addr,
      cluster: "InteropCluster",
      name: "interop-shared",
      id: 0,
      dir: `${suiteDir}/broker-shared`,
    });
    console.log(`[interop] shared broker ${broker.name} on ${broker.addr} registered after ${Date.now() - started} ms`);
  } catch (error) {
    await teardown();
    throw error;
  }
  const context: SuiteContext = {
    kind,
    namesrv: namesrv.addr,
    httpUrl: namesrv.httpUrl,
    kvPath: namesrv.kvPath,
    suiteDir,
    shared: { cluster: broker.cluster, name: broker.name, addr: broker.addr },
  };
  project.provide("interop", context);
  return teardown;
}
