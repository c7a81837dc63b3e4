/**
 * Writers reproducing fastjson 1.2.83's two encodings (PROTOCOL §5.1):
 *
 * - "standard" (route replies to version >= 401 / acceptStandardJsonOnly): quoted map keys, maps
 *   sorted by key (numeric keys numerically, string keys by UTF-16 code units like
 *   `String.compareTo`), `/` → `\/`, every char >= 0x7F and control chars without a short form as
 *   `\uXXXX` (upper-case hex), longs outside ±(2^53−1) as strings.
 * - "legacy" (fastjson default): bare numeric keys for Integer/Long-keyed maps only, raw UTF-8 except
 *   U+007F–U+009F and U+2028/U+2029, `/` raw, maps in Java `HashMap` iteration order (emulated).
 *
 * Whether a map is numeric-keyed is a property of the Java type, not of how the keys look, so the
 * values to write are described explicitly with the small vocabulary below:
 *
 * - `string`, `number`, `bigint`, `boolean`: scalars (`number` must be finite);
 * - arrays: written in order;
 * - plain objects: beans — properties in alphabetical order, `null`/`undefined` properties omitted;
 * - `strMap(record)`: a String-keyed `java.util.Map` (null values omitted);
 * - `numMap(record)`: an Integer/Long-keyed map (keys are decimal strings or numbers);
 * - `raw(text)`: pre-encoded JSON inserted verbatim.
 *
 * Output is always compact.
 */

export type Dialect = "standard" | "legacy";

export type JValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | readonly JValue[]
  | JMap
  | JRaw
  | { readonly [prop: string]: JValue };

const MAP = Symbol("fastjson-map");
const RAW = Symbol("fastjson-raw");

export interface JMap {
  readonly [MAP]: true;
  readonly numeric: boolean;
  readonly entries: ReadonlyArray<readonly [string, JValue]>;
  /** Initial capacity of the Java HashMap (legacy ordering emulation); default 16. */
  readonly javaCapacity: number;
}

export interface JRaw {
  readonly [RAW]: string;
}

export interface MapOptions {
  /** The `initialCapacity` the Java side constructs the map with (affects legacy order). */
  javaCapacity?: number;
}

type MapInput<V> = Readonly<Record<string, V>> | ReadonlyMap<string | number, V> | ReadonlyArray<readonly [string | number, V]>;

function toEntries<V>(input: MapInput<V>): Array<readonly [string, V]> {
  if (Array.isArray(input)) return (input as ReadonlyArray<readonly [string | number, V]>).map(([k, v]) => [String(k), v] as const);
  if (input instanceof Map) return [...input].map(([k, v]) => [String(k), v] as const);
  return Object.entries(input as Record<string, V>);
}

/** A String-keyed Java map. */
export function strMap<V extends JValue>(input: MapInput<V>, opts: MapOptions = {}): JMap {
  return { [MAP]: true, numeric: false, entries: toEntries(input), javaCapacity: opts.javaCapacity ?? 16 };
}

/** An Integer/Long-keyed Java map; keys must be decimal integers. */
export function numMap<V extends JValue>(input: MapInput<V>, opts: MapOptions = {}): JMap {
  return { [MAP]: true, numeric: true, entries: toEntries(input), javaCapacity: opts.javaCapacity ?? 16 };
}

/** Pre-encoded JSON text, inserted verbatim. */
export function raw(text: string): JRaw {
  return { [RAW]: text };
}

function isMap(v: object): v is JMap {
  return (v as JMap)[MAP] === true;
}

function isRaw(v: object): v is JRaw {
  return typeof (v as JRaw)[RAW] === "string";
}

// ---------------------------------------------------------------------------------------------
// String escaping

const HEX = "0123456789ABCDEF";

function u4(c: number): string {
  return "\\u" + HEX[(c >> 12) & 15] + HEX[(c >> 8) & 15] + HEX[(c >> 4) & 15] + HEX[c & 15];
}

function shortEscape(c: number): string | undefined {
  switch (c) {
    case 0x22: return '\\"';
    case 0x5c: return "\\\\";
    case 0x08: return "\\b";
    case 0x09: return "\\t";
    case 0x0a: return "\\n";
    case 0x0c: return "\\f";
    case 0x0d: return "\\r";
    default: return undefined;
  }
}

// eslint-disable-next-line no-control-regex
const LEGACY_SPECIAL = /["\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const STANDARD_SPECIAL = /["\\/\u0000-\u001f\u007f-\uffff]/;

/**
 * fastjson default string literal (with quotes): `"`/`\` escaped, control chars as `\b \t \n \f \r`
 * or `\u00XX`, U+007F–U+009F and U+2028/U+2029 as `\uXXXX`, `/` and other non-ASCII raw.
 */
export function quoteLegacy(s: string): string {
  if (!LEGACY_SPECIAL.test(s)) return '"' + s + '"';
  let out = '"';
  let seg = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c) rep = shortEscape(c) ?? u4(c);
    else if ((c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) rep = u4(c);
    else continue;
    out += s.slice(seg, i) + rep;
    seg = i + 1;
  }
  return out + s.slice(seg) + '"';
}

/** fastjson BrowserCompatible string literal: additionally `/` → `\/` and every char >= 0x7F as `\uXXXX`. */
export function quoteStandard(s: string): string {
  if (!STANDARD_SPECIAL.test(s)) return '"' + s + '"';
  let out = '"';
  let seg = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c) rep = shortEscape(c) ?? u4(c);
    else if (c === 0x2f) rep = "\\/";
    else if (c >= 0x7f) rep = u4(c);
    else continue;
    out += s.slice(seg, i) + rep;
    seg = i + 1;
  }
  return out + s.slice(seg) + '"';
}

