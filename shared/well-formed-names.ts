/**
 * Names from the wire (topics, brokers, clusters, KV namespaces and keys) must be well-formed
 * UTF-16. A JSON header can carry `\ud800` escapes, and a lone surrogate has no UTF-8 form: it
 * cannot go into a URL, and a store that keeps text as UTF-8 (Redis, kvConfig.json) would silently
 * keep another name. Such names are refused with a remark that says why.
 */

/** ES2024's String.prototype.isWellFormed (every runtime we run on has it; our TypeScript lib is ES2022). */
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean }).isWellFormed;

/** True when `name` holds no unpaired UTF-16 surrogate. */
export function isWellFormedName(name: string): boolean {
  return isWellFormed.call(name);
}

/** The remark of a request refused for an ill-formed name in `field`. */
export function unpairedSurrogateRemark(field: string): string {
  return `${field} contains an unpaired UTF-16 surrogate`;
}

/** The first of `fields` (field name → value) whose value is not well-formed, or null. */
export function illFormedField(fields: Readonly<Record<string, string | null | undefined>>): string | null {
  for (const field in fields) {
    const value = fields[field];
    if (typeof value === "string" && !isWellFormedName(value)) return field;
  }
  return null;
}
