/**
 * The certificate of the test mode (tls.test.mode.enable, Java's SelfSignedCertificate): a fresh
 * EC P-256 key and an X.509 v3 certificate signed by itself, made in-process at start-up so that no
 * openssl binary is needed at run time. Java clients with tls.enable=true trust any certificate,
 * so this is all they need.
 */
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";

export interface PemCredentials {
  certPem: string;
  keyPem: string;
}

const OID_ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const OID_COMMON_NAME = "2.5.4.3";
const OID_SUBJECT_ALT_NAME = "2.5.29.17";
const OID_BASIC_CONSTRAINTS = "2.5.29.19";
const DAY_MS = 86_400_000;

function length(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, content: Uint8Array | number[]): Uint8Array {
  const body = content instanceof Uint8Array ? content : Uint8Array.from(content);
  const head = [tag, ...length(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const sequence = (...parts: Uint8Array[]) => tlv(0x30, concat(parts));
const set = (...parts: Uint8Array[]) => tlv(0x31, concat(parts));
const utf8 = (text: string) => tlv(0x0c, new TextEncoder().encode(text));
const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 + n, inner);

function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      groups.unshift((v & 0x7f) | (groups.length > 0 ? 0x80 : 0));
      if (v < 128) break;
    }
    bytes.push(...groups);
  }
  return tlv(0x06, bytes);
}

/** A positive INTEGER of the given big-endian magnitude. */
function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  return tlv(0x02, trimmed[0] & 0x80 ? concat([Uint8Array.of(0), trimmed]) : trimmed);
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(date: Date): Uint8Array {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z"; // YYYYMMDDHHMMSSZ
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, new TextEncoder().encode(iso.slice(2))) : tlv(0x18, new TextEncoder().encode(iso));
}

const name = (commonName: string) => sequence(set(sequence(oid(OID_COMMON_NAME), utf8(commonName))));

function subjectAltNames(dnsNames: string[], ipv4: string[]): Uint8Array {
  const names = [
    ...dnsNames.map((dns) => tlv(0x82, new TextEncoder().encode(dns))),
    ...ipv4.map((ip) => tlv(0x87, ip.split(".").map(Number))),
  ];
  return sequence(oid(OID_SUBJECT_ALT_NAME), tlv(0x04, sequence(...names)));
}

function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}

export interface SelfSignedOptions {
  commonName?: string;
  validDays?: number;
  now?: Date;
}

/** A new key pair and a certificate for it, valid from a day ago (clock skew) for `validDays`. */
export function selfSignedCertificate(options: SelfSignedOptions = {}): PemCredentials {
  const commonName = options.commonName ?? "localhost";
  const now = options.now ?? new Date();
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const algorithm = sequence(oid(OID_ECDSA_WITH_SHA256));
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const extensions = sequence(
    sequence(oid(OID_BASIC_CONSTRAINTS), tlv(0x04, sequence())),
    subjectAltNames(["localhost", commonName], ["127.0.0.1"]),
  );
  const tbs = sequence(
    explicit(0, tlv(0x02, [2])), // v3
    unsignedInteger(serial),
    algorithm,
    name(commonName),
    sequence(time(new Date(now.getTime() - DAY_MS)), time(new Date(now.getTime() + (options.validDays ?? 365) * DAY_MS))),
    name(commonName),
    spki,
    explicit(3, extensions),
  );
  const signature = new Uint8Array(sign("sha256", tbs, privateKey));
  const certificate = sequence(tbs, algorithm, tlv(0x03, concat([Uint8Array.of(0), signature])));
  return { certPem: toPem("CERTIFICATE", certificate), keyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string };
}
