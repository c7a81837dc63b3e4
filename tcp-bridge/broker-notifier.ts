import { connect } from "node:net";
import { FLAG_ONEWAY, OutboundRequestCode, SERVER_VERSION } from "../shared/codes";
import type { Logger } from "../shared/logger";
import { encodeCommand } from "../shared/remoting-command";
import type { BrokerNotifier, MinBrokerIdChangeNotice } from "../edge/service/broker-notifier";

/** Java's NettyClientConfig.connectTimeoutMillis, which its NameServer's client connects with. */
const CONNECT_TIMEOUT_MS = 3000;

/**
 * NOTIFY_MIN_BROKER_ID_CHANGE over remoting, as the Java NameServer sends it: a oneway request to
 * each broker's registered address (brokerAddr, the broker's listening port). That is where a
 * broker serves it (AdminBrokerProcessor, the default processor of its remoting servers); the
 * connection a broker registered on is its own client connection, on which it serves no requests,
 * so sending there would reach nothing. Any instance sharing a store can therefore notify, whichever
 * holds the broker's registration connection. One short connection per notice: they are rare
 * (a master leaving or coming back), and a oneway request has no answer to wait for.
 */
export class RemotingBrokerNotifier implements BrokerNotifier {
  private opaque = 0;

  constructor(
    private readonly log: Logger,
    private readonly connectTimeoutMs = CONNECT_TIMEOUT_MS,
  ) {}

  notifyMinBrokerIdChange(brokerAddrs: string[], notice: MinBrokerIdChangeNotice): void {
    this.log.info({ msg: "min broker id changed, notifying brokers", ...notice, notify: brokerAddrs });
    for (const brokerAddr of brokerAddrs) this.send(brokerAddr, notice);
  }

  private send(brokerAddr: string, notice: MinBrokerIdChangeNotice): void {
    const target = hostAndPort(brokerAddr);
    if (!target) {
      this.log.warn({ msg: "min broker id notice not sent: not a host:port address", brokerAddr });
      return;
    }
    const frame = encodeCommand({
      code: OutboundRequestCode.NOTIFY_MIN_BROKER_ID_CHANGE,
      language: "JAVA",
      version: SERVER_VERSION,
      opaque: (this.opaque = (this.opaque + 1) | 0),
      flag: FLAG_ONEWAY,
      remark: null,
      extFields: noticeFields(notice),
      body: null,
      serializeType: "JSON",
    });
    const socket = connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => socket.destroy(new Error(`connect timed out after ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.end(frame);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      this.log.warn({ msg: "min broker id notice not sent", brokerAddr, error: err.message });
    });
    socket.once("close", () => clearTimeout(timer));
    socket.resume();
  }
}

/** The header fields Java writes: its null fields are left out, as RemotingCommand leaves them out. */
function noticeFields(notice: MinBrokerIdChangeNotice): Record<string, string> {
  const fields: Record<string, string> = { minBrokerId: String(notice.minBrokerId), minBrokerAddr: notice.minBrokerAddr };
  if (notice.offlineBrokerAddr !== null) fields.offlineBrokerAddr = notice.offlineBrokerAddr;
  if (notice.haBrokerAddr !== null) fields.haBrokerAddr = notice.haBrokerAddr;
  return fields;
}

/** As Java's RemotingHelper.string2SocketAddress: the port after the last colon. */
function hostAndPort(addr: string): { host: string; port: number } | null {
  const colon = addr.lastIndexOf(":");
  if (colon <= 0) return null;
  const port = Number(addr.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return null;
  return { host: addr.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port };
}