// ---------------------------------------------------------------------------------------------
// Java HashMap iteration order (legacy encoding)

/** `String.hashCode()` over UTF-16 code units. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** `Long.hashCode()` of a decimal key (falls back to the String hash for non-integers). */
function javaLongHash(key: string): number {
  if (!/^-?\d+$/.test(key)) return javaStringHash(key);
  const v = BigInt.asUintN(64, BigInt(key));
  return Number(BigInt.asIntN(32, (v ^ (v >> 32n)) & 0xffffffffn));
}

function tableSizeFor(cap: number): number {
  let n = 1;
  while (n < cap) n *= 2;
  return Math.max(n, 1);
}

/**
 * Order in which a `java.util.HashMap` created with `initialCapacity` and filled with `keys` (in
 * this order, no removals) iterates: by bucket index, then insertion order within a bucket.
 * Tree bins (8+ collisions in one bucket) are not modelled.
 */
export function javaHashMapOrder<T>(items: readonly T[], keyOf: (item: T) => string, numeric: boolean, initialCapacity = 16): T[] {
  if (items.length < 2) return items.slice();
  let cap = tableSizeFor(initialCapacity);
  while (items.length > cap * 0.75) cap *= 2;
  const mask = cap - 1;
  const withIdx = items.map((item, i) => {
    const h = numeric ? javaLongHash(keyOf(item)) : javaStringHash(keyOf(item));
    return { item, i, b: (h ^ (h >>> 16)) & mask };
  });
  withIdx.sort((a, b) => a.b - b.b || a.i - b.i);
  return withIdx.map((x) => x.item);
}

// ---------------------------------------------------------------------------------------------
// Writer

const MAX_SAFE = 9007199254740991n;

function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNumericKeys(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isSafeInteger(x) && Number.isSafeInteger(y)) return x - y;
  try {
    const bx = BigInt(a);
    const by = BigInt(b);
    return bx < by ? -1 : bx > by ? 1 : 0;
  } catch {
    return compareUtf16(a, b);
  }
}

function writeNumber(n: number | bigint, standard: boolean): string {
  if (typeof n === "bigint") {
    if (standard && (n > MAX_SAFE || n < -MAX_SAFE)) return '"' + n.toString() + '"';
    return n.toString();
  }
  if (!Number.isFinite(n)) throw new TypeError(`cannot encode non-finite number ${n}`);
  if (Number.isInteger(n)) {
    if (Math.abs(n) > 9007199254740991) {
      const s = BigInt(n).toString();
      return standard ? '"' + s + '"' : s;
    }
    return String(n);
  }
  return String(n);
}

class Writer {
  private readonly standard: boolean;
  private readonly quote: (s: string) => string;
  constructor(dialect: Dialect) {
    this.standard = dialect === "standard";
    this.quote = this.standard ? quoteStandard : quoteLegacy;
  }

  value(v: JValue): string {
    switch (typeof v) {
      case "string":
        return this.quote(v);
      case "number":
      case "bigint":
        return writeNumber(v, this.standard);
      case "boolean":
        return v ? "true" : "false";
      case "undefined":
        return "null";
      case "object":
        if (v === null) return "null";
        if (Array.isArray(v)) return this.array(v as readonly JValue[]);
        if (isMap(v)) return this.map(v);
        if (isRaw(v)) return v[RAW];
        return this.bean(v as { readonly [prop: string]: JValue });
      default:
        throw new TypeError(`cannot encode ${typeof v}`);
    }
  }

  array(a: readonly JValue[]): string {
    let out = "[";
    for (let i = 0; i < a.length; i++) {
      if (i > 0) out += ",";
      out += this.value(a[i]);
    }
    return out + "]";
  }

  bean(o: { readonly [prop: string]: JValue }): string {
    const keys = Object.keys(o).sort(compareUtf16);
    let out = "{";
    let first = true;
    for (const k of keys) {
      const v = o[k];
      if (v === null || v === undefined) continue;
      if (!first) out += ",";
      first = false;
      out += this.quote(k) + ":" + this.value(v);
    }
    return out + "}";
  }

  map(m: JMap): string {
    let entries: ReadonlyArray<readonly [string, JValue]>;
    if (this.standard) {
      entries = m.entries
        .slice()
        .sort(m.numeric ? (a, b) => compareNumericKeys(a[0], b[0]) : (a, b) => compareUtf16(a[0], b[0]));
    } else {
      // the Java map holds the null-valued entries too, so they count for its capacity
      entries = javaHashMapOrder(m.entries, (e) => e[0], m.numeric, m.javaCapacity);
    }
    let out = "{";
    let first = true;
    for (const [k, v] of entries) {
      if (v === null || v === undefined) continue;
      if (!first) out += ",";
      first = false;
      const bare = m.numeric && !this.standard && INTEGER_KEY.test(k);
      out += (bare ? k : this.quote(k)) + ":" + this.value(v);
    }
    return out + "}";
  }
}

const INTEGER_KEY = /^-?\d+$/;

/** Encodes a described value in the given dialect (compact JSON text). */
export function writeJson(value: JValue, dialect: Dialect): string {
  return new Writer(dialect).value(value);
}

const utf8Encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}
