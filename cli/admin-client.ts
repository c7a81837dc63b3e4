import type { ClusterInfo, TopicRouteData } from "../shared/model";

/**
 * What the CLI asks of a NameServer, whichever way it reaches it: the remoting protocol (ours or
 * Apache's Java NameServer) or our HTTP API. A refusal rejects with a CliError carrying the
 * NameServer's response code.
 */
export interface AdminClient {
  /** where it points, for messages */
  readonly target: string;
  clusterInfo(): Promise<ClusterInfo>;
  topicList(): Promise<string[]>;
  topicRoute(topic: string): Promise<TopicRouteData>;
  kvGet(namespace: string, key: string): Promise<string>;
  kvPut(namespace: string, key: string, value: string): Promise<void>;
  kvDelete(namespace: string, key: string): Promise<void>;
  kvList(namespace: string): Promise<Record<string, string>>;
  configGet(): Promise<Record<string, string>>;
  configSet(properties: Record<string, string>): Promise<void>;
  /** answers how many topics it touched */
  wipeWritePerm(brokerName: string): Promise<number>;
  addWritePerm(brokerName: string): Promise<number>;
  deleteTopic(topic: string, clusterName: string | null): Promise<void>;
  /** resolves when the NameServer answers at all */
  ping(): Promise<void>;
  close(): Promise<void>;
}
