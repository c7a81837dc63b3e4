import { describe, expect, it } from "vitest";
import { defaultNamesrvConfig } from "../../edge/config/namesrv-config";
import type { PortCall } from "../../edge/port/call";
import { observer, withMiddleware, type Middleware } from "../../edge/port/middleware";
import { NamesrvError } from "../../edge/port/namesrv-error";
import type { NamesrvPort } from "../../edge/port/namesrv-port";
import { requestLog } from "../../edge/port/request-log";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { RequestCode, ResponseCode } from "../../shared/codes";
import { createLogger } from "../../shared/logger";
import type { RemotingCommand } from "../../shared/remoting-command";
import { BodyDecoder } from "../../tcp-bridge/body-decoder";
import { RemotingRequestHandler } from "../../tcp-bridge/remoting-request-handler";
import { inProcessNamesrv } from "../support/in-process-namesrv";

/** A port whose getKVConfig answers from `answer` (a value, or what to throw). */
function fakePort(answer: () => Promise<string>): { port: NamesrvPort; calls: number } {
  const state = { calls: 0 };
  const port = {
    getKVConfig: async () => {
      state.calls++;
      return answer();
    },
  } as unknown as NamesrvPort;
  return {
    port,
    get calls() {
      return state.calls;
    },
  };
}

const kv = { namespace: "ns", key: "k" };

describe("the middleware chain", () => {
  it("observers at the head run after the rest, innermost first, as they would nested; one that returns a promise is waited for; one that throws sets the outcome", async () => {
    const events: string[] = [];
    const watch = (name: string, act?: () => Promise<void> | void) =>
      observer((call) => {
        events.push(`${name} saw code=${call.outcome!.code}`);
        return act?.();
      });
    const around: Middleware = async (call, next) => {
      events.push("around before");
      await next();
      events.push(`around after code=${call.outcome!.code}`);
    };
    const { port: inner } = fakePort(async () => {
      events.push("call");
      return "v";
    });
    let released = false;
    const port = withMiddleware(inner, [
      watch("log"),
      watch("metrics", () => {
        throw new NamesrvError(ResponseCode.SYSTEM_ERROR, "metrics broke");
      }),
      watch("audit", () => new Promise<void>((resolve) => setTimeout(() => ((released = true), resolve()), 20))),
      around,
    ]);
    await expect(port.getKVConfig(kv)).rejects.toThrow("metrics broke");
    expect(released).toBe(true);
    expect(events).toEqual(["around before", "call", "around after code=0", "audit saw code=0", "metrics saw code=0", "log saw code=1"]);
    // the same middlewares nested one in another (an observer after an around middleware is not hoisted)
    events.length = 0;
    const nested = withMiddleware(inner, [around, watch("late")]);
    expect(await nested.getKVConfig(kv)).toBe("v");
    expect(events).toEqual(["around before", "call", "late saw code=0", "around after code=0"]);
  });

  it("runs middlewares outermost first, the call in the middle, and shows each the outcome after it", async () => {
    const events: string[] = [];
    const tracing =
      (name: string): Middleware =>
      async (call, next) => {
        events.push(`${name} before ${call.operation} ${call.requestCode} ${call.transport}`);
        await next();
        events.push(`${name} after code=${call.outcome!.code} error=${call.outcome!.error === null ? "none" : "some"}`);
        expect(call.outcome!.durationMs).toBeGreaterThanOrEqual(0);
      };
    const { port: inner } = fakePort(async () => {
      events.push("call");
      return "v";
    });
    const port = withMiddleware(inner, [tracing("outer"), tracing("inner")]);
    expect(await port.getKVConfig(kv)).toBe("v");
    expect(events).toEqual([
      "outer before getKVConfig 101 internal",
      "inner before getKVConfig 101 internal",
      "call",
      "inner after code=0 error=none",
      "outer after code=0 error=none",
    ]);
  });

  it("gives the response code of a NameServer answer, SYSTEM_ERROR for any other failure, and rethrows it", async () => {
    const seen: PortCall[] = [];
    const keep: Middleware = async (call, next) => {
      await next();
      seen.push(call);
    };
    const notFound = new NamesrvError(ResponseCode.QUERY_NOT_FOUND, "No config item");
    await expect(withMiddleware(fakePort(() => Promise.reject(notFound)).port, [keep]).getKVConfig(kv)).rejects.toBe(notFound);
    const fault = new Error("store down");
    await expect(withMiddleware(fakePort(() => Promise.reject(fault)).port, [keep]).getKVConfig(kv)).rejects.toBe(fault);
    expect(seen.map((c) => [c.outcome!.code, c.outcome!.error])).toEqual([
      [ResponseCode.QUERY_NOT_FOUND, notFound],
      [ResponseCode.SYSTEM_ERROR, fault],
    ]);
  });

  it("lets a middleware refuse a call before it runs; outer middlewares see the refusal", async () => {
    const inner = fakePort(async () => "v");
    const outcomes: number[] = [];
    const port = withMiddleware(inner.port, [
      async (call, next) => {
        await next();
        outcomes.push(call.outcome!.code);
      },
      async () => {
        throw new NamesrvError(ResponseCode.NO_PERMISSION, "denied");
      },
    ]);
    await expect(port.getKVConfig(kv)).rejects.toMatchObject({ code: ResponseCode.NO_PERMISSION, message: "denied" });
    expect(inner.calls).toBe(0);
    expect(outcomes).toEqual([ResponseCode.NO_PERMISSION]);
  });

  it("fails a call that a middleware neither ran nor refused", async () => {
    const inner = fakePort(async () => "v");
    const port = withMiddleware(inner.port, [async () => {}]);
    await expect(port.getKVConfig(kv)).rejects.toMatchObject({ code: ResponseCode.SYSTEM_ERROR });
    expect(inner.calls).toBe(0);
  });
});

