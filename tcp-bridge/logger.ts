/** Structured logs: one JSON object a line on stderr. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(entry: Record<string, unknown>): void;
  info(entry: Record<string, unknown>): void;
  warn(entry: Record<string, unknown>): void;
  error(entry: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(minLevel: LogLevel = "info", sink: (line: string) => void = (l) => console.error(l)): Logger {
  const at = (level: LogLevel) => (entry: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level, ...entry }));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
