/**
 * What an account may do: the request classes it is granted and, optionally, the names it may act
 * on per kind of resource. A call is allowed when its class is granted and every resource it names
 * matches the account's patterns of that kind (a kind without patterns: any name).
 */
import { z } from "zod";
import { REQUEST_CLASSES, type RequestClass } from "./request-classes";

export const RESOURCE_KINDS = ["clusters", "brokers", "topics", "namespaces"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** The names one call acts on, per kind (see call-resources.ts). */
export type CallResources = Partial<Record<ResourceKind, string[]>>;

/** An exact name, or a prefix ending in `*` (`*` alone: any). */
const pattern = z.string().min(1).max(255).regex(/^[^*]*\*?$/, "a name, or a prefix followed by a single trailing *");
const patterns = z.array(pattern).max(1000);

export const policySchema = z.strictObject({
  classes: z.array(z.enum(REQUEST_CLASSES)).max(REQUEST_CLASSES.length),
  clusters: patterns.optional(),
  brokers: patterns.optional(),
  topics: patterns.optional(),
  namespaces: patterns.optional(),
});

export type Policy = z.infer<typeof policySchema>;

/** The bootstrap administrator's policy (initAuthenticationUser): every class but `relay`, any name. */
export const ADMIN_POLICY: Policy = Object.freeze({ classes: ["route-read", "broker-control", "admin-read", "admin-write"] }) as Policy;

/** An account without a policy may do nothing (authorization is on). */
export const EMPTY_POLICY: Policy = Object.freeze({ classes: [] }) as Policy;

function matches(patternList: readonly string[], name: string): boolean {
  for (const p of patternList) {
    if (p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : name === p) return true;
  }
  return false;
}

/** Why `policy` refuses a call of `requestClass` on `resources`; null when it allows it. */
export function policyRefusal(policy: Policy, requestClass: RequestClass, resources: CallResources): string | null {
  if (!policy.classes.includes(requestClass)) return `class ${requestClass} is not granted`;
  for (const kind of RESOURCE_KINDS) {
    const allowed = policy[kind];
    const named = resources[kind];
    if (allowed === undefined || named === undefined) continue;
    for (const name of named) if (!matches(allowed, name)) return `${kind.slice(0, -1)} ${JSON.stringify(name)} is not granted`;
  }
  return null;
}
