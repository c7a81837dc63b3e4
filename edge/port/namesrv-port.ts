/**
 * The NameServer port: every operation a RocketMQ NameServer offers, named after its request code,
 * with typed inputs and outputs. Failures are thrown as NamesrvError (the response code and remark a
 * client gets). Two implementations stand behind it: the services in this process
 * (local-namesrv.ts) and a remote deployment over HTTP (http-namesrv.ts); a middleware chain
 * (middleware.ts) wraps either. The tcp-bridge, the Hono handlers and the timers all call it.
 *
 * Inputs keep the nulls of the wire (a header field a client left out is null): what a missing field
 * means is decided behind the port, once, as the Java server decides it.
 */
import { RequestCode } from "../../shared/codes";
import type { Dialect } from "../../shared/fastjson-writer";
import type { BrokerMemberGroup, ClusterInfo, DataVersion, QueueData, RegisterBrokerBody, TopicList } from "../../shared/model";
import type { BrokerLiveInfoView, BrokerUnregistration, DataVersionAnswer, NamesrvInstance, RegisterBrokerResult } from "../store/store";
import type { AuditRecord } from "../auth/access-store";
import type { AccountView, CreatedAccount, IssuedToken, RelayedAccount, TokenView } from "../auth/account-views";
import type { Policy } from "../auth/policy";
import type { CallInfo } from "./call";

export type { BrokerLiveInfoView, BrokerUnregistration, DataVersionAnswer } from "../store/store";

/** Who registers: the header of REGISTER_BROKER and the connection that carried it. */
export interface BrokerIdentity {
  /** required, as brokerAddr, brokerName and brokerId: null is refused (the wire may leave any out) */
  clusterName: string | null;
  brokerAddr: string | null;
  brokerName: string | null;
  brokerId: number | null;
  haServerAddr: string | null;
  zoneName: string | null;
  /** as the broker asked; null: the default (DEFAULT_BROKER_TIMEOUT_MILLIS) */
  heartbeatTimeoutMillis: number | null;
  enableActingMaster: boolean | null;
  /** the connection that carried the registration (a closed one unregisters it); null over HTTP */
  channel: string | null;
}

/**
 * A register body, or how to get it. A caller holding the body's digest passes a loader: an
 * unchanged re-registration (most of them: brokers re-register every 30 s) is then applied
 * without decoding the body at all.
 */
export type RegisterBodySource = RegisterBrokerBody | (() => Promise<RegisterBrokerBody>);

export interface RegisterBrokerInput extends BrokerIdentity {
  /** identifies the wire body (same digest, same bytes read the same way); null when unknown */
  bodyDigest: string | null;
  body: RegisterBodySource;
}

export interface RegisterBrokerOutcome extends RegisterBrokerResult {
  /** The ORDER_TOPIC_CONFIG table returned to the broker, null when none is to be sent. */
  orderTopicConfig: Record<string, string> | null;
}

export interface BrokerAddressInput {
  clusterName: string | null;
  brokerAddr: string | null;
  brokerName: string | null;
}

export interface UnregisterBrokerInput extends BrokerAddressInput {
  brokerId: number | null;
}

export interface QueryDataVersionInput extends UnregisterBrokerInput {
  dataVersion: DataVersion | null;
}

export interface KVInput {
  namespace: string | null;
  key: string | null;
}

/** An operation without input takes this. */
export type NoInput = Record<string, never>;

