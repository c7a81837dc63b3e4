import { z } from "zod";
import { LIMIT_DEFAULTS, limitSchema } from "./limits";

/**
 * The NameServer's configuration: the Java NamesrvConfig and NettyServerConfig keys (same names,
 * same defaults, so a Java `namesrv.properties` works unchanged) plus this server's own keys.
 * Values are validated with zod; a bad value is an error, never silently ignored.
 */

const bool = z
  .union([z.boolean(), z.string().regex(/^(true|false)$/i, "expected true or false")])
  .transform((v) => (typeof v === "boolean" ? v : v.toLowerCase() === "true"));
const int = (min = -2147483648, max = 2147483647) =>
  z
    .union([z.number(), z.string().trim().regex(/^-?\d+$/, "expected an integer")])
    .transform((v) => Number(v))
    .pipe(z.number().int().min(min).max(max));
const port = int(0, 65535);
const str = z.string().transform((s) => s.trim());
/** The limits' keys (edge/config/limits.ts), validated as integers within their ranges. */
const LIMIT_KEYS_SCHEMA = () => limitSchema(int);

export const NAMESRV_CONFIG_SCHEMA = {
  // NamesrvConfig
  rocketmqHome: str.optional(),
  kvConfigPath: str,
  configStorePath: str,
  productEnvName: str,
  clusterTest: bool,
  orderMessageEnable: bool,
  returnOrderTopicConfigToBroker: bool,
  clientRequestThreadPoolNums: int(1),
  defaultThreadPoolNums: int(1),
  clientRequestThreadPoolQueueCapacity: int(1),
  defaultThreadPoolQueueCapacity: int(1),
  scanNotActiveBrokerInterval: int(1),
  unRegisterBrokerQueueCapacity: int(1),
  supportActingMaster: bool,
  enableAllTopicList: bool,
  enableTopicList: bool,
  notifyMinBrokerIdChanged: bool,
  enableControllerInNamesrv: bool,
  needWaitForService: bool,
  waitSecondsForService: int(0),
  deleteTopicWithBrokerRegistration: bool,
  configBlackList: str,
  // NettyServerConfig
  bindAddress: str,
  listenPort: port,
  serverWorkerThreads: int(0),
  serverCallbackExecutorThreads: int(0),
  serverSelectorThreads: int(0),
  serverOnewaySemaphoreValue: int(0),
  serverAsyncSemaphoreValue: int(0),
  serverChannelMaxIdleTimeSeconds: int(0),
  serverSocketSndBufSize: int(0),
  serverSocketRcvBufSize: int(0),
  writeBufferHighWaterMark: int(0),
  writeBufferLowWaterMark: int(0),
  serverSocketBacklog: int(0),
  serverNettyWorkerGroupEnable: bool,
  serverPooledByteBufAllocatorEnable: bool,
  enableShutdownGracefully: bool,
  shutdownWaitTimeSeconds: int(0),
  useEpollNativeSelector: bool,
  // this server's own
  httpPort: port,
  /** Origins allowed to call the HTTP API from a browser (CORS), `;`-separated; empty: none. */
  httpCorsAllowOrigins: str,
  // access control (edge/auth), with the names of Java's AuthConfig
  authenticationEnabled: bool,
  authorizationEnabled: bool,
  /** `{"username":"…","password":"…"}`: an administrator account made at start-up if missing */
  initAuthenticationUser: str,
  /** addresses and CIDRs (`,`-separated) whose calls skip authentication and authorization */
  authenticationWhitelist: str,
  /** `stdout`, `off`, or a file the audit records are appended to (JSON lines) */
  auditLog: str,
  // part LOGS (issue 11): the access log, read at start-up
  /** level of the access log's line per request (`off`: none); failures are logged at error whatever it says */
  accessLogLevel: z.enum(["debug", "info", "warn", "error", "off"]),
  /** share of requests the access log writes a line for, 0 to 1 */
  accessLogSampleRate: z
    .union([z.number(), z.string().trim().regex(/^(\d+(\.\d*)?|\.\d+)$/, "expected a number from 0 to 1")])
    .transform((v) => Number(v))
    .pipe(z.number().min(0).max(1)),
  ...LIMIT_KEYS_SCHEMA(),
};

export const namesrvConfigSchema = z.object(NAMESRV_CONFIG_SCHEMA);
export type NamesrvConfig = z.infer<typeof namesrvConfigSchema>;
export type NamesrvConfigKey = keyof NamesrvConfig;

