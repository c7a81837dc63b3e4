/**
 * TEST AND DEVELOPMENT AID: a Store in another process, over JSON lines on stdin/stdout. Used to run
 * the conformance suite (which runs in Node under vitest) against RedisStore over Bun's built-in
 * Redis client, which only exists in Bun: the child (store-rpc-main.ts, run by Bun) hosts the
 * stores, the parent gets Store objects whose every call is forwarded.
 *
 * Requests:  {"id":1,"op":"open","options":{prefix, clock, maxRequestBytes, chunkTopics}} → store id
 *            {"id":2,"op":"call","store":1,"method":"getTopicRoute","args":["TopicA"]}
 *            {"id":3,"op":"command","args":["HGETALL","{rmq}:..."]} (raw transport command)
 * Responses: {"id":1,"ok":true,"value":…} or {"id":1,"ok":false,"error":{"name","message"}}
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { AccessStore } from "../../../edge/auth/access-store";
import type { Store } from "../../../edge/store/store";

export interface RpcStoreOptions {
  prefix: string;
  /** fixed clock for route reads (epoch millis); null = the child's Date.now */
  clock?: number | null;
  maxRequestBytes?: number;
  chunkTopics?: number;
}

export type RpcRequest =
  | { id: number; op: "open"; options: RpcStoreOptions }
  | { id: number; op: "call"; store: number; method: string; args: unknown[] }
  | { id: number; op: "command"; args: string[] };

export type RpcResponse =
  | { id: number; ok: true; value?: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

export const STORE_METHODS = [
  "registerBroker",
  "refreshRegistration",
  "unregisterBrokers",
  "unregisterChannel",
  "expireBrokers",
  "refreshBroker",
  "queryDataVersion",
  "getTopicRoute",
  "getTopicRouteIfChanged",
  "getClusterInfo",
  "getAllTopics",
  "getTopicsByCluster",
  "getSystemTopicList",
  "getUnitTopics",
  "getBrokerMemberGroup",
  "getBrokerLiveInfos",
  "wipeWritePerm",
  "addWritePerm",
  "deleteTopic",
  "registerTopic",
  "putKVConfig",
  "getKVConfig",
  "deleteKVConfig",
  "getKVListByNamespace",
  "getConfigOverrides",
  "putConfigOverrides",
  "registerInstance",
  "listInstances",
  "close",
] as const satisfies readonly (keyof Store)[];

/** The methods of `store.access`, forwarded as `access.<method>`. */
export const ACCESS_METHODS = [
  "createAccount",
  "getAccount",
  "listAccounts",
  "deleteAccount",
  "putPolicy",
  "putToken",
  "findToken",
  "listTokens",
  "revokeToken",
  "appendAudit",
  "readAudit",
] as const satisfies readonly (keyof AccessStore)[];

/** An error thrown by the store in the child process. */
export class RemoteStoreError extends Error {
  constructor(
    readonly remoteName: string,
    message: string,
  ) {
    super(message);
    this.name = remoteName;
  }
}

export class StoreRpcProcess {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private stdoutBuffer = "";
  private stderr = "";
  private exited = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => this.onData(chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    child.once("exit", (code, signal) => {
      this.exited = true;
      const err = new Error(`store RPC child exited (${signal ?? code}): ${this.stderr.trim()}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  /**
   * Why a start over `redis` fails (its first PING goes through the store's transport), or null
   * when it starts (the process is stopped again): for set-ups that must be refused.
   */
  static async startError(redis: string | Record<string, string>): Promise<Error | null> {
    return StoreRpcProcess.start(redis).then(
      async (rpc) => {
        await rpc.stop();
        return null;
      },
      (err: Error) => err,
    );
  }

  /**
   * Starts `bun store-rpc-main.ts` over the Redis a URL names, or the one an environment selects
   * (REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS and their options, as the bridge reads them).
   */
  static async start(redis: string | Record<string, string>, bunPath = defaultBunPath()): Promise<StoreRpcProcess> {
    const main = fileURLToPath(new URL("./store-rpc-main.ts", import.meta.url));
    const selection = typeof redis === "string" ? { REDIS_URL: redis } : redis;
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(REDIS_|UPSTASH_)/.test(k)));
    const child = spawn(bunPath, [main], {
      env: { ...inherited, ...selection },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const rpc = new StoreRpcProcess(child);
    try {
      await rpc.request({ op: "command", args: ["PING"] });
    } catch (err) {
      await rpc.stop();
      throw err;
    }
    return rpc;
  }

  private onData(chunk: string): void {
    this.stdoutBuffer += chunk;
    let nl: number;
    while ((nl = this.stdoutBuffer.indexOf("\n")) >= 0) {
      const line = this.stdoutBuffer.slice(0, nl);
      this.stdoutBuffer = this.stdoutBuffer.slice(nl + 1);
      if (line.trim() === "") continue;
      let msg: RpcResponse;
      try {
        msg = JSON.parse(line) as RpcResponse;
      } catch {
        this.stderr += `\n[unparsable stdout] ${line.slice(0, 200)}`;
        continue;
      }
      const p = this.pending.get(msg.id);
      if (!p) continue;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new RemoteStoreError(msg.error.name, msg.error.message));
    }
  }

  request(req: Omit<RpcRequest, "id"> & Record<string, unknown>): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error(`store RPC child has exited: ${this.stderr.trim()}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ ...req, id })}\n`);
    });
  }

  /** A Store in the child process; every method call is forwarded. */
  async open(options: RpcStoreOptions): Promise<Store> {
    const store = (await this.request({ op: "open", options })) as number;
    const proxy = Object.fromEntries(
      STORE_METHODS.map((method) => [
        method,
        (...args: unknown[]) => this.request({ op: "call", store, method, args }),
      ]),
    );
    const access = Object.fromEntries(
      ACCESS_METHODS.map((method) => [method, (...args: unknown[]) => this.request({ op: "call", store, method: `access.${method}`, args })]),
    );
    return { ...proxy, access } as unknown as Store;
  }

  /** A raw command through the child's transport (RESP3 reply shapes). */
  command(args: string[]): Promise<unknown> {
    return this.request({ op: "command", args });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
}

function defaultBunPath(): string {
  return process.env.BUN_PATH ?? fileURLToPath(new URL("../../../node_modules/.bin/bun", import.meta.url));
}
