import { describe, expect, it } from "vitest";
import { defaultNamesrvConfig, type NamesrvConfig } from "../../edge/config/namesrv-config";
import type { BrokerNotifier, MinBrokerIdChangeNotice } from "../../edge/service/broker-notifier";
import { createServices } from "../../edge/service/services";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { registrationInput } from "../support/http-api";

const MASTER = "10.0.0.1:10911";
const SLAVE = "10.0.0.2:10911";
const SLAVE2 = "10.0.0.3:10911";

/** The notices the services hand to the transport, in order. */
class RecordingNotifier implements BrokerNotifier {
  readonly sent: { to: string[]; notice: MinBrokerIdChangeNotice }[] = [];
  notifyMinBrokerIdChange(brokerAddrs: string[], notice: MinBrokerIdChangeNotice): void {
    this.sent.push({ to: brokerAddrs, notice });
  }
}

function setUp(overrides: Partial<NamesrvConfig> = { notifyMinBrokerIdChanged: true }, clock: () => number = Date.now) {
  const notifier = new RecordingNotifier();
  const store = new EmbeddedStore({ kvConfigPath: null });
  const services = createServices(store, { ...defaultNamesrvConfig("/tmp/notify-test"), ...overrides }, {}, clock, { brokerNotifier: notifier });
  const register = (brokerAddr: string, brokerId: number, enableActingMaster = true, extra = {}) =>
    services.routes.registerBroker(
      registrationInput({ brokerAddr, brokerId, enableActingMaster, haServerAddr: brokerAddr.replace(/:\d+$/, ":10912"), channel: `ch-${brokerAddr}`, ...extra }),
    );
  const unregister = (brokerAddr: string, brokerId: number) =>
    services.routes.unregisterBroker({ clusterName: "DefaultCluster", brokerAddr, brokerName: "broker-a", brokerId });
  return { notifier, services, register, unregister };
}

describe("NOTIFY_MIN_BROKER_ID_CHANGE decisions (RouteManager)", () => {
  it("sends nothing while notifyMinBrokerIdChanged is off (the default), and starts once it is set at run time", async () => {
    const { notifier, services, register, unregister } = setUp({});
    await register(SLAVE, 1);
    await register(MASTER, 0);
    await unregister(MASTER, 0);
    expect(notifier.sent).toEqual([]);
    await services.config.update({ notifyMinBrokerIdChanged: "true" });
    await register(MASTER, 0);
    expect(notifier.sent).toHaveLength(1);
  });

  it("the master's return tells the others, with its HA address, whatever the acting-master flag; the reply carries no trace of it", async () => {
    const { notifier, register } = setUp();
    await register(SLAVE2, 2, false);
    await register(SLAVE, 1, false);
    const reply = await register(MASTER, 0, false);
    expect(reply).toEqual({ orderTopicConfig: null });
    expect(notifier.sent).toEqual([
      { to: [SLAVE2], notice: { minBrokerId: 1, minBrokerAddr: SLAVE, offlineBrokerAddr: null, haBrokerAddr: "10.0.0.2:10912" } },
      { to: [SLAVE, SLAVE2], notice: { minBrokerId: 0, minBrokerAddr: MASTER, offlineBrokerAddr: null, haBrokerAddr: "10.0.0.1:10912" } },
    ]);
  });

  it("a lone slave re-registering as master (same address) is told itself", async () => {
    const { notifier, register } = setUp();
    await register(SLAVE, 1);
    await register(SLAVE, 0);
    expect(notifier.sent).toEqual([
      { to: [SLAVE], notice: { minBrokerId: 0, minBrokerAddr: SLAVE, offlineBrokerAddr: null, haBrokerAddr: "10.0.0.2:10912" } },
    ]);
  });

  it("the master's unregistration tells every remaining member, only in an acting-master group", async () => {
    const { notifier, register, unregister } = setUp();
    await register(MASTER, 0);
    await register(SLAVE, 1);
    await register(SLAVE2, 2);
    await unregister(MASTER, 0);
    expect(notifier.sent).toEqual([
      { to: [SLAVE, SLAVE2], notice: { minBrokerId: 1, minBrokerAddr: SLAVE, offlineBrokerAddr: MASTER, haBrokerAddr: null } },
    ]);

    const plain = setUp();
    await plain.register(MASTER, 0, false);
    await plain.register(SLAVE, 1, false);
    await plain.unregister(MASTER, 0);
    expect(plain.notifier.sent).toEqual([]);
  });

  it("a closed connection and an expiry notify as an unregistration does, and answer the brokers alone", async () => {
    let now = Date.now();
    const { notifier, services, register } = setUp(undefined, () => now);
    await register(MASTER, 0, true, { heartbeatTimeoutMillis: 1000 });
    await register(SLAVE, 1);
    await register(SLAVE2, 2);
    expect(await services.routes.unregisterChannel(`ch-${SLAVE}`)).toEqual([
      { clusterName: "DefaultCluster", brokerAddr: SLAVE, brokerName: "broker-a", brokerId: 1 },
    ]);
    expect(notifier.sent).toEqual([]);
    now += 5000;
    expect(await services.routes.expireBrokers()).toEqual([
      { clusterName: "DefaultCluster", brokerAddr: MASTER, brokerName: "broker-a", brokerId: 0 },
    ]);
    expect(notifier.sent).toEqual([
      { to: [SLAVE2], notice: { minBrokerId: 2, minBrokerAddr: SLAVE2, offlineBrokerAddr: MASTER, haBrokerAddr: null } },
    ]);
  });
});
