/**
 * TEST AND DEVELOPMENT AID, run by Bun: hosts RedisStores over the transport the environment selects
 * as the bridge's does (REDIS_URL: Bun's built-in client; REDIS_CLUSTER_NODES or REDIS_SENTINELS:
 * ioredis) and serves them over JSON lines on stdin/stdout (protocol: store-rpc.ts). Exits when
 * stdin closes.
 */
import { createInterface } from "node:readline";
import type { Store } from "../../../edge/store/store";
import { openRespTransport } from "../../../edge/store/redis/open-resp-transport";
import { selectStore } from "../../../edge/store/store-selection";
import { RedisStore } from "../../../edge/store/redis/redis-store";
import { ACCESS_METHODS, STORE_METHODS, type RpcRequest, type RpcResponse } from "./store-rpc";

const selection = selectStore(process.env);
if (selection.kind !== "redis-resp" && selection.kind !== "redis-cluster" && selection.kind !== "redis-sentinel") {
  console.error("store-rpc-main: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS");
  process.exit(2);
}
const transport = await openRespTransport(selection);
const stores = new Map<number, Store>();
let nextStore = 1;
const methods = new Set<string>([...STORE_METHODS, ...ACCESS_METHODS.map((m) => `access.${m}`)]);

function send(msg: RpcResponse): void {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

async function handle(req: RpcRequest): Promise<unknown> {
  switch (req.op) {
    case "open": {
      const { prefix, clock, maxRequestBytes, chunkTopics } = req.options;
      const store = new RedisStore(transport, {
        prefix,
        clock: typeof clock === "number" ? () => clock : undefined,
        maxRequestBytes,
        chunkTopics,
      });
      const id = nextStore++;
      stores.set(id, store);
      return id;
    }
    case "call": {
      const store = stores.get(req.store);
      if (!store) throw new Error(`no store ${req.store}`);
      if (!methods.has(req.method)) throw new Error(`not a Store method: ${req.method}`);
      const [target, name] = req.method.startsWith("access.") ? [store.access, req.method.slice("access.".length)] : [store, req.method];
      const fn = (target as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name];
      const value = await fn.apply(target, req.args);
      if (req.method === "close") stores.delete(req.store);
      return value;
    }
    case "command":
      return transport.command(req.args);
    default:
      throw new Error(`unknown op ${(req as { op?: unknown }).op}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "") return;
  let req: RpcRequest;
  try {
    req = JSON.parse(line) as RpcRequest;
  } catch {
    console.error(`store-rpc-main: unparsable request ${line.slice(0, 200)}`);
    return;
  }
  handle(req).then(
    (value) => send({ id: req.id, ok: true, value: value === undefined ? null : value }),
    (err: unknown) =>
      send({
        id: req.id,
        ok: false,
        error: { name: err instanceof Error ? err.name : "Error", message: err instanceof Error ? err.message : String(err) },
      }),
  );
});
lines.on("close", () => {
  void transport.close().finally(() => process.exit(0));
});
