import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, type Broker } from "./support/broker.js";
import { LINES_5X, lineTag } from "./support/lines.js";
import { parseClusterList, parseTopicRoute } from "./support/mqadmin-output.js";
import { waitFor } from "../support/wait-for.js";
import { getClusterInfo, getRoute, waitForRoute } from "./support/remoting.js";
import { admin, fileDir, line, unique } from "./support/suite.js";

/** "Within a few seconds": the Java NameServer removes a broker as soon as its connection closes. */
const REMOVAL_DEADLINE_MS = 15_000;

// One master/slave group, then the slave stops gracefully (SIGTERM → UNREGISTER_BROKER) and the
// master is killed (kill -9 → only the closed connection tells the NameServer).
describe.each(LINES_5X)("a RocketMQ %s master/slave broker group: registration, write perm, graceful shutdown, kill -9", (version) => {
  const s = line(version);
  const mq = admin(version);
  const CLUSTER = `InteropMS_${lineTag(version)}`;
  const GROUP = `interop-ms-${lineTag(version)}`;
  let master: Broker;
  let slave: Broker;

  beforeAll(async () => {
    const common = { version, namesrv: s.namesrv, cluster: CLUSTER, name: GROUP };
    [master, slave] = await Promise.all([
      startBroker({ ...common, id: 0, dir: fileDir(`broker-ms-${lineTag(version)}-0`) }),
      startBroker({ ...common, id: 1, dir: fileDir(`broker-ms-${lineTag(version)}-1`) }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([master?.proc.stop("SIGKILL"), slave?.proc.stop("SIGKILL")]);
  });

  it("master (id 0) and slave (id 1) register as one broker group", async () => {
    const rows = parseClusterList(await mq("clusterList"));
    const group = rows.filter((r) => r.brokerName === GROUP);
    expect(group).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ cluster: CLUSTER, brokerId: 0, addr: master.addr }),
        expect.objectContaining({ cluster: CLUSTER, brokerId: 1, addr: slave.addr }),
      ]),
    );
    expect(group).toHaveLength(2);

    // A broker registers its own name as a topic; its route lists both members of the group.
    const route = parseTopicRoute(await mq("topicRoute", "-t", GROUP));
    expect(route.brokerDatas).toEqual([
      expect.objectContaining({ cluster: CLUSTER, brokerName: GROUP, brokerAddrs: { "0": master.addr, "1": slave.addr } }),
    ]);
    expect(route.queueDatas).toEqual([expect.objectContaining({ brokerName: GROUP })]);
  });

  // On this group rather than the shared broker: Java's ADD_WRITE_PERM sets perm to RW (6), which
  // would also strip the inherit bit from the shared broker's TBW102 (7 → 6) for later files.
  it("wipeWritePerm turns perm 6 into 4 and addWritePerm turns it back into 6", async () => {
    const topic = unique("InteropPerm");
    expect(await mq("updateTopic", "-b", master.addr, "-t", topic, "-r", "2", "-w", "2")).toContain(`create topic to ${master.addr} success.`);
    await waitForRoute(s.namesrv, topic, (r) => r !== undefined);
    const permOf = async () => parseTopicRoute(await mq("topicRoute", "-t", topic)).queueDatas.find((q) => q.brokerName === GROUP)?.perm;
    expect(await permOf()).toBe(6);

    const wiped = await mq("wipeWritePerm", "-b", GROUP);
    const wipedCount = wiped.match(new RegExp(`wipe write perm of broker\\[${GROUP}\\] in name server\\[${s.namesrv}\\] OK, (\\d+)`));
    expect(wipedCount, wiped).not.toBeNull();
    expect(Number(wipedCount![1])).toBeGreaterThanOrEqual(1);
    expect(await permOf()).toBe(4);

    const added = await mq("addWritePerm", "-b", GROUP);
    const addedCount = added.match(new RegExp(`add write perm of broker\\[${GROUP}\\] in name server\\[${s.namesrv}\\] OK, (\\d+)`));
    expect(addedCount, added).not.toBeNull();
    // The same topics lost and regained the write bit.
    expect(Number(addedCount![1])).toBe(Number(wipedCount![1]));
    expect(await permOf()).toBe(6);
  });

  it("a graceful shutdown (SIGTERM) of the slave removes it from clusterList and routes", async () => {
    const stopped = Date.now();
    await slave.proc.stop("SIGTERM");
    await waitFor(
      async () => {
        const info = await getClusterInfo(s.namesrv);
        const route = await getRoute(s.namesrv, GROUP);
        return info.brokerAddrTable[GROUP]?.brokerAddrs["1"] === undefined && route?.brokerDatas[0]?.brokerAddrs["1"] === undefined;
      },
      "the slave to leave GET_BROKER_CLUSTER_INFO and the group's route",
      REMOVAL_DEADLINE_MS,
      200,
    );
    const elapsed = Date.now() - stopped;
    expect(elapsed).toBeLessThan(REMOVAL_DEADLINE_MS);

    const group = parseClusterList(await mq("clusterList")).filter((r) => r.brokerName === GROUP);
    expect(group).toEqual([expect.objectContaining({ brokerId: 0, addr: master.addr })]);
    const route = parseTopicRoute(await mq("topicRoute", "-t", GROUP));
    expect(route.brokerDatas).toEqual([expect.objectContaining({ brokerName: GROUP, brokerAddrs: { "0": master.addr } })]);
  });

  it("kill -9 of the master removes the group from clusterList and its topics' routes", async () => {
    const killed = Date.now();
    await master.proc.stop("SIGKILL");
    await waitFor(
      async () => {
        const info = await getClusterInfo(s.namesrv);
        return info.brokerAddrTable[GROUP] === undefined && (await getRoute(s.namesrv, GROUP)) === undefined;
      },
      "the killed master to leave GET_BROKER_CLUSTER_INFO and its route",
      REMOVAL_DEADLINE_MS,
      200,
    );
    expect(Date.now() - killed).toBeLessThan(REMOVAL_DEADLINE_MS);

    const rows = parseClusterList(await mq("clusterList"));
    expect(rows.filter((r) => r.brokerName === GROUP)).toEqual([]);
    // The shared broker is untouched.
    expect(rows).toContainEqual(expect.objectContaining({ brokerName: s.shared.name, addr: s.shared.addr }));
    expect(await mq("topicRoute", "-t", GROUP)).toMatch(new RegExp(`CODE: 17\\s+DESC: No topic route info in name server for the topic: ${GROUP}`));
  });
});
