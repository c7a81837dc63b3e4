/**
 * Mutations of a request before it is serialized: header fields, codes, flags and bodies a client
 * could send in a well-formed frame. Each mutates the command in place and returns its label.
 */
import { RequestCode, Version } from "../../shared/codes";
import { brokerBodyCrc32 } from "../../shared/crc32";
import { raw } from "../../shared/fastjson-writer";
import { encodeCompressedRegisterPayload, encodeRegisterBrokerBody } from "../../shared/register-body";
import type { RemotingCommand } from "../../shared/remoting-command";
import { badUtf8, deepJson, escapeHeavyText, EXTREME_NUMBERS, oddString, randomJson, randomText } from "./hostile-values";
import { mutateJsonText } from "./json-text-mutations";
import { brokerIdentity } from "./names";
import { valueSize, type FuzzProfile } from "./profiles";
import type { Random } from "./random";
import { deflate, registerBody, registerExtFields } from "./valid-requests";

type CommandMutation = (rng: Random, cmd: RemotingCommand, profile: FuzzProfile) => string;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

const EXT_NAMES = [
  "topic", "brokerName", "brokerAddr", "clusterName", "brokerId", "namespace", "key", "value", "cluster",
  "compressed", "bodyCrc32", "heartbeatTimeoutMillis", "enableActingMaster", "haServerAddr",
  "acceptStandardJsonOnly", "__ZONE_MODE", "__ZONE_NAME", "__proto__", "constructor",
];

/** A value for an ext field: odd, extreme, huge, or escape-heavy (it grows when a reply echoes it). */
function hostileExtValue(rng: Random, profile: FuzzProfile): { value: string; label: string } {
  switch (rng.int(6)) {
    case 0:
      return { value: rng.pick(EXTREME_NUMBERS), label: "extremeNumber" };
    case 1: {
      const n = valueSize(rng, profile);
      return { value: "v".repeat(n), label: `huge(${n})` };
    }
    case 2: {
      const n = valueSize(rng, profile);
      return { value: escapeHeavyText(n), label: `escapeHeavy(${n})` };
    }
    case 3:
      return { value: randomText(rng, rng.size(40)), label: "randomText" };
    default:
      return { value: oddString(rng, 300), label: "odd" };
  }
}

const extValue: CommandMutation = (rng, cmd, profile) => {
  const ext = (cmd.extFields ??= {});
  const existing = Object.keys(ext);
  const name = existing.length > 0 && rng.chance(0.8) ? rng.pick(existing) : rng.pick(EXT_NAMES);
  const { value, label } = hostileExtValue(rng, profile);
  Object.defineProperty(ext, name, { value, enumerable: true, writable: true, configurable: true });
  return `ext.${name}=${label}`;
};

const extShape: CommandMutation = (rng, cmd) => {
  switch (rng.int(4)) {
    case 0:
      cmd.extFields = null;
      return "ext=null";
    case 1:
      cmd.extFields = {};
      return "ext={}";
    case 2: {
      const keys = Object.keys(cmd.extFields ?? {});
      if (keys.length === 0) return "ext-nothing";
      const name = rng.pick(keys);
      delete cmd.extFields![name];
      return `ext-${name}`;
    }
    default: {
      const ext = (cmd.extFields ??= {});
      for (let i = rng.range(1, 50); i > 0; i--) ext[oddString(rng, 40) || `k${i}`] = oddString(rng, 40);
      return "ext+many";
    }
  }
};

const UNKNOWN_CODES = [0, -1, 1, 2, 99, 107, 200, 320, 999, 32767, -32768, 65535, 0x10069];

const code: CommandMutation = (rng, cmd) => {
  cmd.code = rng.chance(0.8) ? rng.pick(UNKNOWN_CODES) : rng.int32();
  return `code=${cmd.code}`;
};

const flag: CommandMutation = (rng, cmd) => {
  cmd.flag = rng.weighted([[6, 2], [2, 1], [1, 3], [1, rng.int32()]]);
  return `flag=${cmd.flag}`;
};

const header: CommandMutation = (rng, cmd, profile) => {
  switch (rng.int(3)) {
    case 0:
      cmd.version = rng.pick([-1, 0, 36, 37, 412, 413, 32767, 65535, 0x7fffffff, rng.int32()]);
      return `version=${cmd.version}`;
    case 1:
      cmd.language = null;
      return "language=null";
    default:
      cmd.remark = hostileExtValue(rng, profile).value;
      return "remark";
  }
};

/** A register body whose mapping entry nests `depth` levels (routes re-encode stored mappings). */
function deepMappingBody(rng: Random, cmd: RemotingCommand, profile: FuzzProfile, depth: number, compressed: boolean): Uint8Array {
  const broker = brokerIdentity(rng);
  const body = registerBody(rng, profile, broker, Version.V5_3_3);
  const topic = Object.keys(body.topicConfigTable)[0] ?? "fz-topic-0";
  body.topicQueueMappingInfoMap[topic] = { topic, bname: broker.brokerName, nested: raw(deepJson(rng, depth)) as unknown };
  cmd.version = Version.V5_3_3;
  cmd.code = RequestCode.REGISTER_BROKER;
  cmd.extFields = registerExtFields(rng, broker, null, compressed);
  return encodeRegisterBrokerBody(body, { compressed, version: Version.V5_3_3, deflate });
}

