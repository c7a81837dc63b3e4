import { RequestCode, ResponseCode } from "../shared/codes";
import { decodeTopicRouteData } from "../shared/body-codec";
import { parseFastjsonBytes } from "../shared/fastjson-reader";
import type { BrokerData, ClusterInfo, TopicRouteData } from "../shared/model";
import { parseJavaPropertiesText } from "../shared/properties";
import type { RemotingCommand } from "../shared/remoting-command";
import type { AdminClient } from "./admin-client";
import { CliError } from "./cli-error";
import { RemotingConnection, type RemotingCredentials } from "./remoting-connection";

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * The admin requests over the remoting protocol, as mqadmin sends them: works against our
 * NameServer and Apache's alike (the bodies are decoded in either fastjson dialect).
 */
export async function remotingAdmin(addr: string, credentials: RemotingCredentials | null, timeoutMs: number): Promise<AdminClient> {
  const connection = await RemotingConnection.open(addr, credentials, timeoutMs);

  async function call(code: number, extFields: Record<string, string> | null, body: Uint8Array | null = null): Promise<RemotingCommand> {
    const answer = await connection.request(code, extFields, body);
    if (answer.code !== ResponseCode.SUCCESS) {
      throw new CliError(`${addr} refused request ${code}: CODE ${answer.code}${answer.remark ? ` ${answer.remark}` : ""}`, answer.code);
    }
    return answer;
  }

  const json = (answer: RemotingCommand): unknown => (answer.body ? parseFastjsonBytes(answer.body) : null);
  const count = (answer: RemotingCommand, field: string) => Number(answer.extFields?.[field] ?? 0);

  return {
    target: addr,
    async clusterInfo() {
      return clusterInfoOf(json(await call(RequestCode.GET_BROKER_CLUSTER_INFO, null)));
    },
    async topicList() {
      const list = json(await call(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, null)) as { topicList?: unknown } | null;
      return Array.isArray(list?.topicList) ? list.topicList.map(String) : [];
    },
    async topicRoute(topic: string): Promise<TopicRouteData> {
      const answer = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
      return decodeTopicRouteData(answer.body ?? new Uint8Array());
    },
    async kvGet(namespace, key) {
      const answer = await call(RequestCode.GET_KV_CONFIG, { namespace, key });
      return answer.extFields?.value ?? "";
    },
    async kvPut(namespace, key, value) {
      await call(RequestCode.PUT_KV_CONFIG, { namespace, key, value });
    },
    async kvDelete(namespace, key) {
      await call(RequestCode.DELETE_KV_CONFIG, { namespace, key });
    },
    async kvList(namespace) {
      const table = json(await call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace })) as { table?: Record<string, unknown> } | null;
      return Object.fromEntries(Object.entries(table?.table ?? {}).map(([k, v]) => [k, String(v)]));
    },
    async configGet() {
      const answer = await call(RequestCode.GET_NAMESRV_CONFIG, null);
      return answer.body ? parseJavaPropertiesText(utf8Decoder.decode(answer.body)) : {};
    },
    async configSet(properties) {
      await call(RequestCode.UPDATE_NAMESRV_CONFIG, null, utf8.encode(propertiesText(properties)));
    },
    async wipeWritePerm(brokerName) {
      return count(await call(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName }), "wipeTopicCount");
    },
    async addWritePerm(brokerName) {
      return count(await call(RequestCode.ADD_WRITE_PERM_OF_BROKER, { brokerName }), "addTopicCount");
    },
    async deleteTopic(topic, clusterName) {
      await call(RequestCode.DELETE_TOPIC_IN_NAMESRV, clusterName === null ? { topic } : { topic, clusterName });
    },
    async ping() {
      await call(RequestCode.GET_BROKER_CLUSTER_INFO, null);
    },
    close: () => connection.close(),
  };
}

/** ClusterInfo from either dialect (broker ids may come as bare numeric keys). */
export function clusterInfoOf(value: unknown): ClusterInfo {
  const v = (value ?? {}) as { brokerAddrTable?: Record<string, Partial<BrokerData>>; clusterAddrTable?: Record<string, unknown> };
  const brokerAddrTable: Record<string, BrokerData> = {};
  for (const [name, data] of Object.entries(v.brokerAddrTable ?? {})) {
    brokerAddrTable[name] = {
      cluster: String(data.cluster ?? ""),
      brokerName: String(data.brokerName ?? name),
      brokerAddrs: Object.fromEntries(Object.entries(data.brokerAddrs ?? {}).map(([id, addr]) => [String(id), String(addr)])),
      enableActingMaster: Boolean(data.enableActingMaster),
      ...(typeof data.zoneName === "string" ? { zoneName: data.zoneName } : {}),
    };
  }
  const clusterAddrTable: Record<string, string[]> = {};
  for (const [cluster, names] of Object.entries(v.clusterAddrTable ?? {})) {
    clusterAddrTable[cluster] = Array.isArray(names) ? names.map(String) : [];
  }
  return { brokerAddrTable, clusterAddrTable };
}

/**
 * `key=value` lines as Properties.load reads them: the separators and backslashes in a key, and
 * backslashes and non-Latin-1-safe characters anywhere, escaped.
 */
export function propertiesText(properties: Record<string, string>): string {
  const escape = (text: string, isKey: boolean) =>
    Array.from(text)
      .map((c, at) => {
        if (c === "\\") return "\\\\";
        if (c === "\n") return "\\n";
        if (c === "\r") return "\\r";
        if (c === "\t") return "\\t";
        if (c === " " && (isKey || at === 0)) return "\\ ";
        if (isKey && (c === "=" || c === ":" || c === "#" || c === "!")) return `\\${c}`;
        const code = c.codePointAt(0)!;
        if (code < 0x20 || code > 0x7e) {
          return code > 0xffff
            ? Array.from(String.fromCodePoint(code).split(""), (u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")
            : `\\u${code.toString(16).padStart(4, "0")}`;
        }
        return c;
      })
      .join("");
  return Object.entries(properties)
    .map(([key, value]) => `${escape(key, true)}=${escape(value, false)}\n`)
    .join("");
}
