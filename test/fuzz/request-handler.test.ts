import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FLAG_RESPONSE, RequestCode, ResponseCode } from "../../shared/codes";
import type { RemotingCommand } from "../../shared/remoting-command";
import { REQUEST_TRANSLATIONS } from "../../tcp-bridge/request-translations";
import { ConnectionModel } from "./connection-model";
import { fuzzInput } from "./fuzz-inputs";
import { splitRandomly } from "./frame-mutations";
import { InProcessBridge, type SinkConnection } from "./in-process-bridge";
import { SUITE_PROFILE } from "./profiles";
import { Random } from "./random";
import { RegistrationLedger } from "./registration-ledger";
import { sentinelFor, sentinelRegistration } from "./sentinel";
import { sentinelRoutes, stateProblems } from "./state-checks";
import { VALID_REQUEST_BUILDERS } from "./valid-requests";

const SEED = 0x0b5e_55ed;
const INPUTS = 1500;

/** One fuzz connection and what the server must do on it. */
interface FuzzConnection {
  sink: SinkConnection;
  model: ConnectionModel;
  /** opaques of requests the server may answer here (others must get no answer) */
  answerable: Set<number>;
}

describe("the request path under fuzzing (embedded store)", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => void process.on("unhandledRejection", onUnhandled));
  afterEach(() => void process.off("unhandledRejection", onUnhandled));

  it("has a generator for every request code the bridge serves", () => {
    expect(Object.keys(VALID_REQUEST_BUILDERS).sort()).toEqual(Object.keys(REQUEST_TRANSLATIONS).sort());
  });

  it("answers what it must, closes where it must, and leaves only what accepted requests explain", async () => {
    const bridge = new InProcessBridge();
    const sentinel = sentinelFor(SEED);
    const sentinelConnection = bridge.connect();
    const registration = await bridge.ask(sentinelConnection, sentinelRegistration(sentinel));
    expect(registration.remark).toBeNull();
    expect(registration.code).toBe(ResponseCode.SUCCESS);
    const probe = bridge.connect();
    const ask = (request: RemotingCommand) => bridge.ask(probe, request);
    const baseline = await sentinelRoutes(ask, sentinel);
    expect(baseline.every((route) => route.startsWith("0 "))).toBe(true);

    const ledger = new RegistrationLedger({ ...sentinel, topics: [sentinel.topic, sentinel.otherTopic] });
    const problems: string[] = [];
    const connections: FuzzConnection[] = [];
    const open = () => {
      const c = { sink: bridge.connect(), model: new ConnectionModel(), answerable: new Set<number>() };
      connections.push(c);
      return c;
    };
    let current = open();
    let closes = 0;
    for (let i = 0; i < INPUTS; i++) {
      const input = fuzzInput(SEED, i, SUITE_PROFILE);
      const rng = Random.forInput(SEED ^ 1, i);
      const what = `#${i} ${input.label}`;
      const handledBefore = bridge.handled.length;
      const prediction = current.model.push(input.bytes);
      for (const request of prediction.answered) current.answerable.add(request.opaque);
      for (const chunk of splitRandomly(rng, input.bytes)) current.sink.connection.onData(chunk);
      await bridge.idle();

      for (const { request, response, rejection } of bridge.handled.slice(handledBefore)) {
        if (response === undefined) problems.push(`${what}: handle() rejected: ${String(rejection)}`);
        else ledger.answered(request, response);
      }
      if (prediction.closes !== null) {
        if (!current.sink.closed) problems.push(`${what}: not closed after ${prediction.closes}`);
      } else {
        if (current.sink.closed) problems.push(`${what}: closed, although every frame was well-formed`);
        for (const request of prediction.answered) {
          if (!current.sink.responses.some((r) => r.opaque === request.opaque)) problems.push(`${what}: request ${request.code} got no answer`);
        }
      }
      // a closed connection, or now and then one left inside a frame, is replaced by a new one
      if (current.sink.closed || (prediction.pendingBytes > 0 && rng.chance(0.5))) {
        closes++;
        current.sink.connection.onClose();
        await bridge.idle();
        current = open();
      }
    }
    current.sink.connection.onClose();
    await bridge.idle();

    for (const c of connections) {
      problems.push(...c.sink.malformed.map((m) => `malformed answer: ${m}`));
      for (const r of c.sink.responses) {
        if (!c.answerable.has(r.opaque)) problems.push(`answer (code ${r.code}) to a request that wanted none, opaque ${r.opaque}`);
        if (r.flag !== FLAG_RESPONSE) problems.push(`answer with flag ${r.flag}`);
      }
    }
    problems.push(...(await stateProblems(ask, sentinel, baseline, ledger, { maxTopicRoutes: 10_000 })));
    expect(problems).toEqual([]);
    expect(unhandled).toEqual([]);

    // the inputs did reach every kind of outcome
    const registered = bridge.handled.filter((h) => h.request.code === RequestCode.REGISTER_BROKER && h.response?.code === ResponseCode.SUCCESS);
    const refused = bridge.handled.filter((h) => h.request.code === RequestCode.REGISTER_BROKER && h.response && h.response.code !== ResponseCode.SUCCESS);
    expect(registered.length).toBeGreaterThan(20);
    expect(refused.length).toBeGreaterThan(20);
    expect(closes).toBeGreaterThan(100);
    expect(ledger.topics.size).toBeGreaterThan(20);
  });
});