/** A compressed body that is not what the header says, or inflates far beyond its size. */
function compressedGarbage(rng: Random, cmd: RemotingCommand, profile: FuzzProfile): { body: Uint8Array; label: string } {
  switch (rng.int(5)) {
    case 0:
      return { body: rng.bytes(rng.size(512)), label: "notZlib" };
    case 1:
      return { body: deflate(rng.bytes(rng.size(2048))), label: "zlibOfRandom" };
    case 2: {
      const payload = encodeCompressedRegisterPayload(registerBody(rng, profile, brokerIdentity(rng), cmd.version), cmd.version);
      const at = rng.int(payload.length);
      const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      if (at + 4 <= payload.length) view.setInt32(at, rng.pick([-1, 0x7fffffff, 0x10000000, rng.int32()]));
      return { body: deflate(payload), label: `zlibOfLyingLengths@${at}` };
    }
    case 3: {
      const whole = deflate(encodeCompressedRegisterPayload(registerBody(rng, profile, brokerIdentity(rng), cmd.version), cmd.version));
      return { body: whole.subarray(0, rng.int(whole.length)), label: "zlibCut" };
    }
    default: {
      // above 1 MiB in powers of two, so that the few sizes can be kept
      let inflated = rng.size(profile.maxInflatedBytes);
      if (inflated > 1024 * 1024) inflated = 2 ** Math.floor(Math.log2(inflated));
      return { body: bomb(inflated), label: `bomb(${inflated})` };
    }
  }
}

const bombs = new Map<number, Uint8Array>();
/** A zlib stream of `inflated` zero bytes (about a thousandth of that on the wire). */
function bomb(inflated: number): Uint8Array {
  let out = bombs.get(inflated);
  if (!out) {
    out = deflate(new Uint8Array(inflated));
    if (inflated > 1024 * 1024) bombs.set(inflated, out);
  }
  return out;
}

/** The body replaced or mutated (JSON text, UTF-8, compression, nesting); for a registration mostly with a CRC that matches. */
export const mutateBody: CommandMutation = (rng, cmd, profile) => {
  let label: string;
  const isRegister = cmd.code === RequestCode.REGISTER_BROKER;
  switch (rng.int(isRegister ? 9 : 7)) {
    case 0: {
      const depth = rng.size(profile.maxNestingDepth);
      cmd.body = utf8.encode(deepJson(rng, depth));
      label = `body=deep(${depth})`;
      break;
    }
    case 1:
      cmd.body = utf8.encode(randomJson(rng, 5));
      label = "body=randomJson";
      break;
    case 2: {
      const n = valueSize(rng, profile);
      cmd.body = rng.bytes(n);
      label = `body=random(${n})`;
      break;
    }
    case 3: {
      if (!cmd.body || cmd.body.length === 0) cmd.body = utf8.encode(randomJson(rng, 3));
      const at = rng.int(cmd.body.length + 1);
      const bad = badUtf8(rng);
      const out = new Uint8Array(cmd.body.length + bad.length);
      out.set(cmd.body.subarray(0, at));
      out.set(bad, at);
      out.set(cmd.body.subarray(at), at + bad.length);
      cmd.body = out;
      label = `body+badUtf8@${at}`;
      break;
    }
    case 4:
      cmd.body = rng.chance(0.5) ? null : new Uint8Array(0);
      label = "body=none";
      break;
    case 5:
    case 6: {
      if (!cmd.body || cmd.body.length === 0 || cmd.extFields?.compressed === "true") return extValue(rng, cmd, profile);
      const mutated = mutateJsonText(rng, fromUtf8.decode(cmd.body), profile);
      cmd.body = utf8.encode(mutated.text);
      label = `body.${mutated.label}`;
      break;
    }
    case 7: {
      const garbage = compressedGarbage(rng, cmd, profile);
      cmd.body = garbage.body;
      (cmd.extFields ??= {}).compressed = "true";
      label = `body=${garbage.label}`;
      break;
    }
    default: {
      const depth = rng.size(profile.maxNestingDepth);
      const compressed = rng.chance(0.3);
      cmd.body = deepMappingBody(rng, cmd, profile, depth, compressed);
      label = `body=deepMapping(${depth}${compressed ? ",compressed" : ""})`;
    }
  }
  // Mostly with a CRC that matches, so the body gets past the check to the decoder.
  if (isRegister && cmd.extFields && rng.chance(0.8)) cmd.extFields.bodyCrc32 = String(brokerBodyCrc32(cmd.body));
  return label;
};

const crc: CommandMutation = (rng, cmd) => {
  const ext = (cmd.extFields ??= {});
  const right = brokerBodyCrc32(cmd.body);
  ext.bodyCrc32 = rng.pick([String(right + 1), String(right ^ 0x40000000), "-1", "2147483648", "abc", String(rng.int32())]);
  return `crc=${ext.bodyCrc32}`;
};

const compressedFlag: CommandMutation = (rng, cmd) => {
  const ext = (cmd.extFields ??= {});
  ext.compressed = ext.compressed === "true" ? "false" : rng.pick(["true", "TRUE", "True"]);
  return `compressed=${ext.compressed}`;
};

const COMMAND_MUTATIONS: ReadonlyArray<readonly [number, CommandMutation]> = [
  [10, extValue],
  [4, extShape],
  [2, code],
  [4, flag],
  [3, header],
  [8, mutateBody],
  [2, crc],
  [1, compressedFlag],
];

/** One to three mutations of `cmd`, in place; their labels. */
export function mutateCommand(rng: Random, cmd: RemotingCommand, profile: FuzzProfile): string[] {
  const labels: string[] = [];
  for (let n = rng.weighted([[6, 1], [3, 2], [1, 3]]); n > 0; n--) labels.push(rng.weighted(COMMAND_MUTATIONS)(rng, cmd, profile));
  return labels;
}
