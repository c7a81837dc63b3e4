import { RequestCode, ResponseCode } from "../shared/codes";
import { Remark } from "../shared/remarks";
import { createResponse, type RemotingCommand } from "../shared/remoting-command";
import type { ConnectionContext, RequestHandler } from "./remoting-connection";

/**
 * Work of one kind, bounded as a Java thread pool with a queue is: at most `concurrency` tasks
 * run at once, and at most `capacity` are accepted (running or waiting); beyond that a task is
 * refused at once rather than left to pile up.
 */
export class Lane {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private waitingHead = 0;
  /** Tasks refused since the start. */
  refused = 0;

  constructor(
    readonly capacity: number,
    readonly concurrency: number = Number.POSITIVE_INFINITY,
  ) {}

  /** Tasks accepted and not finished (running or waiting). */
  get pending(): number {
    return this.running + this.waiting.length - this.waitingHead;
  }

  /** Runs `task` when a slot is free; null when the lane is full (the task is not run). */
  run<T>(task: () => Promise<T>): Promise<T> | null {
    if (this.pending >= this.capacity) {
      this.refused++;
      return null;
    }
    if (this.running < this.concurrency) return this.start(task);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => this.start(task).then(resolve, reject));
    });
  }

  private async start<T>(task: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.next();
    }
  }

  private next(): void {
    if (this.waitingHead === this.waiting.length || this.running >= this.concurrency) return;
    const start = this.waiting[this.waitingHead++];
    if (this.waitingHead === this.waiting.length) {
      this.waiting.length = 0;
      this.waitingHead = 0;
    }
    start();
  }
}

export interface AdmissionLanes {
  /** GET_ROUTEINFO_BY_TOPIC: Java's client pool (clientRequestThreadPoolQueueCapacity) */
  routes: Lane;
  /** everything else: Java's default pool (defaultThreadPoolNums, defaultThreadPoolQueueCapacity) */
  others: Lane;
}

/**
 * Admission in front of a request handler, as the Java NameServer's two pools: route queries and
 * all other requests wait in separate lanes, so a flood of registrations never holds back route
 * queries; a full lane answers SYSTEM_BUSY with Java's remark. A request whose connection closed
 * while it waited is not run.
 */
export class AdmissionControl implements RequestHandler {
  constructor(
    private readonly inner: RequestHandler,
    private readonly lanes: AdmissionLanes,
  ) {}

  handle(request: RemotingCommand, context: ConnectionContext): Promise<RemotingCommand | null> {
    const lane = request.code === RequestCode.GET_ROUTEINFO_BY_TOPIC ? this.lanes.routes : this.lanes.others;
    const admitted = lane.run(() => (context.isClosed ? Promise.resolve(null) : this.inner.handle(request, context)));
    return admitted ?? Promise.resolve(createResponse(request, ResponseCode.SYSTEM_BUSY, Remark.OVERLOAD, null, null));
  }

  connectionClosed(context: ConnectionContext): Promise<void> {
    return this.inner.connectionClosed(context);
  }
}
