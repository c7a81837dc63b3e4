/**
 * Small checks and writes on values that came from JSON or from the wire, where an object's keys
 * are chosen by the peer.
 */

/** A JSON object: not null, not an array. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A number without a fraction (JSON's integers, not bounded to the safe range). */
export function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

/**
 * Sets an own, enumerable property. A plain assignment to "__proto__" would replace the object's
 * prototype instead of adding a key, so a peer could not name a topic, a header field or a
 * property that way.
 */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}
