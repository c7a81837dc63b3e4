import { Hono } from "hono";
import { encodeBrokerMemberGroupBody, encodeClusterInfo, encodeTopicList } from "../../../shared/body-codec";
import { httpCall } from "../http-call";
import { sendEncoded } from "../http-helpers";
import type { RouteContext } from "./route-context";

/** Cluster views: GET_BROKER_CLUSTER_INFO, GET_TOPICS_BY_CLUSTER, GET_BROKER_MEMBER_GROUP. */
export function clusterRoutes({ port, limits, peerOf }: RouteContext): Hono {
  const app = new Hono();

  app.get("/clusters", async function getBrokerClusterInfo(c) {
    const info = await port.getBrokerClusterInfo({}, httpCall(c, peerOf));
    return sendEncoded(c, limits, "GET_BROKER_CLUSTER_INFO", (d) => encodeClusterInfo(info, d));
  });

  app.get("/clusters/:cluster/topics", async function getTopicsByCluster(c) {
    const list = await port.getTopicsByCluster({ cluster: c.req.param("cluster") }, httpCall(c, peerOf));
    return sendEncoded(c, limits, "GET_TOPICS_BY_CLUSTER", (d) => encodeTopicList(list, d));
  });

  app.get("/clusters/:cluster/brokers/:brokerName/members", async function getBrokerMemberGroup(c) {
    const input = { clusterName: c.req.param("cluster"), brokerName: c.req.param("brokerName") };
    const group = await port.getBrokerMemberGroup(input, httpCall(c, peerOf));
    return sendEncoded(c, limits, "GET_BROKER_MEMBER_GROUP", (d) => encodeBrokerMemberGroupBody(group, d));
  });

  return app;
}
