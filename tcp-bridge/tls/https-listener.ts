/**
 * The HTTP API's listener, serving HTTPS with the remoting port's certificate when the operator
 * configured one (the test mode's generated certificate leaves it plain HTTP, so a default start
 * is unchanged). Bun's server.reload() does not take new TLS options, so a reload restarts the
 * listener on the same port: requests in progress finish on the old one, and a connection attempt
 * in the moment between the two may be refused.
 */
import type { Server, TLSOptions } from "bun";
import type { Logger } from "../../shared/logger";
import type { CredentialSource, ServerCredentials } from "./server-credentials";

export interface HttpListener {
  readonly port: number;
  readonly scheme: "http" | "https";
  stop(): void;
}

function tlsOf(credentials: ServerCredentials): TLSOptions {
  return { cert: credentials.certPem, key: credentials.keyPem, passphrase: credentials.passphrase };
}

/** `serve` starts Bun.serve on `port` with the given TLS options (undefined: plain HTTP). */
export function startHttpListener(
  serve: (port: number, tls: TLSOptions | undefined) => Server<unknown>,
  port: number,
  credentials: CredentialSource | null,
  log: Logger,
): HttpListener {
  const https = credentials !== null && !credentials.current.selfSigned;
  let server = serve(port, https ? tlsOf(credentials.current) : undefined);
  const boundPort = server.port ?? port;
  let stopped = false;
  if (https) {
    credentials.onReload((fresh) => {
      if (stopped) return;
      server.stop(false);
      try {
        server = serve(boundPort, tlsOf(fresh));
        log.info({ msg: "HTTPS listener restarted with the reloaded certificate", port: boundPort });
      } catch (err) {
        log.error({ msg: "HTTPS listener could not restart", port: boundPort, error: String(err) });
      }
    });
  }
  return {
    port: boundPort,
    scheme: https ? "https" : "http",
    stop() {
      stopped = true;
      server.stop(true);
    },
  };
}
