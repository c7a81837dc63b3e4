/**
 * Credentials of RocketMQ's request signature (AclClientRPCHook) for the interop peers: what a
 * broker signs its NameServer requests with (innerClientAuthenticationCredentials), what mqadmin
 * reads from $ROCKETMQ_HOME/conf/tools.yml, what our programs take.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Credentials {
  accessKey: string;
  secretKey: string;
}

/** The administrator of the security contract's examples (initAuthenticationUser rocketmq/12345678). */
export const ADMIN: Credentials = { accessKey: "rocketmq", secretKey: "12345678" };

/** The NameServer and broker setting that creates `c` as administrator on first start (Java AuthConfig shape). */
export function initAuthenticationUser(c: Credentials): string {
  return JSON.stringify({ username: c.accessKey, password: c.secretKey });
}

/** The broker setting that makes it sign every outgoing request with `c` (BrokerOuterAPI#newAclRPCHook). */
export function innerClientAuthenticationCredentials(c: Credentials): string {
  return JSON.stringify({ accessKey: c.accessKey, secretKey: c.secretKey });
}

/**
 * Makes mqadmin started with ROCKETMQ_HOME=`homeDir` sign every request (MQAdminStartup loads
 * $ROCKETMQ_HOME/conf/tools.yml through AclUtils#getAclRPCHook). A home of the test's own: the
 * RocketMQ jars in .cache stay untouched.
 */
export function writeToolsYml(homeDir: string, c: Credentials): void {
  mkdirSync(join(homeDir, "conf"), { recursive: true });
  writeFileSync(join(homeDir, "conf/tools.yml"), `accessKey: ${JSON.stringify(c.accessKey)}\nsecretKey: ${JSON.stringify(c.secretKey)}\n`);
}
