/**
 * Which brokers, clusters and topics the fuzzer may have created: those named by a REGISTER_BROKER
 * or REGISTER_TOPIC_IN_NAMESRV the server did not refuse (answered SUCCESS, or never answered:
 * oneway, or its connection closed first). Anything else found in the server's state was left by
 * a request it refused, or by no request at all: a corruption.
 *
 * One refusal leaves traces by design: a broker's first registration with exactly one topic is
 * answered `register broker failed` after its cluster and an empty broker entry were added, as the
 * Java NameServer does (PROTOCOL §4.3 step 7).
 *
 * Names are compared as the server's JSON answers carry them: lone surrogates become U+FFFD.
 */
import { inflateSync } from "node:zlib";
import { RequestCode, ResponseCode } from "../../shared/codes";
import { parseFastjson } from "../../shared/fastjson-reader";
import { decodeRegisterBrokerBody } from "../../shared/register-body";
import { Remark } from "../../shared/remarks";
import type { RemotingCommand } from "../../shared/remoting-command";
import { decodeRegisterBrokerRequestHeader, decodeRegisterTopicRequestHeader } from "../../shared/request-headers";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** `name` as it comes back in a UTF-8 answer. */
export const wellFormed = (name: string) => decoder.decode(encoder.encode(name));

export interface KnownNames {
  clusterName: string;
  brokerName: string;
  topics: readonly string[];
}

export class RegistrationLedger {
  readonly brokers = new Set<string>();
  readonly clusters = new Set<string>();
  readonly topics = new Set<string>();
  /** How the server last refused a registration naming a broker or topic: the clue when it shows up anyway. */
  private readonly refusals = new Map<string, string>();

  /** `preexisting`: what was there before the fuzzer started (the sentinel). */
  constructor(preexisting: KnownNames) {
    this.record(preexisting.clusterName, preexisting.brokerName, preexisting.topics);
  }

  /** A request and the server's answer (null: none came, it may have been applied). */
  answered(request: RemotingCommand, response: RemotingCommand | null): void {
    if (response === null || response.code === ResponseCode.SUCCESS) {
      this.mayHaveApplied(request);
    } else if (request.code === RequestCode.REGISTER_BROKER) {
      const h = decodeRegisterBrokerRequestHeader(request.extFields);
      if (response.remark === Remark.REGISTER_BROKER_FAILED) this.record(h.clusterName, h.brokerName, []);
      else if (h.brokerName !== null) this.noteRefusal(h.brokerName, response);
    } else if (request.code === RequestCode.REGISTER_TOPIC_IN_NAMESRV) {
      const { topic } = decodeRegisterTopicRequestHeader(request.extFields);
      if (topic !== null) this.noteRefusal(topic, response);
    }
  }

  private noteRefusal(name: string, response: RemotingCommand): void {
    if (this.refusals.size >= 100_000) this.refusals.clear();
    this.refusals.set(wellFormed(name), `code ${response.code}: ${String(response.remark).slice(0, 160)}`);
  }

  private clue(name: string): string {
    const refusal = this.refusals.get(name);
    return refusal ? ` (a registration naming it was refused with ${refusal})` : "";
  }

  private mayHaveApplied(request: RemotingCommand): void {
    if (request.code === RequestCode.REGISTER_BROKER) {
      const h = decodeRegisterBrokerRequestHeader(request.extFields);
      let topics: string[] = [];
      try {
        const body = decodeRegisterBrokerBody(request.body, {
          version: request.version,
          compressed: h.compressed,
          inflate: (b) => new Uint8Array(inflateSync(b)),
          now: Date.now(),
        });
        topics = Object.keys(body.topicConfigTable);
      } catch {
        // the server cannot have registered topics from a body it cannot read
      }
      this.record(h.clusterName, h.brokerName, topics);
    } else if (request.code === RequestCode.REGISTER_TOPIC_IN_NAMESRV) {
      const { topic } = decodeRegisterTopicRequestHeader(request.extFields);
      if (topic !== null) this.topics.add(wellFormed(topic));
    }
  }

  private record(clusterName: string | null, brokerName: string | null, topics: readonly string[]): void {
    if (clusterName !== null) this.clusters.add(wellFormed(clusterName));
    if (brokerName !== null) this.brokers.add(wellFormed(brokerName));
    for (const topic of topics) this.topics.add(wellFormed(topic));
  }

  /**
   * What the server's GET_BROKER_CLUSTER_INFO and GET_ALL_TOPIC_LIST bodies show that no
   * registration the server accepted can explain, one line each.
   */
  unexplained(clusterInfoBody: Uint8Array, topicListBody: Uint8Array): string[] {
    const problems: string[] = [];
    const info = parseFastjson(decoder.decode(clusterInfoBody)) as {
      brokerAddrTable?: Record<string, unknown>;
      clusterAddrTable?: Record<string, unknown>;
    };
    for (const broker of Object.keys(info.brokerAddrTable ?? {})) {
      if (!this.brokers.has(broker)) problems.push(`broker ${JSON.stringify(broker)} was never registered successfully${this.clue(broker)}`);
    }
    for (const cluster of Object.keys(info.clusterAddrTable ?? {})) {
      if (!this.clusters.has(cluster)) problems.push(`cluster ${JSON.stringify(cluster)} was never registered successfully`);
    }
    for (const topic of topicsOf(topicListBody)) {
      if (!this.topics.has(topic)) problems.push(`topic ${JSON.stringify(topic)} was never registered successfully${this.clue(topic)}`);
    }
    return problems;
  }
}

/** The topics of a GET_ALL_TOPIC_LIST answer body. */
export function topicsOf(topicListBody: Uint8Array): string[] {
  const list = parseFastjson(decoder.decode(topicListBody)) as { topicList?: unknown };
  return Array.isArray(list.topicList) ? list.topicList.map(String) : [];
}
