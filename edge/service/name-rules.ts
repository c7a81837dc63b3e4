import type { RegisterBrokerBody } from "../../shared/model";
import type { NamesrvConfig } from "../config/namesrv-config";
import { utf8Length } from "../../shared/utf8-length";
import { isWellFormedName, unpairedSurrogateRemark } from "../../shared/well-formed-names";
import { badRequest } from "../port/namesrv-error";
import { keysOf, type Slices } from "../../shared/event-loop-slices";

/**
 * What a name or value must be before it reaches the store. Both callers of the services (the HTTP
 * handlers and the tcp-bridge's direct calls) pass through here, so every path gets the same rules
 * and the same remarks (SYSTEM_ERROR on the wire, 400 over HTTP).
 */

/** Java's TopicValidator.TOPIC_MAX_LENGTH. */
export const TOPIC_MAX_LENGTH = 127;

/** Java's TopicValidator character rule, `^[%|a-zA-Z0-9_-]+$`. */
const TOPIC_CHARACTERS = /^[%|a-zA-Z0-9_-]+$/;

const RETRY_TOPIC_PREFIX = "%RETRY%";
/** Pop retry topics are `%RETRY%<group>+<topic>` (the broker's KeyBuilder, retry topic v2). */
const POP_RETRY_CHARACTERS = /^[%|a-zA-Z0-9_+-]+$/;

type NameLimits = Pick<NamesrvConfig, "maxNameLength">;

/** A broker, cluster or zone name, a broker address, a KV namespace or key. */
export function checkName(what: string, name: string, limits: NameLimits): void {
  if (name.length > limits.maxNameLength) {
    throw badRequest(`${what} of ${name.length} characters is longer than maxNameLength (${limits.maxNameLength})`);
  }
  checkWellFormed(what, name);
}

/** Refuses a name that holds an unpaired UTF-16 surrogate. */
export function checkWellFormed(what: string, name: string): void {
  if (!isWellFormedName(name)) throw badRequest(unpairedSurrogateRemark(what));
}

/**
 * The longest topic a broker registration may carry. Brokers register names they derive from a
 * group or broker name as well as ordinary topics (`%RETRY%<group>`, `%DLQ%<group>`, pop retry
 * topics `%RETRY%<group>+<topic>`, `rmq_sys_SYNC_BROKER_MEMBER_<brokerName>`,
 * `<cluster>_REPLY_TOPIC`): a prefix, a name, a separator and a topic at most.
 */
export function registeredTopicMaxLength(limits: NameLimits): number {
  return 8 + limits.maxNameLength + 1 + TOPIC_MAX_LENGTH;
}

function checkRegisteredTopic(topic: string, maxLength: number): void {
  if (topic.length > maxLength) {
    throw badRequest(`topic of ${topic.length} characters is longer than the longest registrable topic (${maxLength})`);
  }
  if (!isWellFormedName(topic)) throw badRequest(unpairedSurrogateRemark(`topic ${JSON.stringify(topic)}`));
}

/**
 * The topics of a REGISTER_BROKER body: how many (maxTopicsPerRegistration), and each name's
 * length and encoding, table keys and the topicName of each config alike (the store uses the
 * latter). Java's character rule is not applied: brokers register system topics with `%` and `|`.
 * With `slices`, other requests are served between slices of a large table.
 */
export async function checkRegisteredTopics(
  body: RegisterBrokerBody,
  limits: Pick<NamesrvConfig, "maxNameLength" | "maxTopicsPerRegistration">,
  slices: Slices | null = null,
): Promise<void> {
  const maxLength = registeredTopicMaxLength(limits);
  const table = body.topicConfigTable;
  let count = 0;
  for (const key of keysOf(table ?? {})) {
    if (slices?.due()) await slices.next();
    if (++count > limits.maxTopicsPerRegistration) {
      throw badRequest(`registration has more than maxTopicsPerRegistration (${limits.maxTopicsPerRegistration}) topics`);
    }
    checkRegisteredTopic(key, maxLength);
    const topicName = table[key].topicName;
    if (typeof topicName === "string" && topicName !== key) checkRegisteredTopic(topicName, maxLength);
  }
  for (const key of keysOf(body.topicQueueMappingInfoMap ?? {})) {
    if (slices?.due()) await slices.next();
    checkRegisteredTopic(key, maxLength);
  }
}

/**
 * REGISTER_TOPIC_IN_NAMESRV's topic, by Java's TopicValidator.validateTopic (its remarks too). A
 * broker registers pop retry topics this way as well, so `%RETRY%` names may also hold the `+` of
 * `%RETRY%<group>+<topic>` and be as long as a registration's derived names.
 */
export function checkTopicToRegister(topic: string, limits: NameLimits): void {
  if (topic.trim().length === 0) throw badRequest("The specified topic is blank.");
  const popRetry = topic.startsWith(RETRY_TOPIC_PREFIX);
  if (!(popRetry ? POP_RETRY_CHARACTERS : TOPIC_CHARACTERS).test(topic)) {
    throw badRequest("The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$");
  }
  if (topic.length > (popRetry ? registeredTopicMaxLength(limits) : TOPIC_MAX_LENGTH)) {
    throw badRequest("The specified topic is longer than topic max length.");
  }
}

/** A KV configuration value: at most maxKvValueBytes in UTF-8, and encodable as UTF-8 unchanged. */
export function checkKvValue(value: string, limits: Pick<NamesrvConfig, "maxKvValueBytes">): void {
  const max = limits.maxKvValueBytes;
  // every UTF-16 unit takes 1 to 3 UTF-8 bytes: count only when the length alone cannot tell
  if (value.length > max || (value.length * 3 > max && utf8Length(value) > max)) {
    throw badRequest(`KV value is larger than maxKvValueBytes (${max} bytes in UTF-8)`);
  }
  checkWellFormed("value", value);
}

/** A broker's heartbeatTimeoutMillis, when it asks for one: positive and at most maxHeartbeatTimeoutMillis. */
export function checkHeartbeatTimeout(millis: number | null, limits: Pick<NamesrvConfig, "maxHeartbeatTimeoutMillis">): void {
  if (millis === null) return;
  if (!(millis > 0 && millis <= limits.maxHeartbeatTimeoutMillis)) {
    throw badRequest(`heartbeatTimeoutMillis ${millis} is outside 1..maxHeartbeatTimeoutMillis (${limits.maxHeartbeatTimeoutMillis})`);
  }
}
