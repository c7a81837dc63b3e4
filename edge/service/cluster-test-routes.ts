import { ResponseCode } from "../../shared/codes";
import { encodeTopicRouteData, utf8, type Dialect } from "../../shared/body-codec";
import type { TopicRouteData } from "../../shared/model";
import { Remark, topicNotExistRemark } from "../../shared/remarks";
import { NamesrvError } from "../port/namesrv-error";
import type { RouteManager } from "./route-manager";
import { filterByZone } from "./route-rewrites";

/**
 * Asks the product environment's NameServer for a topic's route; null when it has none or cannot
 * be reached (the caller then answers as if nobody had the route).
 */
export type ProductEnvRouteSource = (topic: string) => Promise<TopicRouteData | null>;

/**
 * Route queries in Java's clusterTest mode (ClusterTestRequestProcessor): a topic this NameServer
 * has no route for is looked up in the product environment (`productEnvName`), and that route is
 * the answer. Java re-encodes the fetched route with fastjson's default settings, so it is
 * answered in the legacy dialect whatever the client's version; a local route is answered as usual.
 * Java's zone filter is an RPC hook that rewrites every successful route answer, the product
 * environment's included, so a zone-mode query gets the fetched route filtered too.
 * Java's processor has no `needWaitForService` wait; here, until the wait is over, this
 * NameServer's own routes are passed over and the product environment answers.
 */
export class ClusterTestRoutes {
  constructor(
    private readonly routes: RouteManager,
    private readonly productEnv: ProductEnvRouteSource,
  ) {}

  async getEncodedRoute(topic: string | null, zoneName: string | null, dialect: Dialect): Promise<Uint8Array> {
    try {
      return await this.routes.getEncodedRoute(topic, zoneName, dialect);
    } catch (err) {
      if (!(err instanceof NamesrvError) || topic === null || !(isMiss(err) || isNotReady(err))) throw err;
      const route = await this.productEnv(topic);
      if (route === null) throw new NamesrvError(ResponseCode.TOPIC_NOT_EXIST, topicNotExistRemark(topic));
      return utf8(encodeTopicRouteData(zoneName ? filterByZone(route, zoneName) : route, "legacy"));
    }
  }
}

const isMiss = (err: NamesrvError) => err.code === ResponseCode.TOPIC_NOT_EXIST;
const isNotReady = (err: NamesrvError) => err.code === ResponseCode.SYSTEM_ERROR && err.message === Remark.NOT_READY;
