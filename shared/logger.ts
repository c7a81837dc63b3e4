/**
 * Structured logs: one JSON object a line (on stderr unless told otherwise). The same lines on Bun,
 * Deno and Workers, from the bridge and from the edge.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export interface Logger {
  debug(entry: Record<string, unknown>): void;
  info(entry: Record<string, unknown>): void;
  warn(entry: Record<string, unknown>): void;
  error(entry: Record<string, unknown>): void;
  /** whether entries of `level` are written (a caller can then skip building them) */
  enabled(level: LogLevel): boolean;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(minLevel: LogLevel = "info", sink: (line: string) => void = (l) => console.error(l)): Logger {
  const at = (level: LogLevel) => (entry: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level, ...entry }));
  };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    enabled: (level) => ORDER[level] >= ORDER[minLevel],
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, enabled: () => false };

/** `log` with `fields` on every entry (a process among several says which it is). */
export function withFields(log: Logger, fields: Record<string, unknown>): Logger {
  return {
    debug: (entry) => log.debug({ ...fields, ...entry }),
    info: (entry) => log.info({ ...fields, ...entry }),
    warn: (entry) => log.warn({ ...fields, ...entry }),
    error: (entry) => log.error({ ...fields, ...entry }),
    enabled: (level) => log.enabled(level),
  };
}
