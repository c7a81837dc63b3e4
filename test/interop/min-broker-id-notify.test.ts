import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brokerLog, startBroker, type Broker } from "./support/broker.js";
import { DEFAULT_LINE, lineTag } from "./support/lines.js";
import { startNameServer, type NameServer } from "./support/namesrv.js";
import { getClusterInfo } from "./support/remoting.js";
import { fileDir, line } from "./support/suite.js";
import { RemotingTestClient } from "../support/remoting-client.js";
import { waitFor } from "../support/wait-for.js";

/** The slave's AdminBrokerProcessor logs this (WARN) on every NOTIFY_MIN_BROKER_ID_CHANGE it serves, and nothing else does. */
const NOTICE_LINE = /min broker id changed, prev -?\d+, new (-?\d+)/g;

function noticesIn(broker: Broker): number[] {
  return [...brokerLog(broker).matchAll(NOTICE_LINE)].map((m) => Number(m[1]));
}

// A slave-acting-master group on a NameServer of its own with notifyMinBrokerIdChanged on (set at run
// time, as mqadmin updateNamesrvConfig would): the master is killed, then started again, and the slave
// logs the NameServer's notice each time.
describe("NOTIFY_MIN_BROKER_ID_CHANGE reaches a real RocketMQ slave", () => {
  const version = DEFAULT_LINE;
  const s = line(version);
  const tag = lineTag(version);
  const common = { version, cluster: `InteropNotify_${tag}`, name: `interop-notify-${tag}`, config: { enableSlaveActingMaster: true } };
  let namesrv: NameServer;
  let master: Broker;
  let slave: Broker;

  beforeAll(async () => {
    namesrv = await startNameServer(s.kind, fileDir(`notify-namesrv-${tag}`));
    const client = await RemotingTestClient.connect(namesrv.port);
    try {
      expect((await client.request(318, { body: "notifyMinBrokerIdChanged=true" })).code).toBe(0);
    } finally {
      client.close();
    }
    [master, slave] = await Promise.all([
      startBroker({ ...common, namesrv: namesrv.addr, id: 0, dir: fileDir(`notify-broker-${tag}-0`) }),
      startBroker({ ...common, namesrv: namesrv.addr, id: 1, dir: fileDir(`notify-broker-${tag}-1`) }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([master?.proc.stop("SIGKILL"), slave?.proc.stop("SIGKILL")]);
    await namesrv?.proc.stop("SIGKILL");
  });

  it("the master killed: the slave is told the smallest id is now its own; the master back: it is told 0", async () => {
    const before = noticesIn(slave).length;
    await master.proc.stop("SIGKILL");
    await waitFor(() => noticesIn(slave).slice(before).includes(1), "the slave to log the notice of the master's departure", 60_000, 500);

    master = await startBroker({ ...common, namesrv: namesrv.addr, id: 0, dir: fileDir(`notify-broker-${tag}-0`) });
    await waitFor(() => noticesIn(slave).slice(before).includes(0), "the slave to log the notice of the master's return", 60_000, 500);
    const group = (await getClusterInfo(namesrv.addr)).brokerAddrTable[common.name];
    expect(group.brokerAddrs).toEqual({ "0": master.addr, "1": slave.addr });
  });
});
