/**
 * Where the bridge sends its translated requests: the Hono app in process (`app.fetch`, no HTTP
 * hop), or a remote deployment of the same app.
 */
export type Upstream = (request: Request) => Promise<Response>;

/** Base URL used for in-process requests; never resolved or connected to. */
export const IN_PROCESS_ORIGIN = "http://namesrv.internal";

export function inProcessUpstream(app: { fetch: (request: Request) => Response | Promise<Response> }): Upstream {
  return async (request) => app.fetch(request);
}

/** Forwards to a remote deployment of the app at `baseUrl`, rewriting the origin. */
export function remoteUpstream(baseUrl: string, fetchImpl: typeof fetch = fetch): Upstream {
  const base = baseUrl.replace(/\/+$/, "");
  return (request) => {
    const url = new URL(request.url);
    return fetchImpl(new Request(base + url.pathname + url.search, request));
  };
}
