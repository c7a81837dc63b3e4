import { decodeTopicRouteData } from "../shared/body-codec";
import { ResponseCode } from "../shared/codes";
import type { TopicRouteData } from "../shared/model";
import type { AdminClient } from "./admin-client";
import { CliError } from "./cli-error";
import { clusterInfoOf } from "./remoting-admin";

/** The admin requests over our HTTP API (`/api/v1`), with a bearer token when one is given. */
export function httpAdmin(baseUrl: string, token: string | null, timeoutMs: number, send: typeof fetch = fetch): AdminClient {
  const base = baseUrl.replace(/\/+$/, "");
  const enc = encodeURIComponent;

  async function request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await send(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new CliError(`cannot reach ${base}: ${(err as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      /* not JSON: reported below if the status says it failed */
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: number; message?: string } } | null)?.error;
      const code = typeof error?.code === "number" ? error.code : ResponseCode.SYSTEM_ERROR;
      throw new CliError(`${base} refused ${method} ${path}: HTTP ${response.status}${error?.message ? ` CODE ${code} ${error.message}` : ""}`, code);
    }
    return parsed;
  }

  const api = (method: string, path: string, body?: unknown) => request(method, `/api/v1${path}`, body);

  return {
    target: base,
    async clusterInfo() {
      return clusterInfoOf(await api("GET", "/clusters"));
    },
    async topicList() {
      const list = (await api("GET", "/topics")) as { topicList?: unknown[] } | null;
      return (list?.topicList ?? []).map(String);
    },
    async topicRoute(topic): Promise<TopicRouteData> {
      return decodeTopicRouteData(JSON.stringify(await api("GET", `/topics/${enc(topic)}/route`)));
    },
    async kvGet(namespace, key) {
      const entry = (await api("GET", `/kv/${enc(namespace)}/${enc(key)}`)) as { value?: string };
      return entry.value ?? "";
    },
    async kvPut(namespace, key, value) {
      await api("PUT", `/kv/${enc(namespace)}/${enc(key)}`, { value });
    },
    async kvDelete(namespace, key) {
      await api("DELETE", `/kv/${enc(namespace)}/${enc(key)}`);
    },
    async kvList(namespace) {
      const table = (await api("GET", `/kv/${enc(namespace)}`)) as { table?: Record<string, unknown> } | null;
      return Object.fromEntries(Object.entries(table?.table ?? {}).map(([k, v]) => [k, String(v)]));
    },
    async configGet() {
      const config = (await api("GET", "/config")) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(config ?? {}).map(([k, v]) => [k, String(v)]));
    },
    async configSet(properties) {
      await api("PUT", "/config", properties);
    },
    async wipeWritePerm(brokerName) {
      return Number(((await api("POST", `/brokers/${enc(brokerName)}/wipe-write-perm`)) as { wipeTopicCount?: number }).wipeTopicCount ?? 0);
    },
    async addWritePerm(brokerName) {
      return Number(((await api("POST", `/brokers/${enc(brokerName)}/add-write-perm`)) as { addTopicCount?: number }).addTopicCount ?? 0);
    },
    async deleteTopic(topic, clusterName) {
      await api("DELETE", `/topics/${enc(topic)}${clusterName === null ? "" : `?cluster=${enc(clusterName)}`}`);
    },
    async ping() {
      await request("GET", "/health");
    },
    close: async () => {},
  };
}
