/**
 * The NameServer's configuration file (`configStorePath`) as the Java NameServer writes it after an
 * UPDATE_NAMESRV_CONFIG (Configuration.persist → MixAll.string2File): every property, keys sorted,
 * `key=value\n` with raw values, UTF-8; the previous content kept beside it as `<file>.bak`.
 *
 * Unlike Java, each file is replaced atomically (temporary file, fsync, rename), so a crash never
 * leaves a half-written file that would stop the next start-up.
 */
import { readFileIfPresent, replaceFileAtomically } from "../atomic-file";
import type { Logger } from "../../shared/logger";
import { renderNamesrvConfig } from "../../shared/properties";

export class ConfigStoreFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConfigStoreFileError";
  }
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Writes `properties` to `path` in Java's layout, the former content to `<path>.bak` first. */
export async function writeConfigStoreFile(path: string, properties: Record<string, string>): Promise<void> {
  try {
    const previous = await readFileIfPresent(path);
    if (previous !== null) await replaceFileAtomically(`${path}.bak`, previous);
    await replaceFileAtomically(path, renderNamesrvConfig(properties));
  } catch (err) {
    throw new ConfigStoreFileError(`cannot write config file ${path}: ${describeError(err)}`, { cause: err });
  }
}

/** Saves the configuration after an update; receives every property of the effective configuration. */
export type ConfigPersister = (properties: () => Promise<Record<string, string>>) => Promise<void>;

/**
 * A persister writing `configStorePath`, one write at a time, each with the configuration as it is
 * when its turn comes (so the last write always holds the last update). A failed write is logged
 * and the update stays in effect, as in Java (Configuration.persist logs the IOException).
 */
export function configStoreFilePersister(path: string, log: Logger): ConfigPersister {
  let queue: Promise<void> = Promise.resolve();
  return (properties) => {
    const write = queue.then(async () => {
      try {
        await writeConfigStoreFile(path, await properties());
      } catch (err) {
        log.error({ msg: "persisting the NameServer configuration failed", configStorePath: path, error: describeError(err) });
      }
    });
    queue = write;
    return write;
  };
}
