/**
 * The audit log's destination on Bun (auditLog): stdout (apart from the application log, which is
 * on stderr), a file appended to, or nothing. One JSON line per record.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { AuditLine } from "../edge/auth/audit";

export function auditLogOf(setting: string): AuditLine | null {
  const where = setting.trim();
  if (where === "off" || where === "") return null;
  if (where === "stdout") return (line) => void process.stdout.write(`${line}\n`);
  mkdirSync(dirname(where), { recursive: true });
  // appended synchronously: a record is on disk before the call it records is answered
  return (line) => appendFileSync(where, `${line}\n`, { mode: 0o600 });
}
