import { Hono } from "hono";
import type { NamesrvServices } from "../services";
import { readJson } from "../http-helpers";
import { configUpdateSchema, plainConfigUpdate } from "../http-schemas";

/** GET_NAMESRV_CONFIG and UPDATE_NAMESRV_CONFIG. */
export function configRoutes({ config }: NamesrvServices): Hono {
  const app = new Hono();

  app.get("/config", async function getNamesrvConfig(c) {
    return c.json(await config.properties());
  });

  app.put("/config", async function updateNamesrvConfig(c) {
    await config.update(await readJson(c, config, configUpdateSchema, plainConfigUpdate));
    return c.json(await config.properties());
  });

  return app;
}
