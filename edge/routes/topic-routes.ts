import { Hono } from "hono";
import { encodeTopicList } from "../../shared/body-codec";
import type { NamesrvServices } from "../services";
import { readJson, requestedFormat, sendEncoded, sendText, validate } from "../http-helpers";
import { registerTopicSchema, unitTopicKindSchema } from "../http-schemas";

/** Topic operations: GET_ROUTEINFO_BY_TOPIC, topic lists, DELETE_TOPIC and REGISTER_TOPIC. */
export function topicRoutes({ routes, config }: NamesrvServices): Hono {
  const app = new Hono();

  app.get("/topics", async function getAllTopicListFromNameserver(c) {
    const list = await routes.getAllTopicList();
    return sendEncoded(c, config, "GET_ALL_TOPIC_LIST_FROM_NAMESERVER", (d) => encodeTopicList(list, d));
  });

  app.get("/topics/:topic/route", async function getRouteInfoByTopic(c) {
    const topic = c.req.param("topic");
    const zone = c.req.query("zone") || null;
    const format = requestedFormat(c);
    const body = await routes.getEncodedRoute(topic, zone, format === "legacy" ? "legacy" : "standard");
    return sendText(c, body, format);
  });

  app.delete("/topics/:topic", async function deleteTopicInNamesrv(c) {
    await routes.deleteTopic(c.req.param("topic"), c.req.query("cluster") || null);
    return c.json({ deleted: true });
  });

  app.put("/topics/:topic/queues", async function registerTopicInNamesrv(c) {
    const { queueDatas } = await readJson(c, config, registerTopicSchema);
    await routes.registerTopic(c.req.param("topic"), queueDatas);
    return c.json({ registered: queueDatas.length });
  });

  app.get("/system-topics", async function getSystemTopicListFromNs(c) {
    const list = await routes.getSystemTopicList();
    return sendEncoded(c, config, "GET_SYSTEM_TOPIC_LIST_FROM_NS", (d) => encodeTopicList(list, d));
  });

  app.get("/unit-topics", async function getUnitTopicList(c) {
    const kind = validate(unitTopicKindSchema, c.req.query("kind") ?? "unit", "kind");
    const list = await routes.getUnitTopics(kind);
    return sendEncoded(c, config, "unit topic list", (d) => encodeTopicList(list, d));
  });

  return app;
}
