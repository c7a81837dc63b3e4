import { Hono } from "hono";
import { encodeBrokerMemberGroupBody, encodeClusterInfo, encodeTopicList } from "../../shared/body-codec";
import type { NamesrvServices } from "../services";
import { sendEncoded } from "../http-helpers";

/** Cluster views: GET_BROKER_CLUSTER_INFO, GET_TOPICS_BY_CLUSTER, GET_BROKER_MEMBER_GROUP. */
export function clusterRoutes({ routes, config }: NamesrvServices): Hono {
  const app = new Hono();

  app.get("/clusters", async function getBrokerClusterInfo(c) {
    const info = await routes.getClusterInfo();
    return sendEncoded(c, config, "GET_BROKER_CLUSTER_INFO", (d) => encodeClusterInfo(info, d));
  });

  app.get("/clusters/:cluster/topics", async function getTopicsByCluster(c) {
    const list = await routes.getTopicsByCluster(c.req.param("cluster"));
    return sendEncoded(c, config, "GET_TOPICS_BY_CLUSTER", (d) => encodeTopicList(list, d));
  });

  app.get("/clusters/:cluster/brokers/:brokerName/members", async function getBrokerMemberGroup(c) {
    const group = await routes.getBrokerMemberGroup(c.req.param("cluster"), c.req.param("brokerName"));
    return sendEncoded(c, config, "GET_BROKER_MEMBER_GROUP", (d) => encodeBrokerMemberGroupBody(group, d));
  });

  return app;
}
