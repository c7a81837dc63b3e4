import { describe, expect, it } from "vitest";
import { ResponseCode } from "../../shared/codes";
import { createResponse, type RemotingCommand } from "../../shared/remoting-command";
import { AdmissionControl, Lane } from "../../tcp-bridge/admission-control";
import type { ConnectionContext, RequestHandler } from "../../tcp-bridge/remoting-connection";

const request = (code: number, opaque: number): RemotingCommand => ({
  code, language: "JAVA", version: 479, opaque, flag: 0, remark: null, extFields: null, body: null, serializeType: "JSON",
});

const context = (closed = false): ConnectionContext => ({ channelId: "c", remoteAddress: "peer", isClosed: closed, registeredBroker: false, clientCertificateSubject: null });

/** Answers each request when released. */
class Gate implements RequestHandler {
  started: number[] = [];
  private waiting = new Map<number, () => void>();
  async handle(req: RemotingCommand) {
    this.started.push(req.opaque);
    await new Promise<void>((r) => this.waiting.set(req.opaque, r));
    return createResponse(req, ResponseCode.SUCCESS, null, null, null);
  }
  async connectionClosed() {}
  release(opaque: number) {
    this.waiting.get(opaque)?.();
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("Lane", () => {
  it("runs at most `concurrency` tasks and accepts at most `capacity`, refusing the rest at once", async () => {
    const lane = new Lane(3, 1);
    const order: string[] = [];
    let release!: () => void;
    const first = lane.run(() => new Promise<void>((r) => (release = r)).then(() => order.push("a")));
    const second = lane.run(async () => void order.push("b"));
    const third = lane.run(async () => void order.push("c"));
    expect(lane.pending).toBe(3);
    expect(lane.run(async () => void order.push("refused"))).toBeNull();
    expect(lane.refused).toBe(1);
    await flush();
    expect(order).toEqual([]); // b and c wait behind a
    release();
    await Promise.all([first, second, third]);
    expect(order).toEqual(["a", "b", "c"]);
    expect(lane.pending).toBe(0);
  });

  it("keeps accepting after a task fails", async () => {
    const lane = new Lane(1, 1);
    await expect(lane.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(lane.run(async () => 7)).resolves.toBe(7);
  });
});

describe("AdmissionControl", () => {
  it("answers SYSTEM_BUSY with Java's remark when a lane is full, and keeps route queries apart from the rest", async () => {
    const gate = new Gate();
    const admission = new AdmissionControl(gate, { routes: new Lane(2), others: new Lane(1, 1) });
    const register = admission.handle(request(103, 1), context());
    const busy = await admission.handle(request(100, 2), context());
    expect(busy?.code).toBe(ResponseCode.SYSTEM_BUSY);
    expect(busy?.remark).toBe("[OVERLOAD]system busy, start flow control for a while");
    expect(busy?.opaque).toBe(2);
    // route queries still run while the other lane is full
    const route = admission.handle(request(105, 3), context());
    await flush();
    expect(gate.started).toEqual([1, 3]);
    gate.release(3);
    expect((await route)?.code).toBe(ResponseCode.SUCCESS);
    gate.release(1);
    expect((await register)?.code).toBe(ResponseCode.SUCCESS);
  });

  it("does not run a request whose connection closed while it waited", async () => {
    const gate = new Gate();
    const admission = new AdmissionControl(gate, { routes: new Lane(10), others: new Lane(10, 1) });
    const first = admission.handle(request(103, 1), context());
    const closing = { ...context(), isClosed: false };
    const second = admission.handle(request(103, 2), closing);
    closing.isClosed = true;
    gate.release(1);
    await first;
    expect(await second).toBeNull();
    expect(gate.started).toEqual([1]);
  });
});
