import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  decodeDataVersion,
  decodeTopicRouteData,
  encodeDataVersion,
  encodeTopicRouteData,
  type Dialect,
} from "../../shared/body-codec";
import { KVConfigFileError, parseKVConfig, serializeKVConfig, type KVConfigTable } from "../../edge/store/kv-config-file";
import { RequestCode, Version } from "../../shared/codes";
import { BodyDecodeError } from "../../shared/errors";
import type { RegisterBrokerBody, TopicRouteData } from "../../shared/model";
import { parseJavaProperties } from "../../shared/properties";
import { decodeRegisterBrokerBody, encodeRegisterBrokerBody, REGISTER_BODY_ERROR_PREFIX } from "../../shared/register-body";
import * as requestHeaders from "../../shared/request-headers";
import { mutateBody } from "./command-mutations";
import { deepJson, oddString, randomJson, randomText } from "./hostile-values";
import { mutateJsonText } from "./json-text-mutations";
import { brokerIdentity } from "./names";
import { SUITE_PROFILE } from "./profiles";
import { Random } from "./random";
import { wellFormed } from "./registration-ledger";
import { deflate, registerBody, validRequest } from "./valid-requests";

const SEED = 0xb0d1_e5;
const utf8 = new TextEncoder();
const inflate = (bytes: Uint8Array) => new Uint8Array(inflateSync(bytes));
const NOW = 1_750_000_000_000;

/** Runs `decode`; an error of `type` (whose message starts with `prefix`) is an answer, anything else fails with `label`. */
function decodeOr<T>(decode: () => T, type: new (...args: never[]) => Error, label: string, prefix = ""): T | null {
  try {
    return decode();
  } catch (err) {
    expect(err, `${label}: ${String(err)}`).toBeInstanceOf(type);
    expect((err as Error).message.startsWith(prefix), label).toBe(true);
    return null;
  }
}

/** Hostile variants of a JSON body: its text mutated, random or deeply nested JSON, random bytes. */
function hostileJsonBody(rng: Random, valid: string): { bytes: Uint8Array; label: string } {
  switch (rng.int(4)) {
    case 0: {
      const depth = rng.size(SUITE_PROFILE.maxNestingDepth);
      return { bytes: utf8.encode(deepJson(rng, depth)), label: `deep(${depth})` };
    }
    case 1:
      return { bytes: utf8.encode(randomJson(rng, 5)), label: "randomJson" };
    case 2:
      return { bytes: rng.bytes(rng.size(512)), label: "random" };
    default: {
      let text = valid;
      const labels: string[] = [];
      for (let n = rng.range(1, 3); n > 0; n--) {
        const mutated = mutateJsonText(rng, text, SUITE_PROFILE);
        text = mutated.text;
        labels.push(mutated.label);
      }
      return { bytes: utf8.encode(text), label: labels.join(" ") };
    }
  }
}

const REGISTER_FORMS = [
  { version: Version.V3_0_11 - 1, compressed: false, name: "bare wrapper" },
  { version: Version.V4_5_2, compressed: false, name: "JSON" },
  { version: Version.V5_3_3, compressed: false, name: "JSON with mappings" },
  { version: Version.V4_9_4, compressed: true, name: "compressed" },
  { version: Version.V5_3_3, compressed: true, name: "compressed with mappings" },
] as const;

/** What a register body reads back as from `form`: what that form does not carry takes its default. */
function readBack(body: RegisterBrokerBody, form: (typeof REGISTER_FORMS)[number]): RegisterBrokerBody {
  const bare = form.version < Version.V3_0_11;
  const topicConfigTable = form.compressed
    ? Object.fromEntries(Object.entries(body.topicConfigTable).map(([k, tc]) => [k, { ...tc, topicSysFlag: 0, order: false }]))
    : body.topicConfigTable;
  return {
    dataVersion: body.dataVersion,
    topicConfigTable,
    topicQueueMappingInfoMap: !bare && form.version >= Version.V5_0_0 ? body.topicQueueMappingInfoMap : {},
    filterServerList: bare ? null : body.filterServerList,
  };
}

describe("register body decoder under fuzzing", () => {
  it.each(REGISTER_FORMS)("reads back what a broker writes in the $name form", (form) => {
    for (let i = 0; i < 300; i++) {
      const rng = Random.forInput(SEED, i);
      const body = registerBody(rng, SUITE_PROFILE, brokerIdentity(rng), form.version);
      const bytes = encodeRegisterBrokerBody(body, { compressed: form.compressed, version: form.version, deflate });
      const decoded = decodeRegisterBrokerBody(bytes, { version: form.version, compressed: form.compressed, inflate, now: NOW });
      expect(decoded, `body #${i}`).toEqual(readBack(body, form));
    }
  });

  it("throws nothing but its BodyDecodeError on hostile bodies of any form", () => {
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const rng = Random.forInput(SEED ^ 1, i);
      const cmd = validRequest(rng, SUITE_PROFILE, RequestCode.REGISTER_BROKER);
      const labels = [mutateBody(rng, cmd, SUITE_PROFILE)];
      if (rng.chance(0.3)) labels.push(mutateBody(rng, cmd, SUITE_PROFILE));
      const compressed = requestHeaders.parseJavaBoolean(cmd.extFields?.compressed ?? "false");
      const label = `#${i} version ${cmd.version} ${labels.join(" ")}`;
      const options = { version: cmd.version, compressed, inflate, now: NOW };
      if (decodeOr(() => decodeRegisterBrokerBody(cmd.body, options), BodyDecodeError, label, REGISTER_BODY_ERROR_PREFIX) === null) refused++;
    }
    expect(refused).toBeGreaterThan(300);
  });
});

