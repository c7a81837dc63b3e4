/** What the primary and its workers say to each other over the IPC channel of Bun.spawn. */

/** primary → worker: send your metrics exposition */
export interface MetricsRequest {
  type: "metrics";
  id: number;
}

/** worker → primary: the exposition asked for by `id` */
export interface MetricsAnswer {
  type: "metrics";
  id: number;
  text: string;
}

export function isMetricsRequest(message: unknown): message is MetricsRequest {
  return typeof message === "object" && message !== null && (message as MetricsRequest).type === "metrics" && typeof (message as MetricsRequest).id === "number";
}

export function isMetricsAnswer(message: unknown): message is MetricsAnswer {
  return isMetricsRequest(message) && typeof (message as MetricsAnswer).text === "string";
}
