import { Hono } from "hono";
import { encodeKVTable } from "../../shared/body-codec";
import type { NamesrvServices } from "../services";
import { readJson, sendEncoded } from "../http-helpers";
import { putKVSchema } from "../http-schemas";

/** KV configuration: PUT/GET/DELETE_KV_CONFIG and GET_KVLIST_BY_NAMESPACE. */
export function kvRoutes({ kv, config }: NamesrvServices): Hono {
  const app = new Hono();

  app.get("/kv/:namespace", async function getKVListByNamespace(c) {
    const table = await kv.getKVListByNamespace(c.req.param("namespace"));
    return sendEncoded(c, config, "GET_KVLIST_BY_NAMESPACE", (d) => encodeKVTable({ table }, d));
  });

  app.get("/kv/:namespace/:key", async function getKVConfig(c) {
    const namespace = c.req.param("namespace");
    const key = c.req.param("key");
    return c.json({ namespace, key, value: await kv.getKVConfig(namespace, key) });
  });

  app.put("/kv/:namespace/:key", async function putKVConfig(c) {
    const { value } = await readJson(c, config, putKVSchema);
    await kv.putKVConfig(c.req.param("namespace"), c.req.param("key"), value);
    return c.json({ stored: true });
  });

  app.delete("/kv/:namespace/:key", async function deleteKVConfig(c) {
    await kv.deleteKVConfig(c.req.param("namespace"), c.req.param("key"));
    return c.json({ deleted: true });
  });

  return app;
}