describe("one chain for every transport", () => {
  const request = (code: number, extFields: Record<string, string>): RemotingCommand => ({
    code,
    language: "JAVA",
    version: 479,
    opaque: 1,
    flag: 0,
    remark: null,
    extFields,
    body: null,
    serializeType: "JSON",
  });
  const context = { channelId: "ch-1", remoteAddress: "10.0.0.7:5555", isClosed: false, registeredBroker: false, clientCertificateSubject: null };

  function namesrv(middlewares: Middleware[]) {
    const built = inProcessNamesrv(new EmbeddedStore({ kvConfigPath: null }), defaultNamesrvConfig("/tmp/namesrv-home"), { middlewares });
    const handler = new RemotingRequestHandler(built.port, createLogger("error", () => {}), new BodyDecoder(undefined, null));
    return { ...built, handler };
  }

  it("sees a remoting request and an HTTP request alike, with their transport, peer and connection", async () => {
    const calls: PortCall[] = [];
    const { app, handler } = namesrv([
      async (call, next) => {
        calls.push(call);
        await next();
      },
    ]);
    const remoting = await handler.handle(request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "Nope" }), context);
    expect(remoting?.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect((await app.request("/api/v1/topics/Nope/route")).status).toBe(404);
    expect(calls.map(({ operation, requestCode, transport, peer, connection, input }) => ({ operation, requestCode, transport, peer, connection, input }))).toEqual([
      { operation: "getRouteInfoByTopic", requestCode: 105, transport: "remoting", peer: "10.0.0.7:5555", connection: "ch-1", input: { topic: "Nope", zoneName: null, dialect: "standard" } },
      { operation: "getRouteInfoByTopic", requestCode: 105, transport: "http", peer: null, connection: null, input: { topic: "Nope", zoneName: null, dialect: "standard" } },
    ]);
    expect(calls.every((c) => c.outcome?.code === ResponseCode.TOPIC_NOT_EXIST)).toBe(true);
  });

  it("refuses through either transport with the middleware's code and remark", async () => {
    const { app, handler } = namesrv([
      async (call, next) => {
        if (call.operation === "putKVConfig") throw new NamesrvError(ResponseCode.NO_PERMISSION, "KV writes are closed", 403);
        await next();
      },
    ]);
    const remoting = await handler.handle(request(RequestCode.PUT_KV_CONFIG, { namespace: "ns", key: "k", value: "v" }), context);
    expect(remoting).toMatchObject({ code: ResponseCode.NO_PERMISSION, remark: "KV writes are closed" });
    const http = await app.request("/api/v1/kv/ns/k", { method: "PUT", headers: { "content-type": "application/json" }, body: '{"value":"v"}' });
    expect(http.status).toBe(403);
    expect(await http.json()).toEqual({ error: { code: ResponseCode.NO_PERMISSION, name: "NO_PERMISSION", message: "KV writes are closed" } });
    const read = await handler.handle(request(RequestCode.GET_KV_CONFIG, { namespace: "ns", key: "k" }), context);
    expect(read?.code).toBe(ResponseCode.QUERY_NOT_FOUND);
  });
});

