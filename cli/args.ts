import { usageError } from "./cli-error";

export const COMMANDS = [
  "clusterList",
  "brokers",
  "topicList",
  "topicRoute",
  "kv",
  "config",
  "wipeWritePerm",
  "addWritePerm",
  "deleteTopic",
  "health",
  "watch",
  "help",
] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  command: Command;
  /** words after the command, options taken out */
  positional: string[];
  /** remoting address (host:port); null when --url is used */
  namesrv: string | null;
  url: string | null;
  json: boolean;
  accessKey: string | null;
  secretKey: string | null;
  token: string | null;
  timeoutMs: number;
  /** -c: the cluster deleteTopic is limited to, or clusterList/brokers filter by */
  cluster: string | null;
  /** -t: a topic, instead of the positional one */
  topic: string | null;
  /** -b: a broker name, instead of the positional one */
  broker: string | null;
  /** watch: seconds between refreshes */
  intervalSeconds: number;
  /** watch: stop after this many refreshes (0: until interrupted) */
  iterations: number;
}

const VALUE_OPTIONS: Record<string, keyof CliArgs> = {
  "-n": "namesrv",
  "--namesrv": "namesrv",
  "--namesrvAddr": "namesrv",
  "--url": "url",
  "--access-key": "accessKey",
  "--secret-key": "secretKey",
  "--token": "token",
  "--timeout": "timeoutMs",
  "-c": "cluster",
  "--cluster": "cluster",
  "-t": "topic",
  "--topic": "topic",
  "-b": "broker",
  "--broker": "broker",
  "-i": "intervalSeconds",
  "--interval": "intervalSeconds",
  "--iterations": "iterations",
};

const NUMERIC: ReadonlySet<keyof CliArgs> = new Set(["timeoutMs", "intervalSeconds", "iterations"]);

/**
 * Parses `edge-namesrv <command> [words] [options]`; `--opt value` and `--opt=value` both work.
 * The NameServer defaults to NAMESRV_ADDR's first address (as mqadmin), else 127.0.0.1:9876;
 * credentials default to EDGE_NAMESRV_ACCESS_KEY / _SECRET_KEY / _TOKEN so they stay out of `ps`.
 */
export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): CliArgs {
  const args: CliArgs = {
    command: "help",
    positional: [],
    namesrv: null,
    url: null,
    json: false,
    accessKey: env.EDGE_NAMESRV_ACCESS_KEY || null,
    secretKey: env.EDGE_NAMESRV_SECRET_KEY || null,
    token: env.EDGE_NAMESRV_TOKEN || null,
    timeoutMs: 5_000,
    cluster: null,
    topic: null,
    broker: null,
    intervalSeconds: 2,
    iterations: 0,
  };
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") {
      args.json = true;
      continue;
    }
    if (arg === "-h" || arg === "--help") {
      words.unshift("help");
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const field = VALUE_OPTIONS[name];
    if (field === undefined) {
      if (arg.startsWith("-") && arg.length > 1 && !/^-\d/.test(arg)) throw usageError(`unknown option ${arg}`);
      words.push(arg);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw usageError(`${name} needs a value`);
    if (NUMERIC.has(field)) {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw usageError(`${name} must be a non-negative number, not ${value}`);
      (args as unknown as Record<string, unknown>)[field] = n;
    } else {
      (args as unknown as Record<string, unknown>)[field] = value;
    }
  }
  const [command, ...positional] = words;
  if (command !== undefined) {
    if (!(COMMANDS as readonly string[]).includes(command)) throw usageError(`unknown command ${command} (try: edge-namesrv help)`);
    args.command = command as Command;
  }
  args.positional = positional;
  if (args.url !== null && args.namesrv !== null) throw usageError("give either -n host:port (remoting) or --url (HTTP), not both");
  if (args.url === null && args.namesrv === null) {
    args.namesrv = env.NAMESRV_ADDR?.split(";").map((a) => a.trim()).find((a) => a !== "") ?? "127.0.0.1:9876";
  }
  if ((args.accessKey === null) !== (args.secretKey === null)) throw usageError("--access-key and --secret-key go together");
  if (args.intervalSeconds <= 0) throw usageError("--interval must be above 0");
  return args;
}

export const USAGE = `usage: edge-namesrv <command> [options]

commands:
  clusterList                     clusters and their broker groups
  brokers                         every registered broker instance
  topicList                       every topic
  topicRoute <topic>              a topic's queues and brokers
  kv get <namespace> <key>        a KV value
  kv put <namespace> <key> <value>
  kv delete <namespace> <key>
  kv list <namespace>             a KV namespace
  config get [key...]             the NameServer configuration
  config set key=value [...]      change configuration at run time
  wipeWritePerm <brokerName>      clear the write permission of a broker's queues
  addWritePerm <brokerName>       restore it
  deleteTopic <topic> [-c cluster]
  health                          whether the NameServer answers, and how fast
  watch                           live view of brokers and registrations (Ctrl-C to stop)

options:
  -n host:port       remoting protocol (ours or Apache's NameServer; default NAMESRV_ADDR, then 127.0.0.1:9876)
  --url URL          our HTTP API instead (e.g. http://127.0.0.1:8080)
  --json             JSON for scripts instead of tables
  --access-key K --secret-key S   sign remoting requests (or EDGE_NAMESRV_ACCESS_KEY / EDGE_NAMESRV_SECRET_KEY)
  --token T          bearer token for the HTTP API (or EDGE_NAMESRV_TOKEN)
  --timeout MS       per request (default 5000)
  --interval S       watch: seconds between refreshes (default 2)
  --iterations N     watch: stop after N refreshes (default: never)
`;
