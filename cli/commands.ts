import { Perm } from "../shared/codes";
import type { AdminClient } from "./admin-client";
import type { CliArgs } from "./args";
import { brokerRows } from "./broker-rows";
import { CliError, usageError } from "./cli-error";
import { formatTable } from "./table";

/** What a command answers: `data` for --json, `text` for people, and the exit code. */
export interface CommandOutput {
  data: unknown;
  text: string;
  exitCode: number;
}

const done = (data: unknown, text: string, exitCode = 0): CommandOutput => ({ data, text: text.endsWith("\n") ? text : `${text}\n`, exitCode });

/** RocketMQ's perm bits as mqadmin shows them (R, W, X for inherit). */
export function permText(perm: number): string {
  return `${perm & Perm.READ ? "R" : "-"}${perm & Perm.WRITE ? "W" : "-"}${perm & Perm.INHERIT ? "X" : "-"}`;
}

function need(args: CliArgs, index: number, what: string, fallback: string | null = null): string {
  const value = args.positional[index] ?? fallback;
  if (value === undefined || value === null || value === "") throw usageError(`${args.command} needs ${what}`);
  return value;
}

/** Runs every command but watch and help against `client`. */
export async function runCommand(args: CliArgs, client: AdminClient, clock: () => number = Date.now): Promise<CommandOutput> {
  switch (args.command) {
    case "clusterList": {
      const info = await client.clusterInfo();
      const groups = Object.values(info.brokerAddrTable)
        .filter((data) => args.cluster === null || data.cluster === args.cluster)
        .sort((a, b) => a.cluster.localeCompare(b.cluster) || a.brokerName.localeCompare(b.brokerName));
      const rows = groups.map((data) => {
        const ids = Object.keys(data.brokerAddrs).map(Number).sort((a, b) => a - b);
        const slaves = ids.filter((id) => id !== 0).map((id) => `${id}=${data.brokerAddrs[String(id)]}`);
        return [data.cluster, data.brokerName, data.brokerAddrs["0"] ?? "-", slaves.length ? slaves.join(",") : "-", ids.length];
      });
      const clusterAddrTable = Object.fromEntries(Object.entries(info.clusterAddrTable).filter(([name]) => args.cluster === null || name === args.cluster));
      const brokerAddrTable = Object.fromEntries(groups.map((data) => [data.brokerName, data]));
      return done({ clusterAddrTable, brokerAddrTable }, formatTable(["CLUSTER", "BROKER", "MASTER", "SLAVES", "INSTANCES"], rows));
    }
    case "brokers": {
      const rows = brokerRows(await client.clusterInfo(), args.cluster);
      return done(rows, formatTable(["CLUSTER", "BROKER", "ID", "ROLE", "ADDRESS", "ZONE"], rows.map((r) => [r.cluster, r.brokerName, r.brokerId, r.role, r.addr, r.zoneName ?? "-"])));
    }
    case "topicList": {
      const topics = [...(await client.topicList())].sort();
      return done({ topicList: topics }, formatTable(["TOPIC"], topics.map((t) => [t])));
    }
    case "topicRoute": {
      const topic = need(args, 0, "a topic", args.topic);
      const route = await client.topicRoute(topic);
      const queues = [...route.queueDatas]
        .sort((a, b) => a.brokerName.localeCompare(b.brokerName))
        .map((q) => [q.brokerName, q.readQueueNums, q.writeQueueNums, `${q.perm} ${permText(q.perm)}`, q.topicSysFlag]);
      const brokers = [...route.brokerDatas]
        .sort((a, b) => a.brokerName.localeCompare(b.brokerName))
        .flatMap((b) => Object.entries(b.brokerAddrs).map(([id, addr]) => [b.cluster, b.brokerName, id, addr]));
      const text =
        formatTable(["BROKER", "READ QUEUES", "WRITE QUEUES", "PERM", "SYSFLAG"], queues) + "\n" + formatTable(["CLUSTER", "BROKER", "ID", "ADDRESS"], brokers);
      return done(route, text);
    }
    case "kv":
      return kvCommand(args, client);
    case "config":
      return configCommand(args, client);
    case "wipeWritePerm":
    case "addWritePerm": {
      const brokerName = need(args, 0, "a broker name", args.broker);
      const wipe = args.command === "wipeWritePerm";
      const count = wipe ? await client.wipeWritePerm(brokerName) : await client.addWritePerm(brokerName);
      const field = wipe ? "wipeTopicCount" : "addTopicCount";
      return done({ brokerName, [field]: count }, `${wipe ? "wiped write permission of" : "added write permission to"} ${count} topic(s) of ${brokerName}`);
    }
    case "deleteTopic": {
      const topic = need(args, 0, "a topic", args.topic);
      await client.deleteTopic(topic, args.cluster);
      return done({ topic, cluster: args.cluster, deleted: true }, `deleted topic ${topic}${args.cluster ? ` from cluster ${args.cluster}` : ""} in the NameServer`);
    }
    case "health": {
      const started = clock();
      try {
        await client.ping();
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        return done({ target: client.target, status: "DOWN", error }, `${client.target} DOWN: ${error}`, 1);
      }
      const latencyMs = clock() - started;
      return done({ target: client.target, status: "UP", latencyMs }, `${client.target} UP (${latencyMs} ms)`);
    }
    default:
      throw new CliError(`${args.command} is not run by runCommand`);
  }
}