function randomRoute(rng: Random): TopicRouteData {
  const name = () => (rng.chance(0.7) ? brokerIdentity(rng).brokerName : wellFormed(randomText(rng, rng.range(1, 20))));
  const route: TopicRouteData = { queueDatas: [], brokerDatas: [], filterServerTable: {} };
  for (let n = rng.size(4); n > 0; n--) {
    route.queueDatas.push({ brokerName: name(), readQueueNums: rng.int(17), writeQueueNums: rng.int(17), perm: rng.int(8), topicSysFlag: rng.int(4) });
    const broker = { cluster: name(), brokerName: name(), brokerAddrs: { "0": brokerIdentity(rng).brokerAddr }, enableActingMaster: rng.chance(0.2) };
    route.brokerDatas.push(rng.chance(0.3) ? { ...broker, zoneName: name() } : broker);
  }
  if (rng.chance(0.2)) route.filterServerTable[brokerIdentity(rng).brokerAddr] = [brokerIdentity(rng).brokerAddr];
  if (rng.chance(0.2)) route.orderTopicConf = `${name()}:4`;
  return route;
}

describe("other body decoders under fuzzing", () => {
  it("read back DataVersion, TopicRouteData and kvConfig.json in every dialect", () => {
    for (let i = 0; i < 400; i++) {
      const rng = Random.forInput(SEED ^ 2, i);
      const dialect: Dialect = rng.chance(0.5) ? "legacy" : "standard";
      const dv = { stateVersion: rng.int(1000), timestamp: rng.int(2 ** 31) * 1000, counter: rng.int(2 ** 31) };
      expect(decodeDataVersion(encodeDataVersion(dv, dialect), NOW)).toEqual(dv);
      const route = randomRoute(rng);
      expect(decodeTopicRouteData(encodeTopicRouteData(route, dialect)), `route #${i}`).toEqual(route);
      const table: KVConfigTable = new Map();
      for (let n = rng.size(4); n > 0; n--) {
        const namespace = wellFormed(oddString(rng, 40));
        const kv = table.get(namespace) ?? new Map<string, string>();
        table.set(namespace, kv);
        for (let k = rng.size(4); k > 0; k--) kv.set(wellFormed(randomText(rng, rng.size(20))), wellFormed(randomText(rng, rng.size(60))));
      }
      expect(parseKVConfig(serializeKVConfig(table)), `kv table #${i}`).toEqual(table);
    }
  });

  it("throw nothing but BodyDecodeError on hostile bodies (KVConfigFileError on a hostile kvConfig.json)", () => {
    for (let i = 0; i < 1500; i++) {
      const rng = Random.forInput(SEED ^ 3, i);
      const dv = hostileJsonBody(rng, encodeDataVersion({ stateVersion: 1, timestamp: NOW, counter: 2 }, "legacy"));
      decodeOr(() => decodeDataVersion(dv.bytes, NOW), BodyDecodeError, `#${i} DataVersion ${dv.label}`);
      const route = hostileJsonBody(rng, encodeTopicRouteData(randomRoute(rng), rng.chance(0.5) ? "legacy" : "standard"));
      decodeOr(() => decodeTopicRouteData(route.bytes), BodyDecodeError, `#${i} TopicRouteData ${route.label}`);
      const kv = hostileJsonBody(rng, serializeKVConfig(new Map([[oddString(rng, 20), new Map([[oddString(rng, 20), oddString(rng, 40)]])]])));
      decodeOr(() => parseKVConfig(new TextDecoder().decode(kv.bytes)), KVConfigFileError, `#${i} kvConfig ${kv.label}`);
    }
  });

  it("parse any properties body to entries or a BodyDecodeError", () => {
    for (let i = 0; i < 1500; i++) {
      const rng = Random.forInput(SEED ^ 4, i);
      const valid = validRequest(rng, SUITE_PROFILE, RequestCode.UPDATE_NAMESRV_CONFIG).body!;
      const bytes = rng.chance(0.5) ? rng.bytes(rng.size(300)) : utf8.encode(new TextDecoder().decode(valid) + randomText(rng, rng.size(40)) + rng.pick(["\\u12", "\\", "\\uZZZZ", ""]));
      decodeOr(() => parseJavaProperties(bytes), BodyDecodeError, `#${i} ${Buffer.from(bytes).toString("hex")}`);
    }
  });

  it("request header decoders read any ext fields without throwing", () => {
    const decoders = Object.entries(requestHeaders).filter(([name, f]) => name.startsWith("decode") && typeof f === "function") as Array<
      [string, (ext: Record<string, string> | null) => unknown]
    >;
    expect(decoders.length).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < 1000; i++) {
      const rng = Random.forInput(SEED ^ 5, i);
      const ext = rng.chance(0.1) ? null : (validRequest(rng, SUITE_PROFILE).extFields ?? {});
      if (ext) for (const key of [...Object.keys(ext), "brokerId", "bodyCrc32", "compressed"]) if (rng.chance(0.5)) ext[key] = oddString(rng, 300);
      for (const [name, decode] of decoders) expect(() => decode(ext), `${name} #${i}`).not.toThrow();
    }
  });
});
