import { RequestCode, ResponseCode, Version } from "../shared/codes";
import type { Logger } from "../shared/logger";
import { Remark } from "../shared/remarks";
import { createResponse, type RemotingCommand } from "../shared/remoting-command";
import type { ConnectionContext, RequestHandler } from "./remoting-connection";
import { REQUEST_TRANSLATIONS } from "./request-translations";

/** Java's remark on GO_AWAY (NettyRemotingAbstract#processRequestCommand). */
export const GO_AWAY_REMARK = "please go away";

/**
 * The answers of a NameServer in its graceful-shutdown wait (enableShutdownGracefully), in front of
 * admission as Java checks it before its pools: a client newer than V5_3_1 gets GO_AWAY (it
 * reconnects and retries once), an older one is served, except route queries, which are SYSTEM_ERROR
 * "name server not ready" (apache/rocketmq#11073) so that the client asks another NameServer. A
 * request code the NameServer does not handle is still REQUEST_CODE_NOT_SUPPORTED, as in Java.
 */
export class ShutdownGate implements RequestHandler {
  private draining = false;

  constructor(
    private readonly inner: RequestHandler,
    private readonly log: Logger,
  ) {}

  /** From now on, answer as a NameServer about to stop. */
  beginShutdown(): void {
    this.draining = true;
  }

  get shuttingDown(): boolean {
    return this.draining;
  }

  handle(request: RemotingCommand, context: ConnectionContext): Promise<RemotingCommand | null> {
    if (this.draining && REQUEST_TRANSLATIONS[request.code] !== undefined) {
      if (request.version > Version.V5_3_1) {
        // as Java, one line per GO_AWAY: which clients were still asking while the instance drained
        this.log.info({ msg: "shutting down: GO_AWAY", code: request.code, version: request.version, peer: context.remoteAddress });
        return Promise.resolve(createResponse(request, ResponseCode.GO_AWAY, GO_AWAY_REMARK, null, null));
      }
      if (request.code === RequestCode.GET_ROUTEINFO_BY_TOPIC) {
        return Promise.resolve(createResponse(request, ResponseCode.SYSTEM_ERROR, Remark.NOT_READY, null, null));
      }
    }
    return this.inner.handle(request, context);
  }

  connectionClosed(context: ConnectionContext): Promise<void> {
    return this.inner.connectionClosed(context);
  }
}