export function defaultNamesrvConfig(home: string): NamesrvConfig {
  return {
    kvConfigPath: `${home}/namesrv/kvConfig.json`,
    configStorePath: `${home}/namesrv/namesrv.properties`,
    productEnvName: "center",
    clusterTest: false,
    orderMessageEnable: false,
    returnOrderTopicConfigToBroker: true,
    clientRequestThreadPoolNums: 8,
    defaultThreadPoolNums: 16,
    clientRequestThreadPoolQueueCapacity: 50000,
    defaultThreadPoolQueueCapacity: 10000,
    scanNotActiveBrokerInterval: 5000,
    unRegisterBrokerQueueCapacity: 3000,
    supportActingMaster: false,
    enableAllTopicList: true,
    enableTopicList: true,
    notifyMinBrokerIdChanged: false,
    enableControllerInNamesrv: false,
    needWaitForService: false,
    waitSecondsForService: 45,
    deleteTopicWithBrokerRegistration: false,
    configBlackList: "configBlackList;configStorePath;kvConfigPath",
    bindAddress: "0.0.0.0",
    listenPort: 9876,
    serverWorkerThreads: 8,
    serverCallbackExecutorThreads: 0,
    serverSelectorThreads: 3,
    serverOnewaySemaphoreValue: 256,
    serverAsyncSemaphoreValue: 64,
    serverChannelMaxIdleTimeSeconds: 120,
    serverSocketSndBufSize: 0,
    serverSocketRcvBufSize: 0,
    writeBufferHighWaterMark: 0,
    writeBufferLowWaterMark: 0,
    serverSocketBacklog: 1024,
    serverNettyWorkerGroupEnable: true,
    serverPooledByteBufAllocatorEnable: true,
    enableShutdownGracefully: false,
    shutdownWaitTimeSeconds: 30,
    useEpollNativeSelector: false,
    httpPort: 8080,
    httpCorsAllowOrigins: "",
    authenticationEnabled: false,
    authorizationEnabled: false,
    initAuthenticationUser: "",
    authenticationWhitelist: "",
    auditLog: "stdout",
    // part LOGS (issue 11)
    accessLogLevel: "debug",
    accessLogSampleRate: 1,
    ...LIMIT_DEFAULTS,
  };
}

export function isConfigKey(key: string): key is NamesrvConfigKey {
  return Object.prototype.hasOwnProperty.call(NAMESRV_CONFIG_SCHEMA, key);
}

/** Thrown when a configuration value does not validate; names every offending key. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Applies string entries (a properties file, environment, or UPDATE_NAMESRV_CONFIG) on top of
 * `base`. Known keys are validated; unknown keys are returned in `extra` (the Java server keeps
 * them in its property registry). Throws ConfigError listing every invalid value.
 */
export function applyConfigEntries(
  base: NamesrvConfig,
  entries: Record<string, string>,
): { config: NamesrvConfig; extra: Record<string, string> } {
  const config: Record<string, unknown> = { ...base };
  const extra: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(entries)) {
    if (!isConfigKey(key)) {
      extra[key] = raw;
      continue;
    }
    const parsed = NAMESRV_CONFIG_SCHEMA[key].safeParse(raw);
    if (parsed.success) config[key] = parsed.data;
    else problems.push(`${key}=${JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration value(s): ${problems.join(", ")}`);
  return { config: config as NamesrvConfig, extra };
}

/** Keys UPDATE_NAMESRV_CONFIG must refuse: the fixed ones plus the configured black list. */
export function configBlackList(config: NamesrvConfig): Set<string> {
  const keys = new Set(["configBlackList", "configStorePath", "kvConfigPath", "rocketmqHome", ...SECURITY_KEYS]);
  for (const k of config.configBlackList.split(";")) if (k.trim()) keys.add(k.trim());
  return keys;
}

/**
 * Keys no remote client may change at run time (UPDATE_NAMESRV_CONFIG refuses them): turning
 * authentication off, or the audit, must take access to the process.
 */
export const SECURITY_KEYS = ["authenticationEnabled", "authorizationEnabled", "initAuthenticationUser", "authenticationWhitelist", "auditLog"] as const;

/** Keys whose value is a secret: GET_NAMESRV_CONFIG shows them masked. */
const SECRET_KEYS: ReadonlySet<string> = new Set(["initAuthenticationUser"]);

/** All properties as strings (GET_NAMESRV_CONFIG), unset ones skipped, extras included; secrets masked when asked. */
export function configToProperties(config: NamesrvConfig, extra: Record<string, string>, maskSecrets: boolean): Record<string, string> {
  const out: Record<string, string> = { ...extra };
  for (const [k, v] of Object.entries(config)) {
    if (v !== undefined && v !== null) out[k] = maskSecrets && SECRET_KEYS.has(k) && v !== "" ? "******" : String(v);
  }
  return out;
}
