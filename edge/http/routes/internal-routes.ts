import { Hono } from "hono";
import { ResponseCode } from "../../../shared/codes";
import { NamesrvError } from "../../port/namesrv-error";
import { brokerIdentityOf, OPERATION_CODES, type Operation } from "../../port/namesrv-port";
import { httpCall } from "../http-call";
import { readJson } from "../http-helpers";
import { registerBodyOf } from "../http-schemas";
import { PORT_INPUT_SCHEMAS, registerBrokerOpSchema, routeQuerySchema } from "../port-input-schemas";
import type { RouteContext } from "./route-context";

const ROUTE_CONTENT_TYPE = "application/octet-stream";

/**
 * The NameServer port itself over HTTP, for a tcp-bridge in front of this deployment
 * (edge/port/http-namesrv.ts): `POST /internal/v1/ops/{operation}` with the operation's input as
 * JSON, answered with its output as JSON (a route: its encoded bytes). Apart from the public API,
 * whose paths cannot say "this header field was missing", and which has no use for a channel close
 * or a digest-only re-registration.
 */
export function internalRoutes({ port, limits, peerOf }: RouteContext): Hono {
  const app = new Hono();

  app.post("/ops/getRouteInfoByTopic", async function getRouteInfoByTopic(c) {
    const input = await readJson(c, limits, routeQuerySchema);
    const bytes = await port.getRouteInfoByTopic(input, httpCall(c, peerOf));
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { "content-type": ROUTE_CONTENT_TYPE });
  });

  app.post("/ops/registerBroker", async function registerBroker(c) {
    const request = await readJson(c, limits, registerBrokerOpSchema);
    const input = { ...brokerIdentityOf(request), bodyDigest: request.bodyDigest, body: registerBodyOf(request) };
    return c.json(await port.registerBroker(input, httpCall(c, peerOf)));
  });

  app.post("/ops/:operation", async function callOperation(c) {
    const operation = c.req.param("operation");
    const schema = Object.hasOwn(OPERATION_CODES, operation) ? PORT_INPUT_SCHEMAS[operation as Operation] : undefined;
    if (!schema) throw new NamesrvError(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, `no such operation: ${operation}`, 404);
    const input = await readJson(c, limits, schema);
    const method = port[operation as Operation] as (input: unknown, call: ReturnType<typeof httpCall>) => Promise<unknown>;
    const output = await method.call(port, input, httpCall(c, peerOf));
    return c.json({ output: output ?? null });
  });

  return app;
}
