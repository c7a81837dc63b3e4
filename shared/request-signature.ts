/**
 * RocketMQ's remoting request signature (AclClientRPCHook on the signing side,
 * DefaultAuthenticationContextBuilder + DefaultAuthenticationHandler on the checking side):
 * Signature = base64(HmacSHA1(secretKey, values of all extFields sorted by key, without Signature,
 * then the body bytes)). WebCrypto only, so the same code runs under Bun, Deno and Workers.
 *
 * Java's checker also leaves out the `_UNIQUE_KEY_QUERY` field for clients of version <= V4_9_3.
 * Only QUERY_MESSAGE (a broker request) carries that field, no NameServer request does, so the
 * content here is always every field as received.
 */

export const ACCESS_KEY = "AccessKey";
export const SECURITY_TOKEN = "SecurityToken";
export const SIGNATURE = "Signature";

export interface RequestCredentials {
  accessKey: string;
  /** Empty when the request names an access key but carries no signature: it can only fail. */
  signature: string;
  securityToken: string | undefined;
}

export type ExtFields = Readonly<Record<string, string>>;

const encoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * UTF-8 as Java's String.getBytes(UTF_8) writes it: a lone surrogate (possible in a JSON header,
 * which may escape one as \uD800) becomes "?" there, where TextEncoder would write U+FFFD.
 */
export function javaUtf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(/[\uD800-\uDFFF]/.test(text) ? text.replace(LONE_SURROGATE, "?") : text);
}

/** The access key, signature and security token a request carries, or null when it names no access key. */
export function credentialsOf(extFields: ExtFields | null | undefined): RequestCredentials | null {
  const accessKey = extFields?.[ACCESS_KEY];
  if (accessKey === undefined || accessKey === "") return null;
  return { accessKey, signature: extFields![SIGNATURE] ?? "", securityToken: extFields![SECURITY_TOKEN] };
}

/**
 * The signed bytes: the values of every extField as received (Java TreeMap order, i.e. UTF-16 code
 * units, which is what the default Array sort compares), Signature left out, then the body.
 */
export function signatureContent(extFields: ExtFields | null | undefined, body?: Uint8Array | null): Uint8Array<ArrayBuffer> {
  const keys = Object.keys(extFields ?? {})
    .filter((key) => key !== SIGNATURE)
    .sort();
  const fields = javaUtf8(keys.map((key) => extFields![key]).join(""));
  if (!body || body.length === 0) return fields;
  const content = new Uint8Array(fields.length + body.length);
  content.set(fields, 0);
  content.set(body, fields.length);
  return content;
}

async function hmacSha1(secretKey: string, content: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", javaUtf8(secretKey), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  // A view over a SharedArrayBuffer is not a BufferSource to the DOM typings; copy it then (never in practice).
  const bytes = content.buffer instanceof ArrayBuffer ? (content as Uint8Array<ArrayBuffer>) : new Uint8Array(content);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes));
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The Signature value for these extFields (AccessKey etc. already in them) and body. */
export async function signRequest(secretKey: string, extFields: ExtFields, body?: Uint8Array | null): Promise<string> {
  // Java's SecretKeySpec refuses an empty key, so no peer can sign with one.
  if (secretKey === "") throw new Error("signRequest: empty secret key");
  return base64(await hmacSha1(secretKey, signatureContent(extFields, body)));
}

/** What AclClientRPCHook leaves on a request: the extFields plus AccessKey, SecurityToken (if any) and Signature. */
export async function signedExtFields(
  credentials: { accessKey: string; secretKey: string; securityToken?: string },
  extFields: ExtFields,
  body?: Uint8Array | null,
): Promise<Record<string, string>> {
  const fields: Record<string, string> = { ...extFields, [ACCESS_KEY]: credentials.accessKey };
  if (credentials.securityToken !== undefined) fields[SECURITY_TOKEN] = credentials.securityToken;
  fields[SIGNATURE] = await signRequest(credentials.secretKey, fields, body);
  return fields;
}

/**
 * Whether `signature` is the signature of `content` under `secretKey`. Compared as Java does
 * (MessageDigest.isEqual on the base64 text, no normalisation), in time independent of where the
 * two differ.
 */
export async function verifySignature(secretKey: string, content: Uint8Array, signature: string): Promise<boolean> {
  if (secretKey === "") return false;
  const expected = base64(await hmacSha1(secretKey, content));
  let diff = expected.length ^ signature.length;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (signature.charCodeAt(i) | 0);
  return diff === 0;
}
