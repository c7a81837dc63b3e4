/**
 * The checks run after fuzzing (in the suite) or after each batch (live): the sentinel's route is
 * byte for byte what it was, nothing exists that no accepted registration explains, and every
 * topic the server lists still answers its route query.
 */
import { RequestCode, ResponseCode } from "../../shared/codes";
import type { RemotingCommand } from "../../shared/remoting-command";
import { topicsOf, type RegistrationLedger } from "./registration-ledger";
import { queryOf, ROUTE_DIALECT_VERSIONS, sentinelRouteQuery, type Sentinel } from "./sentinel";

/** Sends one request to the server and resolves with its answer. */
export type Ask = (request: RemotingCommand) => Promise<RemotingCommand>;

const hex = (bytes: Uint8Array | null) => (bytes ? Buffer.from(bytes).toString("hex") : "");

/** The sentinel's route answer in each dialect (code and body), as text to compare. */
export async function sentinelRoutes(ask: Ask, sentinel: Sentinel): Promise<string[]> {
  const routes: string[] = [];
  for (const version of ROUTE_DIALECT_VERSIONS) {
    const answer = await ask(sentinelRouteQuery(sentinel, version));
    routes.push(`${answer.code} ${hex(answer.body)}`);
  }
  return routes;
}

async function bodyOf(ask: Ask, code: number, what: string, problems: string[]): Promise<Uint8Array | null> {
  const answer = await ask(queryOf(code));
  if (answer.code === ResponseCode.SUCCESS && answer.body) return answer.body;
  problems.push(`${what} answers code ${answer.code}: ${answer.remark}`);
  return null;
}

export interface StateCheckOptions {
  /** route queries of listed topics per check, at most */
  maxTopicRoutes: number;
}

/** Everything wrong with the server's state, one line each (empty when all is well). */
export async function stateProblems(
  ask: Ask,
  sentinel: Sentinel,
  baseline: readonly string[],
  ledger: RegistrationLedger,
  options: StateCheckOptions,
): Promise<string[]> {
  const problems: string[] = [];
  const routes = await sentinelRoutes(ask, sentinel);
  routes.forEach((route, i) => {
    if (route !== baseline[i]) problems.push(`sentinel route (version ${ROUTE_DIALECT_VERSIONS[i]}) changed: ${route.slice(0, 200)}`);
  });
  const clusterInfo = await bodyOf(ask, RequestCode.GET_BROKER_CLUSTER_INFO, "GET_BROKER_CLUSTER_INFO", problems);
  const topicList = await bodyOf(ask, RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, "GET_ALL_TOPIC_LIST", problems);
  if (clusterInfo && topicList) {
    problems.push(...ledger.unexplained(clusterInfo, topicList));
    for (const topic of topicsOf(topicList).slice(0, options.maxTopicRoutes)) {
      const answer = await ask(queryOf(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }));
      if (answer.code !== ResponseCode.SUCCESS && answer.code !== ResponseCode.TOPIC_NOT_EXIST) {
        problems.push(`route of listed topic ${JSON.stringify(topic)} answers code ${answer.code}: ${answer.remark?.slice(0, 200)}`);
      }
    }
  }
  return problems;
}
