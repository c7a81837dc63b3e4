/**
 * The certificate the listeners present and the CA client certificates are checked against, kept
 * current while the NameServer runs: the files are polled (file-watch.ts) and reloaded as Java's
 * NamesrvController#initiateSslContext does. A new trust file reloads at once; a new certificate or
 * key waits until both have changed (a rotation writes two files); credentials that fail to load
 * leave the old ones in use. Only new connections see a reload.
 */
import { readFile } from "node:fs/promises";
import { createSecureContext, type SecureContext } from "node:tls";
import type { Logger } from "../../shared/logger";
import { watchFiles, type FileWatch } from "./file-watch";
import { selfSignedCertificate } from "./self-signed-certificate";
import { hasConfiguredCertificate, type TlsConfig } from "./tls-config";

export interface ServerCredentials {
  certPem: string;
  keyPem: string;
  passphrase: string | undefined;
  /** PEM of the trusted client CA (authClient only) */
  caPem: string | undefined;
  /** the remoting listener's context for these */
  secureContext: SecureContext;
  /** true for the test mode's generated certificate */
  selfSigned: boolean;
}

export interface CredentialSource {
  readonly current: ServerCredentials;
  /** Called after each successful reload. */
  onReload(listener: (credentials: ServerCredentials) => void): void;
  stop(): void;
}

function build(parts: Omit<ServerCredentials, "secureContext">): ServerCredentials {
  const secureContext = createSecureContext({ cert: parts.certPem, key: parts.keyPem, passphrase: parts.passphrase, ca: parts.caPem });
  return { ...parts, secureContext };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

/** Loads what the configuration names (or makes the test mode's certificate). Throws when they do not load. */
async function load(config: TlsConfig, selfSigned: Pick<ServerCredentials, "certPem" | "keyPem"> | null): Promise<ServerCredentials> {
  const caPem = config.authClient && config.trustCertPath !== null ? await readText(config.trustCertPath, "tls.server.trustCertPath") : undefined;
  if (selfSigned !== null) return build({ ...selfSigned, passphrase: undefined, caPem, selfSigned: true });
  const certPem = await readText(config.certPath!, "tls.server.certPath");
  const keyPem = await readText(config.keyPath!, "tls.server.keyPath");
  try {
    return build({ certPem, keyPem, passphrase: config.keyPassword ?? undefined, caPem, selfSigned: false });
  } catch (err) {
    throw new Error(`cannot use ${config.certPath} with key ${config.keyPath}: ${(err as Error).message}`);
  }
}

/** The credentials of a listener with TLS on (mode permissive or enforcing), watched for changes. */
export async function openServerCredentials(config: TlsConfig, log: Logger): Promise<CredentialSource> {
  const generated = hasConfiguredCertificate(config) ? null : selfSignedCertificate({ commonName: "edge-namesrv" });
  let current = await load(config, generated);
  const listeners: Array<(credentials: ServerCredentials) => void> = [];
  let certChanged = false;
  let keyChanged = false;
  let reloading = Promise.resolve();

  const reload = (why: string) => {
    reloading = reloading.then(async () => {
      try {
        current = await load(config, generated);
        certChanged = keyChanged = false;
        log.info({ msg: "TLS credentials reloaded", reason: why, certPath: config.certPath, trustCertPath: config.trustCertPath });
        for (const listener of listeners) listener(current);
      } catch (err) {
        // Both marked: the next change of either file tries again.
        if (!generated) certChanged = keyChanged = true;
        log.error({ msg: "TLS credentials not reloaded, the previous ones stay in use", reason: why, error: (err as Error).message });
      }
    });
  };

  const watched = [...(generated ? [] : [config.certPath!, config.keyPath!]), ...(config.authClient && config.trustCertPath ? [config.trustCertPath] : [])];
  const watch: FileWatch | null =
    watched.length === 0
      ? null
      : watchFiles([...new Set(watched)], config.reloadIntervalMillis, (path) => {
          if (path === config.trustCertPath) return reload(`${path} changed`);
          if (path === config.certPath) certChanged = true;
          if (path === config.keyPath) keyChanged = true;
          if (certChanged && keyChanged) reload("certificate and key changed");
        });

  return {
    get current() {
      return current;
    },
    onReload: (listener) => void listeners.push(listener),
    stop: () => watch?.stop(),
  };
}