export interface NamesrvPort {
  putKVConfig(input: KVInput & { value: string | null }, call?: CallInfo): Promise<void>;
  getKVConfig(input: KVInput, call?: CallInfo): Promise<string>;
  deleteKVConfig(input: KVInput, call?: CallInfo): Promise<void>;
  registerBroker(input: RegisterBrokerInput, call?: CallInfo): Promise<RegisterBrokerOutcome>;
  /**
   * A re-registration announced by its body's digest alone: applied when the digest shows the body
   * unchanged since the broker's registration, else null (then registerBroker with the body). For
   * a caller across a network, which would otherwise upload every body; registerBroker tries it
   * by itself.
   */
  refreshBrokerRegistration(input: BrokerIdentity & { bodyDigest: string }, call?: CallInfo): Promise<RegisterBrokerOutcome | null>;
  unregisterBroker(input: UnregisterBrokerInput, call?: CallInfo): Promise<void>;
  /** The route encoded in `dialect` (UTF-8). Callers share the bytes and must not modify them. */
  getRouteInfoByTopic(input: { topic: string | null; zoneName: string | null; dialect: Dialect }, call?: CallInfo): Promise<Uint8Array>;
  getBrokerClusterInfo(input: NoInput, call?: CallInfo): Promise<ClusterInfo>;
  wipeWritePermOfBroker(input: { brokerName: string | null }, call?: CallInfo): Promise<number>;
  getAllTopicListFromNameserver(input: NoInput, call?: CallInfo): Promise<TopicList>;
  deleteTopicInNamesrv(input: { topic: string | null; clusterName: string | null }, call?: CallInfo): Promise<void>;
  registerTopicInNamesrv(input: { topic: string | null; queueDatas: QueueData[] }, call?: CallInfo): Promise<void>;
  getKVListByNamespace(input: { namespace: string | null }, call?: CallInfo): Promise<Record<string, string>>;
  getTopicsByCluster(input: { cluster: string | null }, call?: CallInfo): Promise<TopicList>;
  getSystemTopicListFromNs(input: NoInput, call?: CallInfo): Promise<TopicList>;
  getUnitTopicList(input: NoInput, call?: CallInfo): Promise<TopicList>;
  getHasUnitSubTopicList(input: NoInput, call?: CallInfo): Promise<TopicList>;
  getHasUnitSubUnUnitTopicList(input: NoInput, call?: CallInfo): Promise<TopicList>;
  /** Applies the entries UPDATE_NAMESRV_CONFIG may change (refuses black-listed keys). */
  updateNamesrvConfig(input: { properties: Record<string, string | number | boolean> }, call?: CallInfo): Promise<void>;
  getNamesrvConfig(input: NoInput, call?: CallInfo): Promise<Record<string, string>>;
  queryDataVersion(input: QueryDataVersionInput, call?: CallInfo): Promise<DataVersionAnswer>;
  addWritePermOfBroker(input: { brokerName: string | null }, call?: CallInfo): Promise<number>;
  getBrokerMemberGroup(input: { clusterName: string | null; brokerName: string | null }, call?: CallInfo): Promise<BrokerMemberGroup>;
  brokerHeartbeat(input: BrokerAddressInput, call?: CallInfo): Promise<void>;
  // access control (edge/auth): accounts with their policies and tokens, and the audit trail
  /** `secretKey` null: one is generated and answered this once */
  createAccount(input: { name: string; secretKey: string | null }, call?: CallInfo): Promise<CreatedAccount>;
  getAccount(input: { name: string }, call?: CallInfo): Promise<AccountView>;
  listAccounts(input: NoInput, call?: CallInfo): Promise<AccountView[]>;
  deleteAccount(input: { name: string }, call?: CallInfo): Promise<void>;
  putPolicy(input: { name: string; policy: Policy }, call?: CallInfo): Promise<void>;
  /** `expiresInSeconds` null: the token does not expire */
  issueToken(input: { name: string; expiresInSeconds: number | null }, call?: CallInfo): Promise<IssuedToken>;
  listTokens(input: { name: string }, call?: CallInfo): Promise<TokenView[]>;
  revokeToken(input: { name: string; id: string }, call?: CallInfo): Promise<void>;
  /** the latest `limit` audit records, oldest first */
  readAudit(input: { limit: number }, call?: CallInfo): Promise<AuditRecord[]>;
  /** an account's secret key, for a tcp-bridge that verifies signatures for this deployment (class `relay`); null: no such account */
  relayedAccount(input: { name: string }, call?: CallInfo): Promise<RelayedAccount | null>;
  /** A connection closed: unregisters the brokers whose current registration it carried. */
  closeChannel(input: { channel: string }, call?: CallInfo): Promise<BrokerUnregistration[]>;
  /** The liveness sweep: unregisters every broker past its heartbeat deadline. */
  scanNotActiveBroker(input: NoInput, call?: CallInfo): Promise<BrokerUnregistration[]>;
  /** The NameServer instances the address server lists (each one's advertised address). */
  listNamesrvInstances(input: NoInput, call?: CallInfo): Promise<{ instances: NamesrvInstance[] }>;
  /** Every broker instance of the live table, with its last registration or heartbeat and data version (the console's). */
  getBrokerLiveInfo(input: NoInput, call?: CallInfo): Promise<BrokerLiveInfoView[]>;
}

