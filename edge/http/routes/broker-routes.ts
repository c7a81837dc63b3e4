import { Hono } from "hono";
import type { z } from "zod";
import type { BrokerIdentity } from "../../port/namesrv-port";
import { httpCall } from "../http-call";
import { readJson } from "../http-helpers";
import {
  brokerHeartbeatSchema,
  queryDataVersionSchema,
  registerBodyOf,
  registerBrokerRequestSchema,
  unregisterBrokerSchema,
  type registerBrokerHeadSchema,
} from "../http-schemas";
import type { RouteContext } from "./route-context";

/** Who registers, from a registration request (absent optional fields are null). */
export function brokerIdentity(req: z.infer<typeof registerBrokerHeadSchema>): BrokerIdentity {
  return {
    clusterName: req.clusterName,
    brokerAddr: req.brokerAddr,
    brokerName: req.brokerName,
    brokerId: req.brokerId,
    haServerAddr: req.haServerAddr ?? null,
    zoneName: req.zoneName ?? null,
    heartbeatTimeoutMillis: req.heartbeatTimeoutMillis ?? null,
    enableActingMaster: req.enableActingMaster ?? null,
    channel: req.channel ?? null,
  };
}

/** Broker lifecycle: REGISTER_BROKER, UNREGISTER_BROKER, heartbeats, data versions, perms. */
export function brokerRoutes({ port, limits, peerOf }: RouteContext): Hono {
  const app = new Hono();

  app.post("/brokers/register", async function registerBroker(c) {
    // the body's own fields are the NameServer's to check (with their rules for large registrations)
    const request = await readJson(c, limits, registerBrokerRequestSchema);
    const input = { ...brokerIdentity(request), bodyDigest: request.bodyDigest ?? null, body: registerBodyOf(request) };
    return c.json(await port.registerBroker(input, httpCall(c, peerOf)));
  });

  app.post("/brokers/unregister", async function unregisterBroker(c) {
    await port.unregisterBroker(await readJson(c, limits, unregisterBrokerSchema), httpCall(c, peerOf));
    return c.json({ unregistered: true });
  });

  app.post("/brokers/heartbeat", async function brokerHeartbeat(c) {
    const req = await readJson(c, limits, brokerHeartbeatSchema);
    await port.brokerHeartbeat({ clusterName: req.clusterName, brokerAddr: req.brokerAddr, brokerName: req.brokerName ?? null }, httpCall(c, peerOf));
    return c.json({ ok: true });
  });

  app.post("/brokers/query-data-version", async function queryDataVersion(c) {
    const req = await readJson(c, limits, queryDataVersionSchema);
    const input = {
      clusterName: req.clusterName,
      brokerAddr: req.brokerAddr,
      brokerName: req.brokerName ?? null,
      brokerId: req.brokerId ?? null,
      dataVersion: req.dataVersion ?? null,
    };
    return c.json(await port.queryDataVersion(input, httpCall(c, peerOf)));
  });

  app.get("/brokers/live", async function getBrokerLiveInfo(c) {
    return c.json({ brokers: await port.getBrokerLiveInfo({}, httpCall(c, peerOf)) });
  });

  app.post("/brokers/:brokerName/wipe-write-perm", async function wipeWritePermOfBroker(c) {
    return c.json({ wipeTopicCount: await port.wipeWritePermOfBroker({ brokerName: c.req.param("brokerName") }, httpCall(c, peerOf)) });
  });

  app.post("/brokers/:brokerName/add-write-perm", async function addWritePermOfBroker(c) {
    return c.json({ addTopicCount: await port.addWritePermOfBroker({ brokerName: c.req.param("brokerName") }, httpCall(c, peerOf)) });
  });

  return app;
}
