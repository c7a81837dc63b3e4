import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { credentialsOf, signatureContent, verifySignature } from "../../shared/request-signature.js";
import { runSignatureVectors } from "./support/java.js";
import { LINES_5X, lineTag } from "./support/lines.js";
import { ROOT } from "./support/paths.js";
import { fileDir } from "./support/suite.js";

interface SignatureVector {
  name: string;
  secretKey: string;
  extFields: Record<string, string>;
  body: string | null;
  signature: string;
}

// JSON.parse, not an import: Vite's JSON loader rejects the lone-surrogate escape one vector carries.
const fixture: SignatureVector[] = JSON.parse(readFileSync(`${ROOT}/test/fixtures/request-signature-vectors.json`, "utf8")).vectors;

// The committed vectors (test/shared/request-signature.test.ts) stay what RocketMQ's own
// AclClientRPCHook signs: each 5.x line's client signs the same requests again here.
describe.each(LINES_5X)("request signatures of RocketMQ %s's AclClientRPCHook", (version) => {
  it("are the committed fixture, and our verifier accepts every one of them", async () => {
    const fresh = (await runSignatureVectors(version, fileDir(`signature-vectors-${lineTag(version)}`))) as SignatureVector[];
    expect(fresh).toEqual(fixture);
    for (const v of fresh) {
      const body = v.body === null ? null : new Uint8Array(Buffer.from(v.body, "base64"));
      const credentials = credentialsOf(v.extFields);
      expect(credentials?.signature, v.name).toBe(v.signature);
      expect(await verifySignature(v.secretKey, signatureContent(v.extFields, body), credentials!.signature), v.name).toBe(true);
      expect(await verifySignature(`${v.secretKey}-`, signatureContent(v.extFields, body), credentials!.signature), v.name).toBe(false);
    }
  });
});
