import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FrameDecoder } from "../../shared/frame-decoder";
import { decodeCommand, type RemotingCommand } from "../../shared/remoting-command";
import { registerRequest } from "../support/broker-registration";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { useRedisServer } from "../support/redis-server";
import { RemotingTestClient } from "../support/remoting-client";
import { waitFor } from "../support/wait-for";

/** A broker's listening port, as far as the NameServer can tell: records every frame sent to it. */
class FakeBrokerListener {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly received: RemotingCommand[],
  ) {}

  static start(): Promise<FakeBrokerListener> {
    return new Promise((resolve, reject) => {
      const received: RemotingCommand[] = [];
      const server = createServer((socket) => {
        const decoder = new FrameDecoder();
        socket.on("data", (chunk) => {
          for (const frame of decoder.push(new Uint8Array(chunk as Buffer))) received.push(decodeCommand(frame));
        });
        socket.on("error", () => {});
      });
      server.once("error", reject);
      server.listen({ port: 0, host: "127.0.0.1" }, () => {
        const address = server.address();
        resolve(new FakeBrokerListener(server, typeof address === "object" && address ? address.port : 0, received));
      });
    });
  }

  get addr(): string {
    return `127.0.0.1:${this.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const redis = useRedisServer();

describeNotifications("embedded store", () => ({}));
describeNotifications("Redis store over RESP", () => ({ REDIS_URL: redis.current.url, NAMESRV_REDIS_PREFIX: `notify-${Date.now()}` }));

function describeNotifications(storeName: string, env: () => Record<string, string>) {
  describe(`NOTIFY_MIN_BROKER_ID_CHANGE from the bridge (${storeName})`, () => {
    let ns: NamesrvProcess;
    let master: FakeBrokerListener;
    let slave: FakeBrokerListener;
    const clients: RemotingTestClient[] = [];

    beforeAll(async () => {
      ns = await startNamesrv(env());
      master = await FakeBrokerListener.start();
      slave = await FakeBrokerListener.start();
    });
    afterAll(async () => {
      for (const c of clients) c.close();
      await ns?.stop();
      await master?.stop();
      await slave?.stop();
    });

    async function register(listener: FakeBrokerListener, brokerId: number): Promise<RemotingTestClient> {
      const client = await RemotingTestClient.connect(ns.port);
      clients.push(client);
      const { version, body, extFields } = registerRequest({ brokerAddr: listener.addr, brokerId, extra: { enableActingMaster: "true", haServerAddr: `127.0.0.1:${listener.port + 1}` } });
      const res = await client.request(103, { version, body, extFields });
      expect(res.code).toBe(0);
      return client;
    }

    it("tells the slave when the master goes and comes back, once the key is on; the master is never told", async () => {
      const admin = await RemotingTestClient.connect(ns.port);
      clients.push(admin);
      await register(slave, 1);
      // off by default: the master's arrival lowers the smallest id, but nobody is told
      const masterConnection = await register(master, 0);
      expect((await admin.request(318, { body: "notifyMinBrokerIdChanged=true" })).code).toBe(0);

      masterConnection.close();
      await waitFor(() => slave.received.length > 0, "the notice of the master's departure");
      expect(slave.received).toHaveLength(1);
      expect(slave.received[0]).toMatchObject({ code: 905, flag: 2, language: "JAVA", serializeType: "JSON", body: null });
      expect(slave.received[0].extFields).toEqual({ minBrokerId: "1", minBrokerAddr: slave.addr, offlineBrokerAddr: master.addr });

      await register(master, 0);
      await waitFor(() => slave.received.length > 1, "the notice of the master's return");
      expect(slave.received[1]).toMatchObject({ code: 905, flag: 2 });
      expect(slave.received[1].extFields).toEqual({ minBrokerId: "0", minBrokerAddr: master.addr, haBrokerAddr: `127.0.0.1:${master.port + 1}` });
      expect(master.received).toEqual([]);
    });
  });
}
