import { describe, expect, it } from "vitest";
import type { AccessStore, AuditRecord } from "../../edge/auth/access-store";
import { audit } from "../../edge/auth/audit";
import { INTERNAL_CALL } from "../../edge/port/call";
import { withMiddleware } from "../../edge/port/middleware";
import type { NamesrvPort } from "../../edge/port/namesrv-port";
import { silentLogger } from "../../shared/logger";
import { waitFor } from "../support/wait-for";

/** A store whose audit appends settle only when the test says. */
function slowStore() {
  const pending: { record: AuditRecord; settle: (ok: boolean) => void }[] = [];
  const store = {
    appendAudit: (record: AuditRecord) =>
      new Promise<void>((resolve, reject) => pending.push({ record, settle: (ok) => (ok ? resolve() : reject(new Error("store down"))) })),
  } as unknown as AccessStore;
  return { store, pending };
}

const port = (fail: boolean) =>
  ({
    putKVConfig: async () => {
      if (fail) throw new Error("store unreachable");
    },
    getKVConfig: async () => "v",
  }) as unknown as NamesrvPort;

describe("the audit middleware", () => {
  it("answers a write once its record is in the store", async () => {
    const { store, pending } = slowStore();
    const lines: string[] = [];
    const audited = withMiddleware(port(false), [audit({ line: (l) => lines.push(l), store, maxLength: 10, log: silentLogger })]);
    let answered = false;
    const call = audited.putKVConfig({ namespace: "ns", key: "k", value: "v" }, INTERNAL_CALL).then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe(false);
    expect(JSON.parse(lines[0])).toMatchObject({ operation: "putKVConfig", outcome: "success", resource: { namespaces: ["ns"], key: "k" } });
    pending[0].settle(true);
    await call;
    expect(answered).toBe(true);
  });

  it("does not hold up a call that failed for the store, nor any call while the store is failing", async () => {
    const { store, pending } = slowStore();
    const failing = withMiddleware(port(true), [audit({ line: null, store, maxLength: 10, log: silentLogger })]);
    await expect(failing.putKVConfig({ namespace: "ns", key: "k", value: "v" }, INTERNAL_CALL)).rejects.toThrow("store unreachable");
    expect(pending).toHaveLength(1);

    const { store: store2, pending: pending2 } = slowStore();
    const working = withMiddleware(port(false), [audit({ line: null, store: store2, maxLength: 10, log: silentLogger })]);
    const first = working.putKVConfig({ namespace: "ns", key: "k", value: "v" }, INTERNAL_CALL);
    await waitFor(() => pending2.length === 1, "the first record to be written");
    pending2[0].settle(false);
    await expect(first).resolves.toBeUndefined();
    // the store is failing now: the next write is answered without waiting for its record
    await working.putKVConfig({ namespace: "ns", key: "k2", value: "v" }, INTERNAL_CALL);
    expect(pending2).toHaveLength(2);
  });

  it("leaves allowed reads out", async () => {
    const { store, pending } = slowStore();
    const audited = withMiddleware(port(false), [audit({ line: null, store, maxLength: 10, log: silentLogger })]);
    expect(await audited.getKVConfig({ namespace: "ns", key: "k" }, INTERNAL_CALL)).toBe("v");
    expect(pending).toHaveLength(0);
  });
});
