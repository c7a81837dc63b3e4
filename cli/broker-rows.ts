import type { ClusterInfo } from "../shared/model";

/** One registered broker instance, as `brokers` and `watch` show it. */
export interface BrokerRow {
  cluster: string;
  brokerName: string;
  brokerId: number;
  /** MASTER for broker id 0, as RocketMQ names it; SLAVE otherwise */
  role: "MASTER" | "SLAVE";
  addr: string;
  zoneName: string | null;
}

/** Every broker instance of the cluster info, sorted by cluster, name and id; `cluster` filters. */
export function brokerRows(info: ClusterInfo, cluster: string | null = null): BrokerRow[] {
  const rows: BrokerRow[] = [];
  for (const data of Object.values(info.brokerAddrTable)) {
    if (cluster !== null && data.cluster !== cluster) continue;
    for (const [id, addr] of Object.entries(data.brokerAddrs)) {
      const brokerId = Number(id);
      rows.push({ cluster: data.cluster, brokerName: data.brokerName, brokerId, role: brokerId === 0 ? "MASTER" : "SLAVE", addr, zoneName: data.zoneName ?? null });
    }
  }
  return rows.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.brokerName.localeCompare(b.brokerName) || a.brokerId - b.brokerId);
}

/** The key that tells two registrations of one instance apart from two instances. */
export const brokerKey = (row: BrokerRow) => `${row.cluster}/${row.brokerName}/${row.brokerId}`;
