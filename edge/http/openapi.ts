import { z } from "zod";
import {
  BrokerMemberGroupBodySchema,
  ClusterInfoSchema,
  KVTableSchema,
  TopicListSchema,
  TopicRouteDataSchema,
} from "../../shared/body-schemas";
import { policySchema } from "../auth/policy";
import {
  brokerHeartbeatSchema,
  configUpdateSchema,
  putKVSchema,
  queryDataVersionSchema,
  registerBrokerSchema,
  registerTopicSchema,
  unregisterBrokerSchema,
} from "./http-schemas";

/** The OpenAPI 3.1 description of the HTTP API, served at /openapi.json. */

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });
const jsonBody = (s: z.ZodType) => ({ required: true, content: { "application/json": { schema: schema(s) } } });
const ok = (description: string, body?: z.ZodType) => ({
  description,
  content: { "application/json": body ? { schema: z.toJSONSchema(body, { io: "output", unrepresentable: "any" }) } : {} },
});
const errorResponse = {
  description: "A NameServer error: `code` is the RocketMQ response code, `message` its remark",
  content: {
    "application/json": {
      schema: {
        type: "object",
        properties: {
          error: {
            type: "object",
            properties: { code: { type: "integer" }, name: { type: "string" }, message: { type: "string" } },
            required: ["code", "name", "message"],
          },
        },
      },
    },
  },
};
/**
 * 401 / 403 answer a caller that authentication / authorization refused (README "Security"), 403 also
 * a cross-origin request from an origin not in httpCorsAllowOrigins; 413 a body
 * over maxHttpBodyBytes; 415 a state-changing body that is not `application/json`.
 */
const errors = { "400": errorResponse, "401": errorResponse, "403": errorResponse, "404": errorResponse, "413": errorResponse, "415": errorResponse, "500": errorResponse };
const param = (name: string, where: "path" | "query" = "path", description?: string) => ({
  name,
  in: where,
  required: where === "path",
  schema: { type: "string" },
  ...(description ? { description } : {}),
});
const format = param("format", "query", "`legacy` returns the fastjson default dialect (bare numeric keys) instead of standard JSON");

