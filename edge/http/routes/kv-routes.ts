import { Hono } from "hono";
import { encodeKVTable } from "../../../shared/body-codec";
import { httpCall } from "../http-call";
import { readJson, sendEncoded } from "../http-helpers";
import { putKVSchema } from "../http-schemas";
import type { RouteContext } from "./route-context";

/** KV configuration: PUT/GET/DELETE_KV_CONFIG and GET_KVLIST_BY_NAMESPACE. */
export function kvRoutes({ port, limits, peerOf }: RouteContext): Hono {
  const app = new Hono();

  app.get("/kv/:namespace", async function getKVListByNamespace(c) {
    const table = await port.getKVListByNamespace({ namespace: c.req.param("namespace") }, httpCall(c, peerOf));
    return sendEncoded(c, limits, "GET_KVLIST_BY_NAMESPACE", (d) => encodeKVTable({ table }, d));
  });

  app.get("/kv/:namespace/:key", async function getKVConfig(c) {
    const namespace = c.req.param("namespace");
    const key = c.req.param("key");
    return c.json({ namespace, key, value: await port.getKVConfig({ namespace, key }, httpCall(c, peerOf)) });
  });

  app.put("/kv/:namespace/:key", async function putKVConfig(c) {
    const { value } = await readJson(c, limits, putKVSchema);
    await port.putKVConfig({ namespace: c.req.param("namespace"), key: c.req.param("key"), value }, httpCall(c, peerOf));
    return c.json({ stored: true });
  });

  app.delete("/kv/:namespace/:key", async function deleteKVConfig(c) {
    await port.deleteKVConfig({ namespace: c.req.param("namespace"), key: c.req.param("key") }, httpCall(c, peerOf));
    return c.json({ deleted: true });
  });

  return app;
}