describe("the request log", () => {
  function logged(level: "debug" | "info") {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger(level, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    return { lines, log };
  }

  it("writes one debug line per call with its operation, code, transport, peer, outcome and duration", async () => {
    const { lines, log } = logged("debug");
    const port = withMiddleware(fakePort(async () => "v").port, [requestLog(log)]);
    await port.getKVConfig(kv, { transport: "remoting", peer: "10.0.0.1:1", principal: null, connection: "c" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "debug", msg: "request", operation: "getKVConfig", code: 101, transport: "remoting", peer: "10.0.0.1:1", responseCode: 0 });
    expect(typeof lines[0].durationMs).toBe("number");
  });

  it("at info, writes nothing for answers and an error line for faults", async () => {
    const { lines, log } = logged("info");
    const answered = withMiddleware(fakePort(() => Promise.reject(new NamesrvError(ResponseCode.QUERY_NOT_FOUND, "none"))).port, [requestLog(log)]);
    await expect(answered.getKVConfig(kv)).rejects.toBeInstanceOf(NamesrvError);
    expect(lines).toEqual([]);
    const faulty = withMiddleware(fakePort(() => Promise.reject(new Error("store down"))).port, [requestLog(log)]);
    await expect(faulty.getKVConfig(kv)).rejects.toThrow("store down");
    expect(lines).toEqual([expect.objectContaining({ level: "error", msg: "request failed", operation: "getKVConfig", responseCode: 1, error: "store down" })]);
  });

  it("writes at accessLogLevel, with the principal and the bytes where known, and none when off", async () => {
    const { lines, log } = logged("info");
    const port = withMiddleware(fakePort(async () => new Uint8Array(7) as unknown as string).port, [requestLog(log, { level: "info" })]);
    await port.getKVConfig(kv, { transport: "http", peer: null, principal: "alice", connection: null, requestBytes: 12 });
    expect(lines).toEqual([expect.objectContaining({ level: "info", msg: "request", principal: "alice", requestBytes: 12, responseBytes: 7, responseCode: 0 })]);
    const off = withMiddleware(fakePort(async () => "v").port, [requestLog(log, { level: "off" })]);
    await off.getKVConfig(kv);
    expect(lines).toHaveLength(1);
  });

  it("writes a line for the sampled share of calls only, and for every fault", async () => {
    const { lines, log } = logged("info");
    const draws = [0.05, 0.5, 0.09, 0.95];
    const sampled = withMiddleware(fakePort(async () => "v").port, [requestLog(log, { level: "info", sampleRate: 0.1, random: () => draws.shift()! })]);
    for (let i = 0; i < 4; i++) await sampled.getKVConfig(kv);
    expect(lines).toHaveLength(2);
    const faulty = withMiddleware(fakePort(() => Promise.reject(new Error("store down"))).port, [requestLog(log, { level: "info", sampleRate: 0, random: () => 0.5 })]);
    await expect(faulty.getKVConfig(kv)).rejects.toThrow("store down");
    expect(lines).toHaveLength(3);
  });
});
