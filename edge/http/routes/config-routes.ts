import { Hono } from "hono";
import { httpCall } from "../http-call";
import { readJson } from "../http-helpers";
import { configUpdateSchema, plainConfigUpdate } from "../http-schemas";
import type { RouteContext } from "./route-context";

/** GET_NAMESRV_CONFIG and UPDATE_NAMESRV_CONFIG. */
export function configRoutes({ port, limits, peerOf }: RouteContext): Hono {
  const app = new Hono();

  app.get("/config", async function getNamesrvConfig(c) {
    return c.json(await port.getNamesrvConfig({}, httpCall(c, peerOf)));
  });

  app.put("/config", async function updateNamesrvConfig(c) {
    const properties = await readJson(c, limits, configUpdateSchema, plainConfigUpdate);
    const call = httpCall(c, peerOf);
    await port.updateNamesrvConfig({ properties }, call);
    return c.json(await port.getNamesrvConfig({}, call));
  });

  return app;
}
