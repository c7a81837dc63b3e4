/**
 * Typed request headers the NameServer reads from `extFields`, with the lenient rules of
 * `RemotingCommand.decodeCommandCustomHeader` (PROTOCOL §1.9): a missing or unparsable value leaves
 * the field at its default (null for boxed types, false/0 for primitives); booleans are
 * `Boolean.parseBoolean` ("true" in any case → true, anything else false); longs/ints follow
 * `Long.parseLong`/`Integer.parseInt` (optional sign, decimal digits, in range).
 */
import { z } from "zod";

/** extFields as they come off the wire (null when the command had none). */
export type ExtFields = Readonly<Record<string, string>> | null | undefined;

/** A raw ext value: strings as-is, scalars converted (headers built by hand), anything else absent. */
const wire = z.unknown().optional().transform((v): string | undefined => {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
});

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `Long.parseLong`; null when not a valid long. */
export function parseJavaLong(s: string): number | null {
  if (!/^[-+]?\d+$/.test(s)) return null;
  const b = BigInt(s);
  if (b < INT64_MIN || b > INT64_MAX) return null;
  return Number(b);
}

/** `Integer.parseInt`; null when not a valid int. */
export function parseJavaInt(s: string): number | null {
  if (!/^[-+]?\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= -2147483648 && n <= 2147483647 ? n : null;
}

/** `Boolean.parseBoolean` */
export function parseJavaBoolean(s: string): boolean {
  return s.toLowerCase() === "true";
}

/** String field: null when absent. */
export const jString = wire.transform((v) => (v === undefined ? null : v));
/** Boolean (boxed): null when absent. */
export const jBoolean = wire.transform((v) => (v === undefined ? null : parseJavaBoolean(v)));
/** boolean (primitive): false when absent. */
export const jPrimitiveBoolean = wire.transform((v) => (v === undefined ? false : parseJavaBoolean(v)));
/** Long (boxed): null when absent or unparsable. */
export const jLong = wire.transform((v) => (v === undefined ? null : parseJavaLong(v)));
/** Integer (boxed) with an initial value: the default when absent or unparsable. */
export const jIntDefault = (def: number) => wire.transform((v) => (v === undefined ? def : parseJavaInt(v) ?? def));

function decodeWith<S extends z.ZodType>(schema: S, ext: ExtFields): z.output<S> {
  // values are all optional/lenient, so parsing cannot fail on any object input
  return schema.parse(ext ?? {});
}

// ---------------------------------------------------------------------------------------------

/** GetRouteInfoRequestHeader, with the zone fields the client adds as `__ZONE_MODE` / `__ZONE_NAME`. */
export interface GetRouteInfoRequestHeader {
  topic: string | null;
  acceptStandardJsonOnly: boolean | null;
  zoneMode: boolean;
  zoneName: string | null;
}

/** A raw ext value as the `wire` schema reads it, for decoders written without zod. */
function wireValue(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/**
 * Decoded by hand with the same rules as the schemas above (jString, jBoolean, jPrimitiveBoolean):
 * this header comes with every route query, the bulk of a NameServer's requests.
 */
export function decodeGetRouteInfoRequestHeader(ext: ExtFields): GetRouteInfoRequestHeader {
  if (!ext) return { topic: null, acceptStandardJsonOnly: null, zoneMode: false, zoneName: null };
  const topic = wireValue(ext.topic);
  const standardOnly = wireValue(ext.acceptStandardJsonOnly);
  const zoneMode = wireValue(ext.__ZONE_MODE);
  const zoneName = wireValue(ext.__ZONE_NAME);
  return {
    topic: topic ?? null,
    acceptStandardJsonOnly: standardOnly === undefined ? null : parseJavaBoolean(standardOnly),
    zoneMode: zoneMode === undefined ? false : parseJavaBoolean(zoneMode),
    zoneName: zoneName ?? null,
  };
}

export const RegisterBrokerRequestHeaderSchema = z
  .object({
    brokerName: jString,
    brokerAddr: jString,
    clusterName: jString,
    haServerAddr: jString,
    brokerId: jLong,
    heartbeatTimeoutMillis: jLong,
    enableActingMaster: jBoolean,
    compressed: jPrimitiveBoolean,
    bodyCrc32: jIntDefault(0),
    __ZONE_NAME: jString,
  })
  .transform(({ __ZONE_NAME, ...rest }) => ({ ...rest, zoneName: __ZONE_NAME }));
export type RegisterBrokerRequestHeader = z.output<typeof RegisterBrokerRequestHeaderSchema>;
export const decodeRegisterBrokerRequestHeader = (ext: ExtFields): RegisterBrokerRequestHeader =>
  decodeWith(RegisterBrokerRequestHeaderSchema, ext);

export const UnRegisterBrokerRequestHeaderSchema = z.object({
  brokerName: jString,
  brokerAddr: jString,
  clusterName: jString,
  brokerId: jLong,
});
export type UnRegisterBrokerRequestHeader = z.output<typeof UnRegisterBrokerRequestHeaderSchema>;
export const decodeUnRegisterBrokerRequestHeader = (ext: ExtFields): UnRegisterBrokerRequestHeader =>
  decodeWith(UnRegisterBrokerRequestHeaderSchema, ext);

/** PUT_KV_CONFIG / GET_KV_CONFIG / DELETE_KV_CONFIG / GET_KVLIST_BY_NAMESPACE (unused fields stay null). */
export const KVConfigRequestHeaderSchema = z.object({
  namespace: jString,
  key: jString,
  value: jString,
});
export type KVConfigRequestHeader = z.output<typeof KVConfigRequestHeaderSchema>;
export const decodeKVConfigRequestHeader = (ext: ExtFields): KVConfigRequestHeader =>
  decodeWith(KVConfigRequestHeaderSchema, ext);

/** WIPE_WRITE_PERM_OF_BROKER / ADD_WRITE_PERM_OF_BROKER */
export const BrokerPermRequestHeaderSchema = z.object({ brokerName: jString });
export type BrokerPermRequestHeader = z.output<typeof BrokerPermRequestHeaderSchema>;
export const decodeBrokerPermRequestHeader = (ext: ExtFields): BrokerPermRequestHeader =>
  decodeWith(BrokerPermRequestHeaderSchema, ext);

export const DeleteTopicRequestHeaderSchema = z.object({ topic: jString, clusterName: jString });
export type DeleteTopicRequestHeader = z.output<typeof DeleteTopicRequestHeaderSchema>;
export const decodeDeleteTopicRequestHeader = (ext: ExtFields): DeleteTopicRequestHeader =>
  decodeWith(DeleteTopicRequestHeaderSchema, ext);

export const RegisterTopicRequestHeaderSchema = z.object({ topic: jString });
export type RegisterTopicRequestHeader = z.output<typeof RegisterTopicRequestHeaderSchema>;
export const decodeRegisterTopicRequestHeader = (ext: ExtFields): RegisterTopicRequestHeader =>
  decodeWith(RegisterTopicRequestHeaderSchema, ext);

export const GetTopicsByClusterRequestHeaderSchema = z.object({ cluster: jString });
export type GetTopicsByClusterRequestHeader = z.output<typeof GetTopicsByClusterRequestHeaderSchema>;
export const decodeGetTopicsByClusterRequestHeader = (ext: ExtFields): GetTopicsByClusterRequestHeader =>
  decodeWith(GetTopicsByClusterRequestHeaderSchema, ext);

export const QueryDataVersionRequestHeaderSchema = z.object({
  brokerName: jString,
  brokerAddr: jString,
  clusterName: jString,
  brokerId: jLong,
});
export type QueryDataVersionRequestHeader = z.output<typeof QueryDataVersionRequestHeaderSchema>;
export const decodeQueryDataVersionRequestHeader = (ext: ExtFields): QueryDataVersionRequestHeader =>
  decodeWith(QueryDataVersionRequestHeaderSchema, ext);

export const GetBrokerMemberGroupRequestHeaderSchema = z.object({ clusterName: jString, brokerName: jString });
export type GetBrokerMemberGroupRequestHeader = z.output<typeof GetBrokerMemberGroupRequestHeaderSchema>;
export const decodeGetBrokerMemberGroupRequestHeader = (ext: ExtFields): GetBrokerMemberGroupRequestHeader =>
  decodeWith(GetBrokerMemberGroupRequestHeaderSchema, ext);

export const BrokerHeartbeatRequestHeaderSchema = z.object({
  clusterName: jString,
  brokerAddr: jString,
  brokerName: jString,
  brokerId: jLong,
});
export type BrokerHeartbeatRequestHeader = z.output<typeof BrokerHeartbeatRequestHeaderSchema>;
export const decodeBrokerHeartbeatRequestHeader = (ext: ExtFields): BrokerHeartbeatRequestHeader =>
  decodeWith(BrokerHeartbeatRequestHeaderSchema, ext);