async function kvCommand(args: CliArgs, client: AdminClient): Promise<CommandOutput> {
  const [action] = args.positional;
  switch (action) {
    case "get": {
      const namespace = need(args, 1, "a namespace");
      const key = need(args, 2, "a key");
      const value = await client.kvGet(namespace, key);
      return done({ namespace, key, value }, value);
    }
    case "put": {
      const namespace = need(args, 1, "a namespace");
      const key = need(args, 2, "a key");
      const value = args.positional[3];
      if (value === undefined) throw usageError("kv put needs a value");
      await client.kvPut(namespace, key, value);
      return done({ namespace, key, value, stored: true }, `stored ${namespace}/${key}`);
    }
    case "delete": {
      const namespace = need(args, 1, "a namespace");
      const key = need(args, 2, "a key");
      await client.kvDelete(namespace, key);
      return done({ namespace, key, deleted: true }, `deleted ${namespace}/${key}`);
    }
    case "list": {
      const namespace = need(args, 1, "a namespace");
      const table = await client.kvList(namespace);
      const rows = Object.keys(table)
        .sort()
        .map((key) => [key, table[key]]);
      return done({ namespace, table }, formatTable(["KEY", "VALUE"], rows));
    }
    default:
      throw usageError("kv needs get, put, delete or list");
  }
}

async function configCommand(args: CliArgs, client: AdminClient): Promise<CommandOutput> {
  const [action, ...rest] = args.positional;
  if (action === "get") {
    const config = await client.configGet();
    const keys = (rest.length ? rest : Object.keys(config)).slice().sort();
    const picked = Object.fromEntries(keys.filter((k) => k in config).map((k) => [k, config[k]]));
    const missing = keys.filter((k) => !(k in config));
    const text = formatTable(["KEY", "VALUE"], Object.entries(picked));
    return done(picked, missing.length ? `${text}not set: ${missing.join(", ")}\n` : text, missing.length ? 1 : 0);
  }
  if (action === "set") {
    if (rest.length === 0) throw usageError("config set needs key=value");
    const properties: Record<string, string> = {};
    for (const entry of rest) {
      const eq = entry.indexOf("=");
      if (eq <= 0) throw usageError(`config set takes key=value, not ${entry}`);
      properties[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    await client.configSet(properties);
    return done({ updated: properties }, `updated ${Object.keys(properties).join(", ")}`);
  }
  throw usageError("config needs get or set");
}
