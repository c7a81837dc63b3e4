/**
 * The port conformance suite against the in-process port (LocalNamesrv behind the middleware
 * chain) and the HTTP port over the Hono app, both on the embedded store with a movable clock.
 * test/workers runs it once more against the Worker in workerd.
 */
import { defaultNamesrvConfig } from "../../edge/config/namesrv-config";
import { httpNamesrv } from "../../edge/port/http-namesrv";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { inProcessNamesrv } from "../support/in-process-namesrv";
import { describeNamesrvPortConformance } from "./namesrv-port-conformance";

function namesrv() {
  let now = 1_800_000_000_000;
  const built = inProcessNamesrv(new EmbeddedStore({ kvConfigPath: null }), defaultNamesrvConfig("/tmp/namesrv-home"), { clock: () => now });
  return { ...built, advanceClock: (ms: number) => (now += ms) };
}

describeNamesrvPortConformance("in process", () => namesrv());

describeNamesrvPortConformance("over HTTP (the Hono app in process)", () => {
  const { app, advanceClock } = namesrv();
  return { port: httpNamesrv("http://namesrv.test", async (request) => app.fetch(request)), advanceClock };
});
