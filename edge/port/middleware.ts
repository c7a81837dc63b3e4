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

/**
 * `port` with every call passing through `middlewares`, the first outermost. Route queries are most
 * of a NameServer's traffic, so a call costs one object and one promise per middleware, no more.
 */
export function withMiddleware(port: NamesrvPort, middlewares: readonly Middleware[]): NamesrvPort {
  if (middlewares.length === 0) return port;
  const count = middlewares.length;
  const chained: Partial<Record<Operation, unknown>> = {};
  for (const operation of OPERATIONS) {
    const requestCode = OPERATION_CODES[operation];
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
        let step: Promise<unknown>;
        try {
          step =
            index === count
              ? (port[operation] as (input: unknown, call: CallInfo) => Promise<unknown>).call(port, input, call).then(succeed)
              : middlewares[index](call, () => dispatch(index + 1));
        } catch (err) {
          settle(err);
          return DONE;
        }
        return step.then(undefined, settle) as Promise<void>;
      };
      return dispatch(0).then(() => {
        if (call.outcome === null) {
          throw new NamesrvError(ResponseCode.SYSTEM_ERROR, `a middleware neither ran nor refused ${operation}`);
        }
        if (call.outcome.error !== null) throw call.outcome.error;
        return result;
      });
    };
  }
  return chained as NamesrvPort;
}
