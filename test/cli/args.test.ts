import { describe, expect, it } from "vitest";
import { parseArgs } from "../../cli/args";
import { CliError } from "../../cli/cli-error";

describe("parseArgs", () => {
  it("takes the command, its words and options in any order", () => {
    const args = parseArgs(["kv", "--json", "put", "-n", "10.0.0.1:9876", "NS", "k", "v=1"]);
    expect(args).toMatchObject({ command: "kv", positional: ["put", "NS", "k", "v=1"], namesrv: "10.0.0.1:9876", url: null, json: true });
    expect(parseArgs(["deleteTopic", "T", "--cluster=C1", "--timeout=250"])).toMatchObject({ positional: ["T"], cluster: "C1", timeoutMs: 250 });
    expect(parseArgs(["watch", "-i", "0.5", "--iterations", "3"])).toMatchObject({ intervalSeconds: 0.5, iterations: 3 });
  });

  it("defaults the NameServer to NAMESRV_ADDR's first address, then 127.0.0.1:9876; --url chooses HTTP", () => {
    expect(parseArgs(["brokers"]).namesrv).toBe("127.0.0.1:9876");
    expect(parseArgs(["brokers"], { NAMESRV_ADDR: " 10.0.0.5:9876;10.0.0.6:9876" }).namesrv).toBe("10.0.0.5:9876");
    expect(parseArgs(["brokers", "--url", "http://h:8080"], { NAMESRV_ADDR: "10.0.0.5:9876" })).toMatchObject({ namesrv: null, url: "http://h:8080" });
  });

  it("reads credentials from options or the environment", () => {
    expect(parseArgs(["health", "--access-key", "ak", "--secret-key", "sk"])).toMatchObject({ accessKey: "ak", secretKey: "sk" });
    expect(parseArgs(["health"], { EDGE_NAMESRV_ACCESS_KEY: "ak", EDGE_NAMESRV_SECRET_KEY: "sk", EDGE_NAMESRV_TOKEN: "t" })).toMatchObject({
      accessKey: "ak",
      secretKey: "sk",
      token: "t",
    });
  });

  it("refuses what it cannot run, as a usage error (exit code 2)", () => {
    const cases: string[][] = [
      ["nope"],
      ["brokers", "--bogus"],
      ["brokers", "-n"],
      ["brokers", "-n", "h:1", "--url", "http://h"],
      ["health", "--access-key", "ak"],
      ["watch", "--interval", "0"],
      ["watch", "--iterations", "many"],
    ];
    for (const argv of cases) {
      let thrown: unknown;
      try {
        parseArgs(argv);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, argv.join(" ")).toBeInstanceOf(CliError);
      expect((thrown as CliError).exitCode, argv.join(" ")).toBe(2);
    }
  });

  it("no command, or -h, is help", () => {
    expect(parseArgs([]).command).toBe("help");
    expect(parseArgs(["-h"]).command).toBe("help");
  });
});
