/**
 * The middleware chain of the NameServer port (RocketMQ's RPCHook, Hono's middleware): each
 * middleware sees a call before it runs and its outcome after, and may refuse it by throwing a
 * NamesrvError before calling `next`. The remoting path and the HTTP path run through the same
 * chain, in whichever runtime.
 */
import { ResponseCode } from "../../shared/codes";
import { INTERNAL_CALL, type CallInfo, type PortCall } from "./call";
import { NamesrvError } from "./namesrv-error";
import { OPERATION_CODES, OPERATIONS, type NamesrvPort, type Operation } from "./namesrv-port";

/**
 * Runs around one call. `next()` runs the rest of the chain and the operation and never rejects:
 * afterwards `call.outcome` says how it went. A middleware that throws refuses the call with
 * what it threw (a NamesrvError gives the client its code and remark).
 */
export type Middleware = (call: PortCall, next: () => Promise<void>) => Promise<void>;

/** The response code a client gets for `error` (null: SUCCESS). */
export function responseCodeOf(error: unknown): number {
  if (error === null) return ResponseCode.SUCCESS;
  return error instanceof NamesrvError ? error.code : ResponseCode.SYSTEM_ERROR;
}

const DONE: Promise<void> = Promise.resolve();

type Observe = (call: PortCall) => Promise<void> | void;
const OBSERVERS = new WeakMap<Middleware, Observe>();

/**
 * A middleware that only reads a call's outcome once the call is done (the request log, metrics,
 * the audit): as a middleware it is `next().then(() => observe(call))`. Observers at the head of a
 * chain run after the rest of it without a promise of their own unless `observe` returns one, which
 * keeps route queries cheap; the order and the outcome are the same as nested. An observer that
 * throws makes that the call's outcome, as a nested middleware would.
 */
export function observer(observe: Observe): Middleware {
  const middleware: Middleware = (call, next) => next().then(() => observe(call));
  OBSERVERS.set(middleware, observe);
  return middleware;
}

/**
 * `port` with every call passing through `middlewares`, the first outermost. Route queries are most
 * of a NameServer's traffic, so a call costs one object and one promise per middleware, no more
 * (none for the observers at the head of the chain).
 */
export function withMiddleware(port: NamesrvPort, middlewares: readonly Middleware[]): NamesrvPort {
  if (middlewares.length === 0) return port;
  let leading = 0;
  while (leading < middlewares.length && OBSERVERS.has(middlewares[leading])) leading++;
  // nested, the innermost observer sees the outcome first
  const observers = middlewares.slice(0, leading).map((m) => OBSERVERS.get(m)!).reverse();
  const around = middlewares.slice(leading);
  const count = around.length;
  const chained: Partial<Record<Operation, unknown>> = {};
  for (const operation of OPERATIONS) {
    const requestCode = OPERATION_CODES[operation];
    const run = port[operation] as (input: unknown, call: CallInfo) => Promise<unknown>;
    chained[operation] = (input: unknown, info: CallInfo = INTERNAL_CALL): Promise<unknown> => {
      const call: PortCall = {
        operation,
        requestCode,
        input,
        transport: info.transport,
        peer: info.peer,
        principal: info.principal,
        connection: info.connection,
        credentials: info.credentials ?? null,
        requestBytes: info.requestBytes ?? null,
        outcome: null,
      };
      let result: unknown;
      const started = performance.now();
      const settle = (error: unknown): void => {
        call.outcome = { code: responseCodeOf(error), error, durationMs: performance.now() - started };
      };
      const succeed = (value: unknown): void => {
        result = value;
        settle(null);
        if (value instanceof Uint8Array) call.outcome!.responseBytes = value.byteLength;
      };
      const dispatch = (index: number): Promise<void> => {
        try {
          if (index === count) return run.call(port, input, call).then(succeed, settle);
          return around[index](call, () => dispatch(index + 1)).then(undefined, settle);
        } catch (err) {
          settle(err);
          return DONE;
        }
      };
      const observeFrom = (index: number): Promise<void> | void => {
        for (let i = index; i < observers.length; i++) {
          let pending: Promise<void> | void;
          try {
            pending = observers[i](call);
          } catch (err) {
            settle(err);
            continue;
          }
          if (pending instanceof Promise) {
            return pending.then(
              () => observeFrom(i + 1),
              (err: unknown) => {
                settle(err);
                return observeFrom(i + 1);
              },
            );
          }
        }
      };
      const finish = (): unknown => {
        if (call.outcome === null) {
          throw new NamesrvError(ResponseCode.SYSTEM_ERROR, `a middleware neither ran nor refused ${operation}`);
        }
        if (call.outcome.error !== null) throw call.outcome.error;
        return result;
      };
      return dispatch(0).then(() => {
        const pending = observers.length === 0 ? undefined : observeFrom(0);
        return pending ? pending.then(finish) : finish();
      });
    };
  }
  return chained as NamesrvPort;
}
