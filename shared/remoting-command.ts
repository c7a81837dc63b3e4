/**
 * RemotingCommand: decoding a frame (as returned by FrameDecoder) and encoding a whole frame
 * (PROTOCOL §1.2–§1.6).
 */
import { FLAG_ONEWAY, FLAG_RESPONSE, type LanguageName, SERVER_VERSION } from "./codes";
import { ProtocolError } from "./errors";
import { DEFAULT_MAX_JSON_DEPTH } from "./fastjson-reader";
import { decodeJsonHeader, encodeJsonHeader, encodeJsonHeaderText } from "./header-json";
import { decodeRocketMQHeader, encodeRocketMQHeader } from "./header-rocketmq";

export type SerializeType = "JSON" | "ROCKETMQ";

export interface RemotingCommand {
  code: number;
  language: LanguageName | null;
  version: number;
  /** signed int32, echoed bit-exactly */
  opaque: number;
  flag: number;
  remark: string | null;
  extFields: Record<string, string> | null;
  body: Uint8Array | null;
  serializeType: SerializeType;
}

/** The header part of a command (everything but the body and the serialize type). */
export type RemotingCommandHeader = Omit<RemotingCommand, "body" | "serializeType">;

const SERIALIZE_JSON = 0;
const SERIALIZE_ROCKETMQ = 1;

export interface DecodeCommandOptions {
  /** Deepest nesting of a JSON header (the `maxJsonDepth` limit); DEFAULT_MAX_JSON_DEPTH when absent. */
  maxJsonDepth?: number;
}

/**
 * Decodes one frame without its length prefix: headerInfo (type byte + 24-bit header length),
 * header, body. Throws ProtocolError for anything the Java decoder rejects, and for a JSON header
 * nested deeper than DEFAULT_MAX_JSON_DEPTH.
 */
export function decodeCommand(frame: Uint8Array): RemotingCommand {
  return decodeCommandWithin(frame, {});
}

/** decodeCommand with the limits of `options` (a server passes its configured ones). */
export function decodeCommandWithin(frame: Uint8Array, options: DecodeCommandOptions): RemotingCommand {
  if (frame.length < 4) throw new ProtocolError(`frame too short: ${frame.length} bytes`);
  const type = frame[0];
  const headerLength = (frame[1] << 16) | (frame[2] << 8) | frame[3];
  if (headerLength > frame.length - 4) {
    throw new ProtocolError(`header length ${headerLength} exceeds frame length ${frame.length}`);
  }
  const headerBytes = frame.subarray(4, 4 + headerLength);
  let serializeType: SerializeType;
  let header: RemotingCommandHeader;
  if (type === SERIALIZE_JSON) {
    serializeType = "JSON";
    header = decodeJsonHeader(headerBytes, options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH);
  } else if (type === SERIALIZE_ROCKETMQ) {
    serializeType = "ROCKETMQ";
    header = decodeRocketMQHeader(headerBytes);
  } else {
    throw new ProtocolError(`unknown serialize type ${type}`);
  }
  const bodyLength = frame.length - 4 - headerLength;
  const body = bodyLength > 0 ? frame.subarray(4 + headerLength) : null;
  return { ...header, body, serializeType };
}

const utf8 = new TextEncoder();

/** Encodes a whole frame, length prefix included, with the header in `cmd.serializeType`. */
export function encodeCommand(cmd: RemotingCommand): Uint8Array {
  const head = encodeFrameHead(cmd);
  if (!cmd.body || cmd.body.length === 0) return head;
  const out = new Uint8Array(head.length + cmd.body.length);
  out.set(head, 0);
  out.set(cmd.body, head.length);
  return out;
}

/**
 * The frame of `cmd` up to its body: length prefix (counting the body), header length and header.
 * Followed on the wire by `cmd.body`, this is encodeCommand's output; a writer that gathers
 * several frames copies each body once.
 */
export function encodeFrameHead(cmd: RemotingCommand): Uint8Array {
  const bodyLength = cmd.body ? cmd.body.length : 0;
  if (cmd.serializeType !== "ROCKETMQ" && cmd.remark === null && cmd.extFields === null) {
    // No remark and no extFields (most responses): the JSON header is ASCII, written in place.
    const text = encodeJsonHeaderText(cmd, "JSON");
    const head = prefixed(SERIALIZE_JSON, text.length, bodyLength);
    utf8.encodeInto(text, head.subarray(8));
    return head;
  }
  const header = cmd.serializeType === "ROCKETMQ" ? encodeRocketMQHeader(cmd) : encodeJsonHeader(cmd, "JSON");
  if (header.length > 0xffffff) throw new RangeError(`header too large: ${header.length} bytes`);
  const head = prefixed(cmd.serializeType === "ROCKETMQ" ? SERIALIZE_ROCKETMQ : SERIALIZE_JSON, header.length, bodyLength);
  head.set(header, 8);
  return head;
}

/** Room for a header of `headerLength` bytes behind the frame's length prefix and header-info word. */
function prefixed(type: number, headerLength: number, bodyLength: number): Uint8Array {
  const head = new Uint8Array(8 + headerLength);
  const total = 4 + headerLength + bodyLength;
  head[0] = total >>> 24;
  head[1] = (total >>> 16) & 0xff;
  head[2] = (total >>> 8) & 0xff;
  head[3] = total & 0xff;
  head[4] = type;
  head[5] = (headerLength >>> 16) & 0xff;
  head[6] = (headerLength >>> 8) & 0xff;
  head[7] = headerLength & 0xff;
  return head;
}

/** A response as the Java NameServer builds it: flag 1, language JAVA, SERVER_VERSION, JSON header. */
export function createResponse(
  request: { opaque: number },
  code: number,
  remark: string | null,
  extFields: Record<string, string> | null,
  body: Uint8Array | null,
): RemotingCommand {
  return {
    code,
    language: "JAVA",
    version: SERVER_VERSION,
    opaque: request.opaque | 0,
    flag: FLAG_RESPONSE,
    remark,
    extFields,
    body,
    serializeType: "JSON",
  };
}

export function isOneway(cmd: { flag: number }): boolean {
  return (cmd.flag & FLAG_ONEWAY) === FLAG_ONEWAY;
}

export function isResponse(cmd: { flag: number }): boolean {
  return (cmd.flag & FLAG_RESPONSE) === FLAG_RESPONSE;
}
