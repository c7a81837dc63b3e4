/**
 * Bearer tokens: `<id>.<secret>`, random, shown once when issued. The store keeps only the
 * SHA-256 of the whole token, so a copy of the store does not give anyone a usable token.
 */

const encoder = new TextEncoder();

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Random text with `bytes` bytes of entropy (URL-safe). */
export function randomSecret(bytes = 24): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function newToken(): { id: string; token: string } {
  const id = hex(crypto.getRandomValues(new Uint8Array(8)));
  return { id, token: `${id}.${randomSecret(32)}` };
}

/** The SHA-256 of the token (hex): how the store finds it. */
export async function tokenHash(token: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(token))));
}

/** Whether `text` has a token's shape (so that anything else is refused before the store is asked). */
export function looksLikeToken(text: string): boolean {
  return /^[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/.test(text);
}
