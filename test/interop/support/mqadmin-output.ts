/** Parsers for mqadmin's human-readable output. */
import { parseFastjson, type TopicRouteData } from "./remoting.js";

export interface ClusterListRow {
  cluster: string;
  brokerName: string;
  brokerId: number;
  addr: string;
  version: string;
}

/** Rows of `clusterList` (the header line starts with "#Cluster Name"). */
export function parseClusterList(output: string): ClusterListRow[] {
  const lines = output.split("\n");
  const header = lines.findIndex((l) => l.startsWith("#Cluster Name"));
  if (header < 0) throw new Error(`no clusterList table in:\n${output}`);
  return lines
    .slice(header + 1)
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols.length >= 5 && /^\d+$/.test(cols[2]))
    .map(([cluster, brokerName, bid, addr, version]) => ({ cluster, brokerName, brokerId: Number(bid), addr, version }));
}

/** The pretty-printed TopicRouteData of `topicRoute -t T`, or throws with the output. */
export function parseTopicRoute(output: string): TopicRouteData {
  const start = output.indexOf("{");
  const end = output.lastIndexOf("}");
  if (start < 0 || end < start || !output.includes('"brokerDatas"')) throw new Error(`no route in mqadmin output:\n${output}`);
  return parseFastjson<TopicRouteData>(output.slice(start, end + 1));
}

/** Topic names printed by `topicList` (one per line). */
export function parseTopicList(output: string): string[] {
  return output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/\s/.test(l));
}
