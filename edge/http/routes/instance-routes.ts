import { Hono } from "hono";
import { httpCall } from "../http-call";
import type { RouteContext } from "./route-context";

/** The NameServer instances the address server lists, with when each registered last. */
export function instanceRoutes({ port, peerOf }: RouteContext): Hono {
  const app = new Hono();
  app.get("/namesrv-instances", async function listNamesrvInstances(c) {
    return c.json(await port.listNamesrvInstances({}, httpCall(c, peerOf)));
  });
  return app;
}
