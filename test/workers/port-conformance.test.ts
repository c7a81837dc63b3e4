/**
 * The NameServer port conformance suite against the Worker entry in workerd, on Redis through the
 * Upstash REST protocol: the port over HTTP (what a tcp-bridge with NAMESRV_EDGE_URL uses), each
 * call handled by the Worker's Hono app and its middleware chain.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { httpNamesrv } from "../../edge/port/http-namesrv";
import worker from "../../edge/runtime/worker";
import { describeNamesrvPortConformance } from "../port/namesrv-port-conformance";

async function send(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describeNamesrvPortConformance("over HTTP: the Worker in workerd on Redis", () => ({ port: httpNamesrv("http://namesrv.test", send) }));