export type Operation = keyof NamesrvPort;
export type InputOf<O extends Operation> = Parameters<NamesrvPort[O]>[0];
export type OutputOf<O extends Operation> = Awaited<ReturnType<NamesrvPort[O]>>;

/** The request code of each operation; null for those no remoting client sends (the bridge's own, access control). */
export const OPERATION_CODES: { readonly [O in Operation]: number | null } = {
  putKVConfig: RequestCode.PUT_KV_CONFIG,
  getKVConfig: RequestCode.GET_KV_CONFIG,
  deleteKVConfig: RequestCode.DELETE_KV_CONFIG,
  registerBroker: RequestCode.REGISTER_BROKER,
  refreshBrokerRegistration: RequestCode.REGISTER_BROKER,
  unregisterBroker: RequestCode.UNREGISTER_BROKER,
  getRouteInfoByTopic: RequestCode.GET_ROUTEINFO_BY_TOPIC,
  getBrokerClusterInfo: RequestCode.GET_BROKER_CLUSTER_INFO,
  wipeWritePermOfBroker: RequestCode.WIPE_WRITE_PERM_OF_BROKER,
  getAllTopicListFromNameserver: RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
  deleteTopicInNamesrv: RequestCode.DELETE_TOPIC_IN_NAMESRV,
  registerTopicInNamesrv: RequestCode.REGISTER_TOPIC_IN_NAMESRV,
  getKVListByNamespace: RequestCode.GET_KVLIST_BY_NAMESPACE,
  getTopicsByCluster: RequestCode.GET_TOPICS_BY_CLUSTER,
  getSystemTopicListFromNs: RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS,
  getUnitTopicList: RequestCode.GET_UNIT_TOPIC_LIST,
  getHasUnitSubTopicList: RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST,
  getHasUnitSubUnUnitTopicList: RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST,
  updateNamesrvConfig: RequestCode.UPDATE_NAMESRV_CONFIG,
  getNamesrvConfig: RequestCode.GET_NAMESRV_CONFIG,
  queryDataVersion: RequestCode.QUERY_DATA_VERSION,
  addWritePermOfBroker: RequestCode.ADD_WRITE_PERM_OF_BROKER,
  getBrokerMemberGroup: RequestCode.GET_BROKER_MEMBER_GROUP,
  brokerHeartbeat: RequestCode.BROKER_HEARTBEAT,
  createAccount: null,
  getAccount: null,
  listAccounts: null,
  deleteAccount: null,
  putPolicy: null,
  issueToken: null,
  listTokens: null,
  revokeToken: null,
  readAudit: null,
  relayedAccount: null,
  closeChannel: null,
  scanNotActiveBroker: null,
  listNamesrvInstances: null,
  getBrokerLiveInfo: null,
};

export const OPERATIONS = Object.keys(OPERATION_CODES) as Operation[];

/** `body` of a registration, loaded when it is a loader. */
export function loadRegisterBody(body: RegisterBodySource): Promise<RegisterBrokerBody> {
  return typeof body === "function" ? body() : Promise.resolve(body);
}

/** The BrokerIdentity fields of `input`, without what else travels with them (a body, a digest). */
export function brokerIdentityOf<T extends BrokerIdentity>(input: T): BrokerIdentity & Pick<T, keyof BrokerIdentity> {
  const { clusterName, brokerAddr, brokerName, brokerId, haServerAddr, zoneName, heartbeatTimeoutMillis, enableActingMaster, channel } = input;
  return { clusterName, brokerAddr, brokerName, brokerId, haServerAddr, zoneName, heartbeatTimeoutMillis, enableActingMaster, channel };
}
