import { describe, expect, it } from "vitest";
import { ConfigError } from "../../edge/config/namesrv-config";
import { MAX_WORKERS, parseWorkerCount, readWorkerRole } from "../../tcp-bridge/workers/worker-role";

describe("NAMESRV_WORKERS", () => {
  it("is 1 when unset or empty: one process, as before", () => {
    expect(parseWorkerCount(undefined, 8)).toBe(1);
    expect(parseWorkerCount("", 8)).toBe(1);
    expect(parseWorkerCount(" ", 8)).toBe(1);
  });

  it("takes a whole number from 1 to the maximum, and auto as the number of cores (capped)", () => {
    expect(parseWorkerCount("1", 8)).toBe(1);
    expect(parseWorkerCount("2", 8)).toBe(2);
    expect(parseWorkerCount(String(MAX_WORKERS), 8)).toBe(MAX_WORKERS);
    expect(parseWorkerCount("auto", 6)).toBe(6);
    expect(parseWorkerCount("auto", 1)).toBe(1);
    expect(parseWorkerCount("auto", 512)).toBe(MAX_WORKERS);
  });

  it("refuses anything else as a configuration error naming the variable", () => {
    for (const bad of ["0", "-1", "1.5", "two", "2x", String(MAX_WORKERS + 1), "AUTO", "1e1"]) {
      expect(() => parseWorkerCount(bad, 8), bad).toThrow(ConfigError);
      expect(() => parseWorkerCount(bad, 8), bad).toThrow(/NAMESRV_WORKERS/);
    }
  });
});

describe("a process's worker role", () => {
  it("is the primary (index 0) without the marker the primary sets on its workers", () => {
    expect(readWorkerRole({}, 4)).toEqual({ count: 1, index: 0 });
    expect(readWorkerRole({ NAMESRV_WORKERS: "3" }, 4)).toEqual({ count: 3, index: 0 });
  });

  it("is a worker with the marker, which must name one of the count's workers", () => {
    expect(readWorkerRole({ NAMESRV_WORKERS: "3", NAMESRV_WORKER_INDEX: "2" }, 4)).toEqual({ count: 3, index: 2 });
    expect(readWorkerRole({ NAMESRV_WORKERS: "auto", NAMESRV_WORKER_INDEX: "1" }, 2)).toEqual({ count: 2, index: 1 });
    for (const bad of ["0", "3", "x", "-1"]) {
      expect(() => readWorkerRole({ NAMESRV_WORKERS: "3", NAMESRV_WORKER_INDEX: bad }, 4), bad).toThrow(/NAMESRV_WORKER_INDEX/);
    }
  });
});
