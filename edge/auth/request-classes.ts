/**
 * The request classes a policy grants: every operation of the NameServer port belongs to one.
 * The remoting request codes of each class are the issue's table (and README "Security"); the
 * operations without a request code (account management, the audit, the bridge's own) are placed
 * by what they do.
 */
import type { Operation } from "../port/namesrv-port";

export const REQUEST_CLASSES = ["route-read", "broker-control", "admin-read", "admin-write", "relay"] as const;
export type RequestClass = (typeof REQUEST_CLASSES)[number];

/**
 * `relay`: a tcp-bridge in front of this deployment (NAMESRV_EDGE_URL) may act for the clients it
 * authenticated. No request code belongs to it; an account holding it is trusted to name another
 * principal, so only bridges get it.
 */
export const CLASS_OF_OPERATION: { readonly [O in Operation]: RequestClass } = {
  getRouteInfoByTopic: "route-read",
  registerBroker: "broker-control",
  refreshBrokerRegistration: "broker-control",
  unregisterBroker: "broker-control",
  queryDataVersion: "broker-control",
  brokerHeartbeat: "broker-control",
  getKVConfig: "admin-read",
  getBrokerClusterInfo: "admin-read",
  getAllTopicListFromNameserver: "admin-read",
  getKVListByNamespace: "admin-read",
  getTopicsByCluster: "admin-read",
  getSystemTopicListFromNs: "admin-read",
  getUnitTopicList: "admin-read",
  getHasUnitSubTopicList: "admin-read",
  getHasUnitSubUnUnitTopicList: "admin-read",
  getNamesrvConfig: "admin-read",
  getBrokerMemberGroup: "admin-read",
  listNamesrvInstances: "admin-read",
  getBrokerLiveInfo: "admin-read",
  putKVConfig: "admin-write",
  deleteKVConfig: "admin-write",
  wipeWritePermOfBroker: "admin-write",
  deleteTopicInNamesrv: "admin-write",
  registerTopicInNamesrv: "admin-write",
  updateNamesrvConfig: "admin-write",
  addWritePermOfBroker: "admin-write",
  listAccounts: "admin-read",
  getAccount: "admin-read",
  listTokens: "admin-read",
  readAudit: "admin-read",
  createAccount: "admin-write",
  deleteAccount: "admin-write",
  putPolicy: "admin-write",
  issueToken: "admin-write",
  revokeToken: "admin-write",
  relayedAccount: "relay",
  // the bridge's own bookkeeping of its connections and the liveness sweep: a remote deployment
  // takes them only from a bridge it trusts
  closeChannel: "relay",
  scanNotActiveBroker: "relay",
};

/** Operations that change state: each one leaves an audit record, whatever its outcome. */
export const WRITE_OPERATIONS: ReadonlySet<Operation> = new Set<Operation>([
  "putKVConfig",
  "deleteKVConfig",
  "registerBroker",
  "refreshBrokerRegistration",
  "unregisterBroker",
  "wipeWritePermOfBroker",
  "addWritePermOfBroker",
  "deleteTopicInNamesrv",
  "registerTopicInNamesrv",
  "updateNamesrvConfig",
  "createAccount",
  "deleteAccount",
  "putPolicy",
  "issueToken",
  "revokeToken",
  "closeChannel",
]);
