/**
 * `edge-namesrv <command>`: the CLI's entry point. Parses the arguments, opens a client (remoting
 * or HTTP), runs the command, prints a table or JSON, and exits with the command's code.
 */
import type { AdminClient } from "./admin-client";
import { parseArgs, USAGE, type CliArgs } from "./args";
import { CliError } from "./cli-error";
import { runCommand } from "./commands";
import { httpAdmin } from "./http-admin";
import { remotingAdmin } from "./remoting-admin";
import { watch } from "./watch";

export function openClient(args: CliArgs): Promise<AdminClient> {
  if (args.url !== null) return Promise.resolve(httpAdmin(args.url, args.token, args.timeoutMs));
  const credentials = args.accessKey !== null && args.secretKey !== null ? { accessKey: args.accessKey, secretKey: args.secretKey } : null;
  return remotingAdmin(args.namesrv!, credentials, args.timeoutMs);
}

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv, env);
  } catch (error) {
    err.write(`${(error as Error).message}\n\n${USAGE}`);
    return error instanceof CliError ? error.exitCode : 2;
  }
  if (args.command === "help") {
    out.write(USAGE);
    return 0;
  }
  let client: AdminClient | null = null;
  try {
    client = await openClient(args);
    if (args.command === "watch") {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        return await watch(args, client, (text) => out.write(text), { terminal: Boolean(out.isTTY) && !args.json, signal: stop.signal });
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    }
    const output = await runCommand(args, client);
    out.write(args.json ? `${JSON.stringify(output.data, null, 2)}\n` : output.text);
    return output.exitCode;
  } catch (error) {
    if (args.command === "health" && client === null) {
      // unreachable is an answer of its own for a probe, in the same shape as UP
      const message = error instanceof Error ? error.message : String(error);
      const target = args.url ?? args.namesrv;
      out.write(args.json ? `${JSON.stringify({ target, status: "DOWN", error: message }, null, 2)}\n` : `${target} DOWN: ${message}\n`);
      return 1;
    }
    if (args.json && error instanceof CliError) {
      out.write(`${JSON.stringify({ error: { code: error.responseCode, message: error.message } }, null, 2)}\n`);
    }
    err.write(`edge-namesrv ${args.command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  } finally {
    await client?.close();
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2), process.env, process.stdout, process.stderr);
  // exit only once what was written reached the pipe: a script reading --json gets all of it
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}
