/**
 * The audit middleware: one record for every write (whatever its outcome) and every denial, with
 * who, from where, over which transport, what and on which names, and how it ended. Records go to
 * the audit log (JSON lines, apart from the application log) and to the store's capped trail
 * (the `audit` stream on Redis, read back by `GET /api/v1/audit`). A call is answered once its
 * record is in the store (a Worker may be stopped as soon as it answers), but never fails for it,
 * and is not held up by a store that is failing: a call that failed for a reason other than a
 * NameServer answer (the store unreachable, most likely), or any call while the last record could
 * not be written, is answered at once while its record is still being written. A store that
 * cannot take a record is reported in the application log, once per outage.
 */
import type { Logger } from "../../shared/logger";
import type { PortCall } from "../port/call";
import { observer, type Middleware } from "../port/middleware";
import type { Operation } from "../port/namesrv-port";
import { NamesrvError } from "../port/namesrv-error";
import { AccessDenied } from "./access-denied";
import type { AccessStore, AuditRecord } from "./access-store";
import { auditDetailOf, resourcesOf } from "./call-resources";
import { WRITE_OPERATIONS } from "./request-classes";

/** Where audit records are written besides the store: a line each. */
export type AuditLine = (line: string) => void;

export function auditRecordOf(call: PortCall, time: Date): AuditRecord {
  const outcome = call.outcome!;
  const operation = call.operation as Operation;
  const record: AuditRecord = {
    time: time.toISOString(),
    principal: call.principal,
    peer: call.peer,
    transport: call.transport,
    code: call.requestCode,
    operation,
    resource: { ...resourcesOf(operation, call.input), ...auditDetailOf(operation, call.input) },
    outcome: outcome.error === null ? "success" : outcome.error instanceof AccessDenied ? "denied" : "failed",
    responseCode: outcome.code,
  };
  if (outcome.error !== null) record.reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
  return record;
}

export interface AuditOptions {
  /** the audit log; null: none (auditLog=off) */
  line: AuditLine | null;
  store: AccessStore | null;
  maxLength: number;
  log: Logger;
}

export function audit(options: AuditOptions): Middleware {
  const { line, store, maxLength, log } = options;
  let failing = false;
  const write = (call: PortCall): Promise<void> | undefined => {
    const record = auditRecordOf(call, new Date());
    line?.(JSON.stringify(record));
    const error = call.outcome?.error ?? null;
    const wait = !failing && (error === null || error instanceof NamesrvError);
    const stored = store?.appendAudit(record, maxLength).then(
      () => {
        if (failing) log.info({ msg: "audit trail in the store written again" });
        failing = false;
      },
      (err) => {
        // said once per outage, not once per record
        if (!failing) log.error({ msg: "audit record not written to the store", error: String(err) });
        failing = true;
      },
    );
    return wait ? stored : undefined;
  };
  return observer(function auditCall(call) {
    const error = call.outcome?.error ?? null;
    if (WRITE_OPERATIONS.has(call.operation as Operation) || error instanceof AccessDenied) return write(call);
  });
}
