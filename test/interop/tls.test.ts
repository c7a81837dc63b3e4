/**
 * TLS between real RocketMQ 5.3.3 peers and our NameServer in tls.server.mode=enforcing (plain
 * connections are closed, so every peer below really speaks TLS): a broker started with
 * -Dtls.enable=true registers, and Java clients with -Dtls.enable=true exchange messages through
 * the route it serves.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFastjson as parseFastjsonText } from "../../shared/fastjson-reader.js";
import type { ClusterInfo, TopicRouteData } from "../../shared/model.js";
import { encodeCommand } from "../../shared/remoting-command.js";
import { waitFor } from "../support/wait-for.js";
import { closedWithoutAnswer, makeCa, makeSigned, plainConnect, startTlsNamesrv, tlsRemoting, type NamesrvUnderTest } from "../tcp-bridge/tls-support.js";
import { startBroker, type Broker } from "./support/broker.js";
import { runJavaProducer, startJavaConsumer } from "./support/java.js";
import { DEFAULT_LINE } from "./support/lines.js";
import { expectExactDelivery, roundTrip } from "./support/messaging.js";
import { createTopicOnBroker } from "./support/remoting.js";
import { fileDir, unique } from "./support/suite.js";

const TLS = ["-Dtls.enable=true"];

describe("RocketMQ 5.3.3 broker and clients over TLS to our NameServer in enforcing mode", () => {
  const version = DEFAULT_LINE;
  const cluster = "InteropTls";
  const brokerName = "interop-tls";
  let dir: string;
  let ns: NamesrvUnderTest;
  let broker: Broker;

  /** One request over a TLS connection that checks the server's certificate against our CA. */
  async function overTls(code: number, extFields: Record<string, string> | null): Promise<{ code: number; body: string }> {
    const client = await tlsRemoting(ns.port, { ca: readFileSync(join(dir, "ca.pem")), rejectUnauthorized: true, checkServerIdentity: () => undefined });
    try {
      client.socket.write(encodeCommand({ code, language: "JAVA", version: 479, opaque: 7, flag: 0, remark: null, extFields, body: null, serializeType: "JSON" }));
      const answer = await waitFor(() => client.answers.find((a) => a.opaque === 7), `answer to ${code}`, 5_000, 20);
      return { code: answer.code, body: answer.body ? new TextDecoder().decode(answer.body) : "" };
    } finally {
      client.close();
    }
  }

  async function routeOverTls(topic: string): Promise<TopicRouteData | undefined> {
    const answer = await overTls(105, { topic });
    return answer.code === 0 ? (parseFastjsonText(answer.body) as TopicRouteData) : undefined;
  }

  beforeAll(async () => {
    dir = fileDir("tls");
    makeCa(dir, "ca");
    makeSigned(dir, "server", "namesrv", "ca");
    ns = await startTlsNamesrv({
      "NAMESRV_CONFIG_tls.server.mode": "enforcing",
      "NAMESRV_CONFIG_tls.server.certPath": join(dir, "server.pem"),
      "NAMESRV_CONFIG_tls.server.keyPath": join(dir, "server.key"),
    });
    broker = await startBroker({
      version,
      namesrv: `127.0.0.1:${ns.port}`,
      cluster,
      name: brokerName,
      id: 0,
      dir: join(dir, "broker"),
      awaitRegistration: false,
      jvmFlags: TLS,
    });
    await waitFor(
      async () => {
        const info = await overTls(106, null);
        const clusterInfo = parseFastjsonText(info.body) as ClusterInfo;
        return clusterInfo.brokerAddrTable?.[brokerName]?.brokerAddrs?.["0"] === broker.addr;
      },
      "the TLS broker to register",
      120_000,
      500,
    );
  });

  afterAll(async () => {
    await broker?.proc.stop("SIGTERM");
    await ns?.stop();
  });

  it("the NameServer refuses plain connections, so the broker registered over TLS", async () => {
    expect(await closedWithoutAnswer(await plainConnect(ns.port))).toBe(true);
    const route = await routeOverTls(cluster);
    expect(route?.brokerDatas).toContainEqual(expect.objectContaining({ cluster, brokerName, brokerAddrs: { "0": broker.addr } }));
  });

  it("a Java producer and push consumer with tls.enable=true exchange messages through the route", async () => {
    const topic = unique("InteropTls");
    const count = 20;
    const prefix = unique("tls");
    await createTopicOnBroker(broker.addr, topic);
    await waitFor(async () => (await routeOverTls(topic))?.queueDatas.some((q) => q.brokerName === brokerName), `route of ${topic} over TLS`, 30_000, 250);

    const home = fileDir(`tls-${topic}`);
    const common = { version, homeDir: home, namesrv: `127.0.0.1:${ns.port}`, topic, count, prefix, jvmFlags: TLS };
    const trip = await roundTrip(
      () => startJavaConsumer({ ...common, group: unique("cg_tls"), timeoutMs: 90_000 }),
      () => runJavaProducer({ ...common, group: unique("pg_tls") }),
      90_000,
    );
    expectExactDelivery(trip, prefix, count);
  });
});
