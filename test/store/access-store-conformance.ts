/**
 * The access-control part of the store conformance suite (edge/auth/access-store.ts): accounts,
 * policies, tokens and the audit trail, the same on every store. Called from
 * store-conformance.ts with its own describe/it (so a store's skips apply here too).
 */
import { expect } from "vitest";
import type { AccessStore, AuditRecord } from "../../edge/auth/access-store";

type Describe = (title: string, body: () => void) => void;
type It = (title: string, test: () => Promise<void>) => void;

const account = (name: string, createdAt = 1_700_000_000_000) => ({ name, secretKey: `secret-of-${name}`, createdAt, policy: null });

const record = (operation: string, n: number): AuditRecord => ({
  time: new Date(1_700_000_000_000 + n).toISOString(),
  principal: n % 2 === 0 ? "admin" : null,
  peer: "127.0.0.1:5000",
  transport: "remoting",
  code: 100,
  operation,
  resource: { namespaces: ["ns"], key: `k${n}` },
  outcome: n % 3 === 0 ? "denied" : "success",
  responseCode: n % 3 === 0 ? 16 : 0,
  ...(n % 3 === 0 ? { reason: "not authorized" } : {}),
});

export function describeAccessConformance(describe: Describe, it: It, access: () => AccessStore): void {
  describe("access control", () => {
    it("creates an account once, reads it back, lists and deletes it", async () => {
      const store = access();
      expect(await store.createAccount(account("app-1"))).toBe(true);
      expect(await store.createAccount({ ...account("app-1"), secretKey: "another" })).toBe(false);
      expect(await store.getAccount("app-1")).toEqual(account("app-1"));
      expect(await store.getAccount("app-2")).toBeNull();
      await store.createAccount(account("a-0"));
      expect((await store.listAccounts()).map((a) => a.name)).toEqual(["a-0", "app-1"]);
      expect(await store.deleteAccount("app-1")).toBe(true);
      expect(await store.deleteAccount("app-1")).toBe(false);
      expect(await store.getAccount("app-1")).toBeNull();
      expect((await store.listAccounts()).map((a) => a.name)).toEqual(["a-0"]);
    });

    it("keeps a policy per account, only for an existing account", async () => {
      const store = access();
      await store.createAccount(account("app"));
      const policy = { classes: ["route-read" as const], topics: ["Orders", "Pay*"] };
      expect(await store.putPolicy("app", policy)).toBe(true);
      expect((await store.getAccount("app"))?.policy).toEqual(policy);
      expect(await store.putPolicy("nobody", policy)).toBe(false);
      expect(await store.getAccount("nobody")).toBeNull();
    });

    it("finds tokens by hash until they expire or are revoked", async () => {
      const store = access();
      const now = Date.now();
      await store.createAccount(account("app"));
      const lasting = { id: "t1", account: "app", hash: "a".repeat(64), createdAt: now, expiresAt: null };
      const brief = { id: "t2", account: "app", hash: "b".repeat(64), createdAt: now + 1, expiresAt: now + 60_000 };
      expect(await store.putToken(lasting)).toBe(true);
      expect(await store.putToken(brief)).toBe(true);
      expect(await store.putToken({ ...lasting, id: "t3", account: "nobody", hash: "c".repeat(64) })).toBe(false);
      expect(await store.findToken("c".repeat(64), now)).toBeNull();
      expect(await store.findToken(lasting.hash, now)).toEqual(lasting);
      expect(await store.findToken(brief.hash, now)).toEqual(brief);
      expect(await store.findToken(brief.hash, now + 60_000)).toBeNull();
      expect((await store.listTokens("app", now)).map((t) => t.id)).toEqual(["t1", "t2"]);
      expect((await store.listTokens("app", now + 60_001)).map((t) => t.id)).toEqual(["t1"]);
      expect(await store.revokeToken("app", "t1")).toBe(true);
      expect(await store.revokeToken("app", "t1")).toBe(false);
      expect(await store.findToken(lasting.hash, now)).toBeNull();
      expect((await store.listTokens("app", now)).map((t) => t.id)).toEqual(["t2"]);
    });

    it("deleting an account takes its tokens with it", async () => {
      const store = access();
      const now = Date.now();
      await store.createAccount(account("app"));
      await store.putToken({ id: "t1", account: "app", hash: "d".repeat(64), createdAt: now, expiresAt: null });
      await store.deleteAccount("app");
      expect(await store.findToken("d".repeat(64), now)).toBeNull();
      await store.createAccount(account("app"));
      expect(await store.listTokens("app", now)).toEqual([]);
    });

    it("keeps the latest audit records, oldest first, capped", async () => {
      const store = access();
      expect(await store.readAudit(10)).toEqual([]);
      for (let n = 0; n < 5; n++) await store.appendAudit(record(`op${n}`, n), 1000);
      const all = await store.readAudit(100);
      expect(all.map((r) => r.operation)).toEqual(["op0", "op1", "op2", "op3", "op4"]);
      expect(all[0]).toEqual(record("op0", 0));
      expect(all[1]).toEqual(record("op1", 1));
      expect((await store.readAudit(2)).map((r) => r.operation)).toEqual(["op3", "op4"]);
    });

    it("drops audit records past the cap", async () => {
      const store = access();
      // Redis trims a stream approximately (MAXLEN ~) in whole nodes of 100 entries: write well past it
      for (let n = 0; n < 400; n++) await store.appendAudit(record(`op${n}`, n), 10);
      const kept = await store.readAudit(10_000);
      expect(kept.length).toBeLessThan(400);
      expect(kept.at(-1)?.operation).toBe("op399");
    });
  });
}
