/**
 * RocketMQ's request signature (AclClientRPCHook): Signature = base64(HmacSHA1(secretKey, the values
 * of every extField sorted by key, Signature left out, then the body bytes)). Verified over the
 * extFields as received, never re-serialised headers.
 */
const encoder = new TextEncoder();

export function signatureContent(extFields: Record<string, string>, body: Uint8Array | null): Uint8Array {
  const keys = Object.keys(extFields)
    .filter((k) => k !== "Signature")
    .sort();
  let text = "";
  for (const k of keys) text += extFields[k];
  const head = encoder.encode(text);
  if (!body || body.length === 0) return head;
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

async function hmacSha1(secretKey: string, content: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secretKey), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, content as Uint8Array<ArrayBuffer>));
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export async function signRequest(secretKey: string, extFields: Record<string, string>, body: Uint8Array | null): Promise<string> {
  return base64(await hmacSha1(secretKey, signatureContent(extFields, body)));
}

export async function verifySignature(secretKey: string, content: Uint8Array, signature: string): Promise<boolean> {
  const expected = encoder.encode(base64(await hmacSha1(secretKey, content)));
  const given = encoder.encode(signature);
  if (expected.length !== given.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected[i] ^ given[i];
  return diff === 0;
}

export function credentialsOf(extFields: Record<string, string> | null): { accessKey: string; signature: string | null; securityToken: string | null } | null {
  const accessKey = extFields?.AccessKey;
  if (typeof accessKey !== "string" || accessKey === "") return null;
  return { accessKey, signature: extFields!.Signature ?? null, securityToken: extFields!.SecurityToken ?? null };
}
