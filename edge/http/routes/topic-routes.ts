import { Hono } from "hono";
import { encodeTopicList } from "../../../shared/body-codec";
import type { TopicList } from "../../../shared/model";
import type { CallInfo } from "../../port/call";
import { validate } from "../../port/namesrv-error";
import type { NamesrvPort } from "../../port/namesrv-port";
import { httpCall } from "../http-call";
import { readJson, requestedFormat, sendEncoded, sendText } from "../http-helpers";
import { registerTopicSchema, unitTopicKindSchema } from "../http-schemas";
import type { RouteContext } from "./route-context";

const UNIT_TOPIC_LISTS: Record<string, (port: NamesrvPort, call: CallInfo) => Promise<TopicList>> = {
  unit: (port, call) => port.getUnitTopicList({}, call),
  hasUnitSub: (port, call) => port.getHasUnitSubTopicList({}, call),
  hasUnitSubUnUnit: (port, call) => port.getHasUnitSubUnUnitTopicList({}, call),
};

/** Topic operations: GET_ROUTEINFO_BY_TOPIC, topic lists, DELETE_TOPIC and REGISTER_TOPIC. */
export function topicRoutes({ port, limits, peerOf }: RouteContext): Hono {
  const app = new Hono();

  app.get("/topics", async function getAllTopicListFromNameserver(c) {
    const list = await port.getAllTopicListFromNameserver({}, httpCall(c, peerOf));
    return sendEncoded(c, limits, "GET_ALL_TOPIC_LIST_FROM_NAMESERVER", (d) => encodeTopicList(list, d));
  });

  app.get("/topics/:topic/route", async function getRouteInfoByTopic(c) {
    const format = requestedFormat(c);
    const input = { topic: c.req.param("topic"), zoneName: c.req.query("zone") || null, dialect: format === "legacy" ? "legacy" : "standard" } as const;
    return sendText(c, (await port.getRouteInfoByTopic(input, httpCall(c, peerOf))) as Uint8Array<ArrayBuffer>, format);
  });

  app.delete("/topics/:topic", async function deleteTopicInNamesrv(c) {
    await port.deleteTopicInNamesrv({ topic: c.req.param("topic"), clusterName: c.req.query("cluster") || null }, httpCall(c, peerOf));
    return c.json({ deleted: true });
  });

  app.put("/topics/:topic/queues", async function registerTopicInNamesrv(c) {
    const { queueDatas } = await readJson(c, limits, registerTopicSchema);
    await port.registerTopicInNamesrv({ topic: c.req.param("topic"), queueDatas }, httpCall(c, peerOf));
    return c.json({ registered: queueDatas.length });
  });

  app.get("/system-topics", async function getSystemTopicListFromNs(c) {
    const list = await port.getSystemTopicListFromNs({}, httpCall(c, peerOf));
    return sendEncoded(c, limits, "GET_SYSTEM_TOPIC_LIST_FROM_NS", (d) => encodeTopicList(list, d));
  });

  app.get("/unit-topics", async function getUnitTopicList(c) {
    const kind = validate(unitTopicKindSchema, c.req.query("kind") ?? "unit", "kind");
    const list = await UNIT_TOPIC_LISTS[kind](port, httpCall(c, peerOf));
    return sendEncoded(c, limits, "unit topic list", (d) => encodeTopicList(list, d));
  });

  return app;
}
