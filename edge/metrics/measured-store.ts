import type { Store } from "../store/store";
import type { NamesrvMetrics } from "./namesrv-metrics";

/**
 * `store` with every asynchronous call timed and its failures counted by operation (the method's
 * name; `access.<name>` for the access-control store). A proxy rather than a hand-written decorator,
 * so a Store method added later is measured without anyone remembering to.
 */
export function measuredStore(store: Store, metrics: NamesrvMetrics): Store {
  return measured(store, metrics, "", new Set(["access"]));
}

function measured<T extends object>(target: T, metrics: NamesrvMetrics, prefix: string, nested: ReadonlySet<string>): T {
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof property !== "string") return value;
      if (nested.has(property) && value !== null && typeof value === "object") {
        let inner = wrappers.get(property);
        if (inner === undefined) wrappers.set(property, (inner = measured(value, metrics, `${property}.`, new Set())));
        return inner;
      }
      if (typeof value !== "function") return value;
      let wrapper = wrappers.get(property);
      if (wrapper === undefined) {
        const operation = [prefix + property];
        wrapper = function (this: unknown, ...args: unknown[]) {
          const started = performance.now();
          let result: unknown;
          try {
            result = (value as (...a: unknown[]) => unknown).apply(object, args);
          } catch (err) {
            metrics.storeErrors.inc(operation);
            throw err;
          }
          if (!(result instanceof Promise)) return result;
          return result.then(
            (answer) => {
              metrics.storeLatency.observe(operation, performance.now() - started);
              return answer;
            },
            (err: unknown) => {
              metrics.storeLatency.observe(operation, performance.now() - started);
              metrics.storeErrors.inc(operation);
              throw err;
            },
          );
        };
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}
