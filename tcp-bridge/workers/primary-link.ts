/**
 * A worker's side of the IPC channel to its primary: it answers the primary's requests for its
 * metrics, and stops when the channel closes, since a primary that is gone (crashed, killed) can no
 * longer restart, stop or scrape it, and an orphan would keep serving the port unsupervised.
 */
import type { Logger } from "../../shared/logger";
import { isMetricsRequest, type MetricsAnswer } from "./ipc-messages";

export function linkToPrimary(options: {
  expose: () => Promise<string>;
  onPrimaryGone: () => void;
  log: Logger;
}): void {
  const { expose, onPrimaryGone, log } = options;
  if (typeof process.send !== "function") throw new Error("a worker needs the IPC channel of the primary that spawned it");
  process.on("message", (message: unknown) => {
    if (!isMetricsRequest(message)) return;
    void expose()
      .then((text) => {
        const answer: MetricsAnswer = { type: "metrics", id: message.id, text };
        process.send?.(answer);
      })
      .catch((err) => log.warn({ msg: "metrics for the primary failed", error: String(err) }));
  });
  process.on("disconnect", () => {
    log.warn({ msg: "the primary is gone: stopping this worker" });
    onPrimaryGone();
  });
}
