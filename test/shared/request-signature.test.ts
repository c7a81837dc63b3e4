import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  credentialsOf,
  signatureContent,
  signedExtFields,
  signRequest,
  verifySignature,
} from "../../shared/request-signature";

export interface SignatureVector {
  name: string;
  code: number;
  secretKey: string;
  extFields: Record<string, string>;
  body: string | null;
  signature: string;
}

// Read, not imported: Vite's JSON loader rejects the lone-surrogate escape one vector carries.
const vectors: SignatureVector[] = JSON.parse(readFileSync(new URL("../fixtures/request-signature-vectors.json", import.meta.url), "utf8")).vectors;
const bodyOf = (v: SignatureVector) => (v.body === null ? null : new Uint8Array(Buffer.from(v.body, "base64")));
/** The fields in another order than the fixture's (sorted) one, as a HashMap would hand them over. */
const shuffled = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).reverse());

async function verifies(secretKey: string, fields: Record<string, string>, body: Uint8Array | null): Promise<boolean> {
  return verifySignature(secretKey, signatureContent(fields, body), credentialsOf(fields)?.signature ?? "");
}

describe("request signature against RocketMQ 5.3.3's AclClientRPCHook (test/fixtures/request-signature-vectors.json)", () => {
  it("has the vectors the Java program produced", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(6);
    expect(vectors.some((v) => v.extFields.SecurityToken !== undefined)).toBe(true);
    expect(vectors.some((v) => v.body !== null)).toBe(true);
  });

  it.each(vectors.map((v) => [v.name, v] as const))("accepts %s", async (_name, v) => {
    expect(await verifies(v.secretKey, shuffled(v.extFields), bodyOf(v))).toBe(true);
    const { Signature, ...unsigned } = v.extFields;
    expect(Signature).toBe(v.signature);
    expect(await signRequest(v.secretKey, shuffled(unsigned), bodyOf(v))).toBe(v.signature);
  });

  it.each(vectors.map((v) => [v.name, v] as const))("rejects %s after any change", async (_name, v) => {
    const body = bodyOf(v);
    expect(await verifies(`${v.secretKey}x`, v.extFields, body)).toBe(false);
    expect(await verifies(v.secretKey.slice(1), v.extFields, body)).toBe(false);
    for (const key of Object.keys(v.extFields).filter((k) => k !== "Signature")) {
      expect(await verifies(v.secretKey, { ...v.extFields, [key]: `${v.extFields[key]}!` }, body), `value of ${key}`).toBe(false);
      const { [key]: _dropped, ...without } = v.extFields;
      if (v.extFields[key] !== "") expect(await verifies(v.secretKey, without, body), `without ${key}`).toBe(false);
    }
    expect(await verifies(v.secretKey, { ...v.extFields, extra: "1" }, body), "an added field").toBe(false);
    if (body) {
      const changed = body.slice();
      changed[changed.length - 1] ^= 1;
      expect(await verifies(v.secretKey, v.extFields, changed), "a flipped body bit").toBe(false);
      expect(await verifies(v.secretKey, v.extFields, null), "no body").toBe(false);
    } else {
      expect(await verifies(v.secretKey, v.extFields, new Uint8Array([0])), "a body added").toBe(false);
    }
    const sig = v.signature;
    expect(await verifySignature(v.secretKey, signatureContent(v.extFields, body), sig.slice(0, -1))).toBe(false);
    expect(await verifySignature(v.secretKey, signatureContent(v.extFields, body), `${sig}=`)).toBe(false);
    expect(await verifySignature(v.secretKey, signatureContent(v.extFields, body), sig.toLowerCase())).toBe(false);
  });
});

describe("signatureContent", () => {
  it("concatenates the values in UTF-16 code unit order of the keys, without Signature, then the body", () => {
    const content = signatureContent({ b: "2", Signature: "x", a: "1", B: "3", "\uff01": "5", "\ud83d\ude00": "4" }, new Uint8Array([0xff]));
    expect([...content]).toEqual([...new TextEncoder().encode("3124"), ...new TextEncoder().encode("5"), 0xff]);
  });

  it("writes a lone surrogate as '?', like Java's String.getBytes(UTF_8)", () => {
    expect(new TextDecoder().decode(signatureContent({ topic: "a\ud800b\udc00c" }))).toBe("a?b?c");
    expect([...signatureContent({ topic: "\ud83d\ude00" })]).toEqual([0xf0, 0x9f, 0x98, 0x80]);
  });

  it("is empty for no fields and no body, and the body alone without fields", () => {
    expect(signatureContent(undefined).length).toBe(0);
    expect([...signatureContent({}, new Uint8Array([1, 2]))]).toEqual([1, 2]);
    expect([...signatureContent({ Signature: "s" }, null)]).toEqual([]);
  });

  it("is what node:crypto's HmacSHA1 signs to the same value", async () => {
    const fields = { AccessKey: "ak", topic: "T", value: "é" };
    const body = new Uint8Array([1, 2, 3]);
    const expected = createHmac("sha1", "sk").update(signatureContent(fields, body)).digest("base64");
    expect(await signRequest("sk", fields, body)).toBe(expected);
  });
});

describe("credentialsOf", () => {
  it("reads AccessKey, Signature and SecurityToken", () => {
    expect(credentialsOf({ AccessKey: "ak", Signature: "sig", SecurityToken: "tok", topic: "T" })).toEqual({
      accessKey: "ak",
      signature: "sig",
      securityToken: "tok",
    });
    expect(credentialsOf({ AccessKey: "ak", Signature: "sig" })).toEqual({ accessKey: "ak", signature: "sig", securityToken: undefined });
  });

  it("is null without an access key, and names an empty signature when only that is missing", () => {
    expect(credentialsOf(undefined)).toBeNull();
    expect(credentialsOf({ topic: "T", Signature: "sig" })).toBeNull();
    expect(credentialsOf({ AccessKey: "", Signature: "sig" })).toBeNull();
    // field names are case-sensitive, as in Java
    expect(credentialsOf({ accesskey: "ak", Signature: "sig" })).toBeNull();
    expect(credentialsOf({ AccessKey: "ak" })).toEqual({ accessKey: "ak", signature: "", securityToken: undefined });
  });
});

describe("verifySignature / signedExtFields", () => {
  it("round-trips what signedExtFields adds (AccessKey, SecurityToken, Signature)", async () => {
    const fields = await signedExtFields({ accessKey: "app1", secretKey: "secret-app1", securityToken: "t" }, { topic: "TopicA" });
    expect(Object.keys(fields).sort()).toEqual(["AccessKey", "SecurityToken", "Signature", "topic"]);
    expect(await verifies("secret-app1", fields, null)).toBe(true);
    expect(await verifies("secret-app2", fields, null)).toBe(false);
  });

  it("refuses an empty secret key on both sides, as Java's SecretKeySpec does", async () => {
    await expect(signRequest("", { a: "1" })).rejects.toThrow(/empty secret key/);
    expect(await verifySignature("", signatureContent({ a: "1" }), "")).toBe(false);
  });

  it("never accepts an empty signature", async () => {
    expect(await verifySignature("sk", signatureContent({ AccessKey: "ak" }), "")).toBe(false);
  });
});
