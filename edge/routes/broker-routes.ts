import { Hono } from "hono";
import type { z } from "zod";
import type { RegisterBrokerInput } from "../service/route-manager";
import type { NamesrvServices } from "../services";
import { ResponseCode } from "../../shared/codes";
import { NamesrvError } from "../errors";
import { readJson } from "../http-helpers";
import {
  brokerHeartbeatSchema,
  queryDataVersionSchema,
  refreshRegistrationSchema,
  plainRegisterBrokerRequest,
  registerBrokerSchema,
  type RegisterBrokerRequest,
  unregisterBrokerSchema,
} from "../http-schemas";

/** Who registers, from either registration request (absent optional fields are null). */
function registering(req: Omit<z.infer<typeof refreshRegistrationSchema>, "bodyDigest">): Omit<RegisterBrokerInput, "body" | "bodyDigest"> {
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

/** What `POST /brokers/register` hands the route manager for a validated request. */
export function registerBrokerInput(req: RegisterBrokerRequest): RegisterBrokerInput {
  return {
    ...registering(req),
    bodyDigest: req.bodyDigest ?? null,
    body: {
      dataVersion: req.dataVersion ?? null,
      topicConfigTable: req.topicConfigTable,
      topicQueueMappingInfoMap: req.topicQueueMappingInfoMap,
      filterServerList: req.filterServerList,
    },
  };
}

/** Broker lifecycle: REGISTER_BROKER, UNREGISTER_BROKER, heartbeats, perms, liveness. */
export function brokerRoutes({ routes, config }: NamesrvServices): Hono {
  const app = new Hono();

  app.post("/brokers/register", async function registerBroker(c) {
    const req = await readJson(c, config, registerBrokerSchema, plainRegisterBrokerRequest);
    return c.json(await routes.registerBroker(registerBrokerInput(req)));
  });

  /**
   * An unchanged re-registration (same body as the broker's last one, by digest): refreshes the
   * broker's liveness without sending its topics again. 409 when a full registration is needed.
   */
  app.post("/brokers/refresh-registration", async function refreshBrokerRegistration(c) {
    const req = await readJson(c, config, refreshRegistrationSchema);
    const outcome = await routes.refreshRegistration(registering(req), req.bodyDigest);
    if (outcome === null) {
      throw new NamesrvError(ResponseCode.SYSTEM_ERROR, "full registration required", 409);
    }
    return c.json(outcome);
  });

  app.post("/brokers/unregister", async function unregisterBroker(c) {
    await routes.unregisterBroker(await readJson(c, config, unregisterBrokerSchema));
    return c.json({ unregistered: true });
  });

  app.post("/brokers/heartbeat", async function brokerHeartbeat(c) {
    const req = await readJson(c, config, brokerHeartbeatSchema);
    await routes.brokerHeartbeat(req.clusterName, req.brokerAddr);
    return c.json({ ok: true });
  });

  app.post("/brokers/query-data-version", async function queryDataVersion(c) {
    const req = await readJson(c, config, queryDataVersionSchema);
    return c.json(await routes.queryDataVersion(req.clusterName, req.brokerAddr, req.dataVersion ?? null));
  });

  app.post("/brokers/:brokerName/wipe-write-perm", async function wipeWritePermOfBroker(c) {
    return c.json({ wipeTopicCount: await routes.wipeWritePerm(c.req.param("brokerName")) });
  });

  app.post("/brokers/:brokerName/add-write-perm", async function addWritePermOfBroker(c) {
    return c.json({ addTopicCount: await routes.addWritePerm(c.req.param("brokerName")) });
  });

  /** A connection closed: unregister the brokers whose current registration it carried. */
  app.post("/channels/:channel/close", async function closeChannel(c) {
    return c.json({ unregistered: await routes.unregisterChannel(c.req.param("channel")) });
  });

  /** The liveness sweep (a timer on the bridge, a cron trigger on Workers). */
  app.post("/expiry/scan", async function scanNotActiveBroker(c) {
    return c.json({ expired: await routes.expireBrokers() });
  });

  return app;
}
