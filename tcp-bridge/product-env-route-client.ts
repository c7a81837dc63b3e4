/**
 * clusterTest mode's remote call: GET_ROUTEINFO_BY_TOPIC to the product environment's NameServers,
 * as Java's ClusterTestRequestProcessor makes it through a DefaultMQAdminExt. That client takes its
 * NameServer addresses from NAMESRV_ADDR (`;`-separated), tries them in turn, and gives up after
 * 5 s (DefaultMQAdminExt's timeout); any failure leaves the topic unanswered (TOPIC_NOT_EXIST).
 */
import { connect } from "node:net";
import { ResponseCode, RequestCode } from "../shared/codes";
import { decodeTopicRouteData } from "../shared/body-codec";
import { FrameDecoder } from "../shared/frame-decoder";
import type { Logger } from "../shared/logger";
import type { TopicRouteData } from "../shared/model";
import { decodeCommand, encodeCommand, type RemotingCommand } from "../shared/remoting-command";
import type { ProductEnvRouteSource } from "../edge/service/cluster-test-routes";

/** DefaultMQAdminExt's timeoutMillis. */
const ADMIN_TIMEOUT_MS = 5000;
/** The version a 5.x admin client announces (V5_3_3's ordinal): the product NameServer answers standard JSON. */
const CLIENT_VERSION = 479;

/** `host:port` entries of a NAMESRV_ADDR value; none when it is unset or blank. */
export function productEnvAddresses(namesrvAddr: string | undefined): string[] {
  return (namesrvAddr ?? "").split(";").map((a) => a.trim()).filter((a) => /^.+:\d+$/.test(a));
}

/** One request over a fresh connection; the answer, or an error on close, timeout or bad frame. */
function request(address: string, command: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
  const split = address.lastIndexOf(":");
  const host = address.slice(0, split);
  const port = Number(address.slice(split + 1));
  return new Promise((resolve, reject) => {
    const decoder = new FrameDecoder();
    const socket = connect({ host, port });
    const done = (err: Error | null, answer?: RemotingCommand) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(answer!);
    };
    const timer = setTimeout(() => done(new Error(`no answer from ${address} within ${timeoutMs} ms`)), timeoutMs);
    socket.once("connect", () => socket.write(encodeCommand(command)));
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(new Uint8Array(chunk))) {
          const answer = decodeCommand(frame);
          if (answer.opaque === command.opaque && (answer.flag & 1) === 1) return done(null, answer);
        }
      } catch (err) {
        done(err as Error);
      }
    });
    socket.once("error", (err) => done(err));
    socket.once("close", () => done(new Error(`${address} closed the connection`)));
  });
}

export function productEnvRouteClient(options: { addresses: string[]; productEnvName: string; log: Logger }): ProductEnvRouteSource {
  let next = 0;
  let opaque = 0;
  return async (topic: string): Promise<TopicRouteData | null> => {
    const { addresses } = options;
    const deadline = Date.now() + ADMIN_TIMEOUT_MS;
    for (let i = 0; i < addresses.length && Date.now() < deadline; i++) {
      const address = addresses[(next + i) % addresses.length];
      try {
        const answer = await request(
          address,
          {
            code: RequestCode.GET_ROUTEINFO_BY_TOPIC,
            language: "JAVA",
            version: CLIENT_VERSION,
            opaque: (opaque = (opaque + 1) | 0),
            flag: 0,
            remark: null,
            extFields: { topic },
            body: null,
            serializeType: "JSON",
          },
          deadline - Date.now(),
        );
        next = (next + i) % addresses.length;
        if (answer.code === ResponseCode.SUCCESS && answer.body) return decodeTopicRouteData(answer.body);
        if (answer.code !== ResponseCode.TOPIC_NOT_EXIST) {
          options.log.info({ msg: "route from the product environment refused", productEnvName: options.productEnvName, topic, address, code: answer.code, remark: answer.remark });
        }
        return null;
      } catch (err) {
        options.log.info({
          msg: "get route info by topic from product environment failed",
          productEnvName: options.productEnvName,
          topic,
          address,
          error: (err as Error).message,
        });
      }
    }
    return null;
  };
}