function op(summary: string, code: number | null, extra: Record<string, unknown> = {}, body?: z.ZodType) {
  return {
    summary,
    ...(code !== null ? { "x-rocketmq-request-code": code } : {}),
    responses: { "200": ok("Success", body), ...errors },
    ...extra,
  };
}

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "edge-namesrv HTTP API",
    version: "1.0.0",
    description:
      "The state of an Apache RocketMQ NameServer: topic routes, clusters, brokers and KV configuration. " +
      "Each operation is also served over the RocketMQ remoting protocol by the tcp-bridge.",
  },
  paths: {
    "/health": { get: op("Liveness of this instance", null) },
    "/api/v1/topics": { get: op("All topic names (GET_ALL_TOPIC_LIST_FROM_NAMESERVER)", 206, { parameters: [format] }, TopicListSchema) },
    "/api/v1/topics/{topic}/route": {
      get: op("Route of a topic (GET_ROUTEINFO_BY_TOPIC); 404 when the topic has no route", 105, {
        parameters: [param("topic"), param("zone", "query", "keep only brokers of this zone (zone routing)"), format],
      }, TopicRouteDataSchema),
    },
    "/api/v1/topics/{topic}": {
      delete: op("Delete a topic, or only one cluster's queues of it (DELETE_TOPIC_IN_NAMESRV)", 216, {
        parameters: [param("topic"), param("cluster", "query")],
      }),
    },
    "/api/v1/topics/{topic}/queues": {
      put: op("Add queue data of known brokers to a topic (REGISTER_TOPIC_IN_NAMESRV)", 217, {
        parameters: [param("topic")],
        requestBody: jsonBody(registerTopicSchema),
      }),
    },
    "/api/v1/system-topics": { get: op("Cluster and broker names (GET_SYSTEM_TOPIC_LIST_FROM_NS)", 304, { parameters: [format] }, TopicListSchema) },
    "/api/v1/unit-topics": {
      get: op("Topics by unit flag (GET_UNIT_TOPIC_LIST and the has-unit-sub lists)", 311, {
        parameters: [param("kind", "query", "unit (311), hasUnitSub (312) or hasUnitSubUnUnit (313)"), format],
      }, TopicListSchema),
    },
    "/api/v1/clusters": { get: op("Brokers and clusters (GET_BROKER_CLUSTER_INFO)", 106, { parameters: [format] }, ClusterInfoSchema) },
    "/api/v1/clusters/{cluster}/topics": {
      get: op("Topics served by a cluster (GET_TOPICS_BY_CLUSTER)", 224, { parameters: [param("cluster"), format] }, TopicListSchema),
    },
    "/api/v1/clusters/{cluster}/brokers/{brokerName}/members": {
      get: op("Addresses of a broker group (GET_BROKER_MEMBER_GROUP)", 901, {
        parameters: [param("cluster"), param("brokerName"), format],
      }, BrokerMemberGroupBodySchema),
    },
    "/api/v1/brokers/register": { post: op("Register a broker (REGISTER_BROKER)", 103, { requestBody: jsonBody(registerBrokerSchema) }) },
    "/api/v1/brokers/unregister": { post: op("Unregister a broker (UNREGISTER_BROKER)", 104, { requestBody: jsonBody(unregisterBrokerSchema) }) },
    "/api/v1/brokers/heartbeat": { post: op("Refresh a broker's liveness (BROKER_HEARTBEAT)", 904, { requestBody: jsonBody(brokerHeartbeatSchema) }) },
    "/api/v1/brokers/query-data-version": {
      post: op("Compare a broker's DataVersion, refreshing its liveness (QUERY_DATA_VERSION)", 322, {
        requestBody: jsonBody(queryDataVersionSchema),
      }),
    },
    "/api/v1/brokers/live": {
      get: op(
        "Every broker instance of the live table: clusterName, brokerAddr, brokerName (absent when no group holds the address), " +
          "lastUpdateTimestamp (epoch ms of the last registration or heartbeat), heartbeatTimeoutMillis, dataVersion (null when none was sent), " +
          "haServerAddr, as {brokers: [...]} (admin-read)",
        null,
      ),
    },
    "/api/v1/brokers/{brokerName}/wipe-write-perm": {
      post: op("Clear the write permission of a broker's queues (WIPE_WRITE_PERM_OF_BROKER)", 205, { parameters: [param("brokerName")] }),
    },
    "/api/v1/brokers/{brokerName}/add-write-perm": {
      post: op("Restore read-write permission of a broker's queues (ADD_WRITE_PERM_OF_BROKER)", 327, { parameters: [param("brokerName")] }),
    },
    "/internal/v1/ops/{operation}": {
      post: op(
        "The NameServer port itself, for a tcp-bridge in front of this deployment: the operation's input as JSON, " +
          "answered {output} (getRouteInfoByTopic: the encoded route). Not a public API: its inputs follow the port's types " +
          "(edge/port/namesrv-port.ts), nulls included.",
        null,
        { parameters: [param("operation")] },
      ),
    },
    "/api/v1/kv/{namespace}": { get: op("A KV namespace (GET_KVLIST_BY_NAMESPACE)", 219, { parameters: [param("namespace"), format] }, KVTableSchema) },
    "/api/v1/kv/{namespace}/{key}": {
      get: op("A KV value (GET_KV_CONFIG)", 101, { parameters: [param("namespace"), param("key")] }),
      put: op("Store a KV value (PUT_KV_CONFIG)", 100, { parameters: [param("namespace"), param("key")], requestBody: jsonBody(putKVSchema) }),
      delete: op("Delete a KV value (DELETE_KV_CONFIG)", 102, { parameters: [param("namespace"), param("key")] }),
    },
    "/api/v1/accounts": {
      get: op("Accounts with their policies, never their secret keys (admin-read)", null),
      post: op("Create an account; without secretKey one is generated and answered once (admin-write)", null, {
        requestBody: jsonBody(z.object({ name: z.string(), secretKey: z.string().optional() })),
      }),
    },
    "/api/v1/accounts/{name}": {
      get: op("One account and its policy (admin-read)", null, { parameters: [param("name")] }),
      delete: op("Delete an account with its tokens (admin-write)", null, { parameters: [param("name")] }),
    },
    "/api/v1/accounts/{name}/policy": {
      get: op("The account's policy (admin-read)", null, { parameters: [param("name")] }),
      put: op("Set the account's policy: request classes and name patterns (admin-write)", null, { parameters: [param("name")], requestBody: jsonBody(policySchema) }),
    },
    "/api/v1/accounts/{name}/tokens": {
      get: op("The account's unexpired tokens: ids and expiry (admin-read)", null, { parameters: [param("name")] }),
      post: op("Issue a bearer token, shown once (admin-write)", null, {
        parameters: [param("name")],
        requestBody: jsonBody(z.object({ expiresInSeconds: z.number().int().optional() })),
      }),
    },
    "/api/v1/accounts/{name}/tokens/{id}": { delete: op("Revoke a token (admin-write)", null, { parameters: [param("name"), param("id")] }) },
    "/api/v1/audit": { get: op("The latest audit records, oldest first (admin-read)", null, { parameters: [param("limit", "query")] }) },
    "/api/v1/namesrv-instances": {
      get: op("The live NameServer instances the address server lists: advertised address and last registration, epoch ms (admin-read)", null),
    },
    "/api/v1/config": {
      get: op("The NameServer configuration (GET_NAMESRV_CONFIG)", 319),
      put: op("Change configuration at run time (UPDATE_NAMESRV_CONFIG); black-listed keys are refused with 403", 318, {
        requestBody: jsonBody(configUpdateSchema),
      }),
    },
  },
};
