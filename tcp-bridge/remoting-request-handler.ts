import { RequestCode, ResponseCode } from "../shared/codes";
import type { Logger } from "../shared/logger";
import { Remark } from "../shared/remarks";
import { createResponse, type RemotingCommand } from "../shared/remoting-command";
import type { Credentials } from "../edge/auth/credentials";
import type { CallInfo } from "../edge/port/call";
import type { NamesrvPort } from "../edge/port/namesrv-port";
import { BodyDecoder } from "./body-decoder";
import type { RetryQueue } from "./retry-queue";
import type { ConnectionContext, RequestHandler } from "./remoting-connection";
import { REQUEST_TRANSLATIONS, type Translation } from "./request-translations";

/**
 * What a request presents to prove who sent it: RocketMQ's signature (an AccessKey extField), else
 * the connection's verified client certificate (mTLS); checked by the port's authentication.
 */
function credentialsOf(request: RemotingCommand | null, context: ConnectionContext): Credentials | null {
  const accessKey = request?.extFields?.AccessKey;
  if (request !== null && typeof accessKey === "string" && accessKey !== "") {
    return { kind: "signature", accessKey, signature: request.extFields!.Signature ?? null, extFields: request.extFields!, body: request.body };
  }
  const subject = context.clientCertificateSubject;
  return subject === null ? null : { kind: "certificate", subject };
}

/** The port call of a request (null: the connection's own bookkeeping) on `context`'s connection. */
function remotingCall(context: ConnectionContext, request: RemotingCommand | null): CallInfo {
  return {
    transport: "remoting",
    peer: context.remoteAddress,
    principal: null,
    connection: context.channelId,
    credentials: credentialsOf(request, context),
    requestBytes: request === null ? null : (request.body?.byteLength ?? 0),
  };
}

/**
 * Answers remoting requests by translating each request code to a call of the NameServer port
 * (request-translations.ts) and its answer back to a RemotingCommand.
 */
export class RemotingRequestHandler implements RequestHandler {
  constructor(
    private readonly port: NamesrvPort,
    private readonly log: Logger,
    private readonly bodies: BodyDecoder = new BodyDecoder(),
    /** Where an unregistration that failed (the store unavailable) is retried; none: logged only. */
    private readonly retries: RetryQueue | null = null,
  ) {}

  async handle(request: RemotingCommand, context: ConnectionContext): Promise<RemotingCommand | null> {
    const translation: Translation | undefined = REQUEST_TRANSLATIONS[request.code];
    if (!translation) {
      return createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, Remark.notSupported(request.code), null, null);
    }
    try {
      const response = await translation(request, { port: this.port, call: remotingCall(context, request), bodies: this.bodies });
      if (request.code === RequestCode.REGISTER_BROKER && response.code === ResponseCode.SUCCESS) {
        context.registeredBroker = true;
        // The connection closed while the registration was in flight: undo it like a close.
        if (context.isClosed) await this.connectionClosed(context);
      }
      return response;
    } catch (err) {
      // a fault of the translation itself (the port's failures are answers)
      this.log.error({ msg: "request failed", code: request.code, peer: context.remoteAddress, error: String(err) });
      return createResponse(request, ResponseCode.SYSTEM_ERROR, String(err), null, null);
    }
  }

  /** Unregisters the brokers whose registration the closed connection carried, retrying a failure. */
  async connectionClosed(context: ConnectionContext): Promise<void> {
    const attempt = () => this.unregisterChannel(context);
    try {
      await attempt();
    } catch (err) {
      this.log.error({ msg: "unregister on close failed", channel: context.channelId, error: String(err), retry: this.retries !== null });
      this.retries?.add(`close ${context.channelId}`, attempt);
    }
  }

  private async unregisterChannel(context: ConnectionContext): Promise<void> {
    // the brokers it removed are logged where the services run (edge/service/broker-lifecycle-log.ts)
    await this.port.closeChannel({ channel: context.channelId }, remotingCall(context, null));
  }
}
