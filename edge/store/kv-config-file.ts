/**
 * kvConfig.json: the KVConfigManager's table on disk, in the format the Java NameServer reads and
 * writes: `{"configTable":{"<namespace>":{"<key>":"<value>",...},...}}` (PROTOCOL §6).
 *
 * Loading accepts a file written by Java unchanged (empty namespaces are kept). Saving writes the
 * whole table atomically: a temporary file in the same directory, fsync, rename over the target.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isMissingFile, replaceFileAtomically } from "../atomic-file";
import { isObject } from "../../shared/json-values";

/** namespace → (key → value) */
export type KVConfigTable = Map<string, Map<string, string>>;

export class KVConfigFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KVConfigFileError";
  }
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Parses the content of a kvConfig.json. Blank content is an empty table (Java loads nothing from
 * an empty file). Null values are skipped (the Java encoder never writes them); numbers and
 * booleans are kept as their string form; anything else is an error.
 */
export function parseKVConfig(text: string, source = "kvConfig.json"): KVConfigTable {
  const table: KVConfigTable = new Map();
  if (text.trim() === "") return table;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new KVConfigFileError(`invalid JSON in ${source}: ${describeError(err)}`, { cause: err });
  }
  if (!isObject(parsed)) {
    throw new KVConfigFileError(`invalid ${source}: expected a JSON object with a "configTable" property`);
  }
  const configTable = parsed.configTable;
  if (configTable === undefined || configTable === null) return table;
  if (!isObject(configTable)) {
    throw new KVConfigFileError(`invalid ${source}: "configTable" must be an object`);
  }
  for (const [namespace, entries] of Object.entries(configTable)) {
    const kv = new Map<string, string>();
    if (entries !== null) {
      if (!isObject(entries)) {
        throw new KVConfigFileError(`invalid ${source}: namespace "${namespace}" must be an object`);
      }
      for (const [key, value] of Object.entries(entries)) {
        if (value === null) continue;
        if (typeof value === "string") kv.set(key, value);
        else if (typeof value === "number" || typeof value === "boolean") kv.set(key, String(value));
        else {
          throw new KVConfigFileError(
            `invalid ${source}: value of "${namespace}"/"${key}" must be a string`,
          );
        }
      }
    }
    table.set(namespace, kv);
  }
  return table;
}

/** Compact JSON in the Java wrapper's shape; empty namespaces are kept. */
export function serializeKVConfig(table: KVConfigTable): string {
  const configTable = Object.fromEntries(
    [...table].map(([namespace, kv]) => [namespace, Object.fromEntries(kv)]),
  );
  return JSON.stringify({ configTable });
}

export function cloneKVConfigTable(table: KVConfigTable): KVConfigTable {
  return new Map([...table].map(([namespace, kv]) => [namespace, new Map(kv)]));
}

/** Loads the table; a missing file is an empty table. */
export async function loadKVConfigFile(path: string): Promise<KVConfigTable> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (isMissingFile(err)) return new Map();
    throw new KVConfigFileError(`cannot read kvConfig file ${path}: ${describeError(err)}`, { cause: err });
  }
  return parseKVConfig(text, path);
}

/** Synchronous variant of {@link loadKVConfigFile}, for constructors. */
export function loadKVConfigFileSync(path: string): KVConfigTable {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (isMissingFile(err)) return new Map();
    throw new KVConfigFileError(`cannot read kvConfig file ${path}: ${describeError(err)}`, { cause: err });
  }
  return parseKVConfig(text, path);
}

/**
 * Writes the whole table to `path` atomically (temp file in the same directory, fsync, rename),
 * creating parent directories. Rejects with a KVConfigFileError and leaves no temp file behind when
 * any step fails.
 */
export async function saveKVConfigFile(path: string, table: KVConfigTable): Promise<void> {
  try {
    await replaceFileAtomically(path, serializeKVConfig(table));
  } catch (err) {
    throw new KVConfigFileError(`cannot write kvConfig file ${path}: ${describeError(err)}`, { cause: err });
  }
}
