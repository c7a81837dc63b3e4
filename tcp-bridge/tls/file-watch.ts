/**
 * Polls files by the MD5 of their content, as Java's FileWatchService does for the NameServer's
 * certificate, key and trust files. A missing or unreadable file is skipped, not reported: while a
 * file is being replaced the old credentials stay in use.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

export interface FileWatch {
  stop(): void;
}

export function watchFiles(paths: string[], intervalMs: number, onChanged: (path: string) => void): FileWatch {
  const hashes = new Map<string, string | null>();
  let polling = false;
  const hashOf = async (path: string): Promise<string | null> => {
    try {
      return createHash("md5").update(await readFile(path)).digest("hex");
    } catch {
      return null;
    }
  };
  const ready = Promise.all(paths.map(async (path) => hashes.set(path, await hashOf(path))));
  const timer = setInterval(async () => {
    if (polling) return;
    polling = true;
    try {
      await ready;
      for (const path of paths) {
        const hash = await hashOf(path);
        if (hash === null || hash === hashes.get(path)) continue;
        hashes.set(path, hash);
        onChanged(path);
      }
    } finally {
      polling = false;
    }
  }, intervalMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
