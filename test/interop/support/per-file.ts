// Loaded before every interop test file: whatever a file started and did not stop (a failed
// beforeAll, an assertion that threw mid-scenario) is killed when the file ends.
import { afterAll } from "vitest";
import { stopAllProcesses } from "./process.js";

afterAll(async () => {
  await stopAllProcesses();
});
