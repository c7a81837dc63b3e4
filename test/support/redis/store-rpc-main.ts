/**
 * TEST AND DEVELOPMENT AID, run by Bun: hosts RedisStores over Bun's built-in Redis client
 * (REDIS_URL) and serves them over JSON lines on stdin/stdout (protocol: store-rpc.ts). Exits when
 * stdin closes.
 */
import { createInterface } from "node:readline";
import type { Store } from "../../../edge/store/store";
import { BunRespTransport } from "../../../edge/store/redis/bun-resp-transport";
import { RedisStore } from "../../../edge/store/redis/redis-store";
import { ACCESS_METHODS, STORE_METHODS, type RpcRequest, type RpcResponse } from "./store-rpc";

const url = process.env.REDIS_URL;
if (!url) {
  console.error("store-rpc-main: REDIS_URL is not set");
  process.exit(2);
}
const transport = new BunRespTransport({ url });
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
