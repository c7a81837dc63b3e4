/**
 * Files the NameServer keeps on disk (kvConfig.json, configStorePath) are replaced atomically: a
 * temporary file in the same directory, fsync, rename, then a best-effort sync of the directory, so
 * a crash leaves the old content or the new one, never half of it.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Whether `err` says the file does not exist. */
export function isMissingFile(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === "ENOENT";
}

/** The file's text, or null when it does not exist. */
export async function readFileIfPresent(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if (isMissingFile(err)) return null;
    throw err;
  }
}

/**
 * Writes `content` to `path` atomically, creating parent directories; leaves no temporary file
 * behind when a step fails (and rejects with that step's error). `mode`: of a new file (0600 for
 * one holding secrets).
 */
export async function replaceFileAtomically(path: string, content: string, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let created = false;
  try {
    await mkdir(dir, { recursive: true });
    handle = await open(tmp, "wx", mode);
    created = true;
    await handle.writeFile(content, "utf8");
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
    created = false;
  } finally {
    await handle?.close().catch(() => undefined);
    if (created) await unlink(tmp).catch(() => undefined);
  }
  await syncDirectory(dir);
}

/** Best effort: makes the rename durable where directories can be opened and synced. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // not supported on every platform / file system
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
