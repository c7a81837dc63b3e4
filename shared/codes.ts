/** Request codes the NameServer serves (RocketMQ `RequestCode`). */
export const RequestCode = {
  PUT_KV_CONFIG: 100,
  GET_KV_CONFIG: 101,
  DELETE_KV_CONFIG: 102,
  REGISTER_BROKER: 103,
  UNREGISTER_BROKER: 104,
  GET_ROUTEINFO_BY_TOPIC: 105,
  GET_BROKER_CLUSTER_INFO: 106,
  WIPE_WRITE_PERM_OF_BROKER: 205,
  GET_ALL_TOPIC_LIST_FROM_NAMESERVER: 206,
  DELETE_TOPIC_IN_NAMESRV: 216,
  REGISTER_TOPIC_IN_NAMESRV: 217,
  GET_KVLIST_BY_NAMESPACE: 219,
  GET_TOPICS_BY_CLUSTER: 224,
  GET_SYSTEM_TOPIC_LIST_FROM_NS: 304,
  GET_UNIT_TOPIC_LIST: 311,
  GET_HAS_UNIT_SUB_TOPIC_LIST: 312,
  GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST: 313,
  UPDATE_NAMESRV_CONFIG: 318,
  GET_NAMESRV_CONFIG: 319,
  QUERY_DATA_VERSION: 322,
  ADD_WRITE_PERM_OF_BROKER: 327,
  GET_BROKER_MEMBER_GROUP: 901,
  BROKER_HEARTBEAT: 904,
} as const;
export type RequestCode = (typeof RequestCode)[keyof typeof RequestCode];

/** Request codes the NameServer sends to brokers, as a client (not served). */
export const OutboundRequestCode = {
  NOTIFY_MIN_BROKER_ID_CHANGE: 905,
} as const;

/** Response codes (RocketMQ `RemotingSysResponseCode` and `ResponseCode`). */
export const ResponseCode = {
  SUCCESS: 0,
  SYSTEM_ERROR: 1,
  SYSTEM_BUSY: 2,
  REQUEST_CODE_NOT_SUPPORTED: 3,
  NO_PERMISSION: 16,
  TOPIC_NOT_EXIST: 17,
  QUERY_NOT_FOUND: 22,
  GO_AWAY: 1500,
} as const;
export type ResponseCode = (typeof ResponseCode)[keyof typeof ResponseCode];

/** LanguageCode: JSON headers carry the name, binary headers the byte (= ordinal). */
export const LANGUAGE_NAMES = [
  "JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER",
  "HTTP", "GO", "PHP", "OMS", "RUST", "NODE_JS",
] as const;
export type LanguageName = (typeof LANGUAGE_NAMES)[number];

/** MQVersion ordinals that change behaviour. */
export const Version = {
  V3_0_11: 37,
  V4_5_2: 317,
  V4_9_4: 401,
  V5_0_0: 413,
  V5_3_1: 475,
  V5_3_3: 479,
} as const;

/** The version this server announces in every response (mimics a 5.3.3 NameServer). */
export const SERVER_VERSION = Version.V5_3_3;

/** Remoting flag bits. */
export const FLAG_RESPONSE = 1;
export const FLAG_ONEWAY = 2;

/** Topic permission bits (`PermName`). */
export const Perm = { PRIORITY: 8, READ: 4, WRITE: 2, INHERIT: 1 } as const;

/** Topic system-flag bits (`TopicSysFlag`). */
export const TopicSysFlag = { UNIT: 1, UNIT_SUB: 2 } as const;

export const MASTER_ID = 0;
export const DEFAULT_BROKER_TIMEOUT_MILLIS = 120_000;
export const ORDER_TOPIC_CONFIG_NAMESPACE = "ORDER_TOPIC_CONFIG";
/** Frame limit including the 4-byte length prefix. */
export const MAX_FRAME_LENGTH = 16 * 1024 * 1024;
