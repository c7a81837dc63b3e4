/** Remarks the Java NameServer puts on its error responses; clients show them, some tests compare them. */

const FAQ_URL = "https://rocketmq.apache.org/docs/bestPractice/06FAQ";

export function topicNotExistRemark(topic: string | null): string {
  return `No topic route info in name server for the topic: ${topic}\nSee ${FAQ_URL} for further details.`;
}

export function kvNotFoundRemark(namespace: string | null, key: string | null): string {
  return `No config item, Namespace: ${namespace} Key: ${key}`;
}

export function kvNamespaceNotFoundRemark(namespace: string | null): string {
  return `No config item, Namespace: ${namespace}`;
}

export const Remark = {
  CRC32_NOT_MATCH: "crc32 not match",
  REGISTER_BROKER_FAILED: "register broker failed",
  NAMESPACE_OR_KEY_NULL: "namespace or key is null",
  NOT_READY: "name server not ready",
  DISABLED: "disable",
  CONFIG_BLACK_LIST: "Can not update config in black list.",
  PROPERTIES_ERROR: "string2Properties error",
  /** the placeholder remark of a response whose code was never set */
  NOT_SET: "not set any response code",
  /** a request refused because too much work is already waiting (Java: its pool's queue is full) */
  OVERLOAD: "[OVERLOAD]system busy, start flow control for a while",
  notSupported: (code: number) => ` request type ${code} not supported`,
} as const;
