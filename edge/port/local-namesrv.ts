import type { CallInfo } from "./call";
import type { Policy } from "../auth/policy";
import type { Dialect } from "../../shared/fastjson-writer";
import type { NamesrvServices } from "../service/services";
import type { BrokerIdentity, NamesrvPort, RegisterBrokerInput } from "./namesrv-port";

/** The NameServer port over the services of this process: one short method per operation. */
export class LocalNamesrv implements NamesrvPort {
  constructor(private readonly services: NamesrvServices) {}

  putKVConfig(input: { namespace: string | null; key: string | null; value: string | null }) {
    return this.services.kv.putKVConfig(input.namespace, input.key, input.value);
  }

  getKVConfig(input: { namespace: string | null; key: string | null }) {
    return this.services.kv.getKVConfig(input.namespace, input.key);
  }

  deleteKVConfig(input: { namespace: string | null; key: string | null }) {
    return this.services.kv.deleteKVConfig(input.namespace, input.key);
  }

  registerBroker(input: RegisterBrokerInput) {
    return this.services.routes.registerBroker(input);
  }

  refreshBrokerRegistration(input: BrokerIdentity & { bodyDigest: string }) {
    return this.services.routes.refreshRegistration(input, input.bodyDigest);
  }

  unregisterBroker(input: Parameters<NamesrvPort["unregisterBroker"]>[0]) {
    return this.services.routes.unregisterBroker(input);
  }

  getRouteInfoByTopic(input: { topic: string | null; zoneName: string | null; dialect: Dialect }) {
    return (this.services.clusterTestRoutes ?? this.services.routes).getEncodedRoute(input.topic, input.zoneName, input.dialect);
  }

  getBrokerClusterInfo() {
    return this.services.routes.getClusterInfo();
  }

  wipeWritePermOfBroker(input: { brokerName: string | null }) {
    return this.services.routes.wipeWritePerm(input.brokerName);
  }

  getAllTopicListFromNameserver() {
    return this.services.routes.getAllTopicList();
  }

  deleteTopicInNamesrv(input: { topic: string | null; clusterName: string | null }) {
    return this.services.routes.deleteTopic(input.topic, input.clusterName);
  }

  registerTopicInNamesrv(input: Parameters<NamesrvPort["registerTopicInNamesrv"]>[0]) {
    return this.services.routes.registerTopic(input.topic, input.queueDatas);
  }

  getKVListByNamespace(input: { namespace: string | null }) {
    return this.services.kv.getKVListByNamespace(input.namespace);
  }

  getTopicsByCluster(input: { cluster: string | null }) {
    return this.services.routes.getTopicsByCluster(input.cluster);
  }

  getSystemTopicListFromNs() {
    return this.services.routes.getSystemTopicList();
  }

  getUnitTopicList() {
    return this.services.routes.getUnitTopics("unit");
  }

  getHasUnitSubTopicList() {
    return this.services.routes.getUnitTopics("hasUnitSub");
  }

  getHasUnitSubUnUnitTopicList() {
    return this.services.routes.getUnitTopics("hasUnitSubUnUnit");
  }

  updateNamesrvConfig(input: { properties: Record<string, string | number | boolean> }) {
    return this.services.config.update(input.properties);
  }

  getNamesrvConfig() {
    return this.services.config.properties();
  }

  queryDataVersion(input: Parameters<NamesrvPort["queryDataVersion"]>[0]) {
    return this.services.routes.queryDataVersion(input);
  }

  addWritePermOfBroker(input: { brokerName: string | null }) {
    return this.services.routes.addWritePerm(input.brokerName);
  }

  getBrokerMemberGroup(input: { clusterName: string | null; brokerName: string | null }) {
    return this.services.routes.getBrokerMemberGroup(input.clusterName, input.brokerName);
  }

  brokerHeartbeat(input: Parameters<NamesrvPort["brokerHeartbeat"]>[0]) {
    return this.services.routes.brokerHeartbeat(input);
  }

  closeChannel(input: { channel: string }) {
    return this.services.routes.unregisterChannel(input.channel);
  }

  scanNotActiveBroker() {
    return this.services.routes.expireBrokers();
  }

  getBrokerLiveInfo() {
    return this.services.routes.getBrokerLiveInfos();
  }

  async listNamesrvInstances() {
    return { instances: await this.services.instances.list() };
  }

  createAccount(input: { name: string; secretKey: string | null }) {
    return this.services.access.createAccount(input.name, input.secretKey);
  }

  getAccount(input: { name: string }) {
    return this.services.access.getAccount(input.name);
  }

  listAccounts() {
    return this.services.access.listAccounts();
  }

  deleteAccount(input: { name: string }) {
    return this.services.access.deleteAccount(input.name);
  }

  putPolicy(input: { name: string; policy: Policy }) {
    return this.services.access.putPolicy(input.name, input.policy);
  }

  issueToken(input: { name: string; expiresInSeconds: number | null }) {
    return this.services.access.issueToken(input.name, input.expiresInSeconds);
  }

  listTokens(input: { name: string }) {
    return this.services.access.listTokens(input.name);
  }

  revokeToken(input: { name: string; id: string }) {
    return this.services.access.revokeToken(input.name, input.id);
  }

  readAudit(input: { limit: number }) {
    return this.services.access.readAudit(input.limit);
  }

  /** Answered only to an account granted `relay`, with or without authorization on: it carries a secret. */
  relayedAccount(input: { name: string }, call?: CallInfo) {
    return this.services.access.relayedAccount(input.name, call?.principal ?? null);
  }
}
