/**
 * A JSON reader as lenient as fastjson's default parser (what the Java NameServer uses for
 * headers and bodies, PROTOCOL §1.4, §5.1):
 *
 * - object names may be double-quoted, single-quoted, bare numbers (`{0:"a:1"}`, the form fastjson
 *   writes for Integer/Long-keyed maps) or bare identifiers (`{topic:"x"}`);
 * - strings may be double- or single-quoted; `\'`, `\xHH` and `\v` escapes are accepted besides
 *   the standard ones; raw control characters inside strings are accepted;
 * - trailing commas in objects/arrays are tolerated; whitespace includes `\f` and `\b`;
 * - numbers become JS numbers (integers beyond 2^53 lose precision);
 * - duplicate names: last one wins; a `__proto__` name becomes an ordinary own property.
 *
 * Bare object names are kept as their source text (`{0:1}` → key "0").
 * Written for large inputs (multi-megabyte broker registrations): single pass, no regexes in the
 * hot path, strings without escapes are sliced directly.
 *
 * Nesting is bounded: a text deeper than the caller's limit is refused by a linear scan before any
 * parser runs (the native parser builds arbitrarily deep values that would overflow the stack of
 * whoever encodes them later), and the lenient parser, which recurses, counts its own depth too.
 */
import { JsonSyntaxError } from "./errors";
import { jsonDepth } from "./json-depth";
import { setOwn } from "./json-values";

/** The nesting limit of wire JSON when the caller names none (the `maxJsonDepth` default). */
export const DEFAULT_MAX_JSON_DEPTH = 512;

/**
 * No limit above this is honoured (fastjson's own limit, and the largest `maxJsonDepth`): the
 * lenient parser and the writers recurse once or twice per level, and this many levels fit the
 * stack of any thread we run on with room to spare (Node's, a Bun Worker's).
 */
export const JSON_DEPTH_CEILING = 2048;

/** The text nests deeper than the reader was allowed to go. */
export class JsonTooDeepError extends JsonSyntaxError {
  constructor(readonly maxDepth: number) {
    super(`JSON nested deeper than ${maxDepth} levels`, 0);
    this.name = "JsonTooDeepError";
    this.message = `JSON nested deeper than ${maxDepth} levels`; // no position: the text as a whole is refused
  }
}

/** The limit actually applied for a caller's `maxDepth`. */
function effectiveDepth(maxDepth: number): number {
  return Math.min(Math.max(Math.trunc(maxDepth) || 0, 0), JSON_DEPTH_CEILING);
}

const C_QUOTE = 34; // "
const C_APOS = 39; // '
const C_BACKSLASH = 92;
const C_LBRACE = 123;
const C_RBRACE = 125;
const C_LBRACKET = 91;
const C_RBRACKET = 93;
const C_COMMA = 44;
const C_COLON = 58;
const C_MINUS = 45;

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 8 || c === 0xfeff;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIdentChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95 || c === 36 || c > 0x7f
  );
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

class Parser {
  pos = 0;
  /** Objects and arrays open around the current position. */
  private depth = 0;
  /** Cached position of the next backslash at or after some earlier point (-1: none left). */
  private nextBackslash = -2;
  constructor(
    readonly text: string,
    private readonly maxDepth: number,
  ) {}

  fail(message: string, at = this.pos): never {
    throw new JsonSyntaxError(message, at);
  }

  skipWs(): number {
    const t = this.text;
    const n = t.length;
    let p = this.pos;
    while (p < n) {
      const c = t.charCodeAt(p);
      if (!isWs(c)) {
        this.pos = p;
        return c;
      }
      p++;
    }
    this.pos = p;
    return -1;
  }

  parseValue(): unknown {
    const c = this.skipWs();
    switch (c) {
      case C_LBRACE:
        return this.parseObject();
      case C_LBRACKET:
        return this.parseArray();
      case C_QUOTE:
      case C_APOS:
        return this.parseString(c);
      case 116: // t
        return this.parseLiteral("true", true);
      case 102: // f
        return this.parseLiteral("false", false);
      case 110: // n
        return this.parseLiteral("null", null);
      case -1:
        return this.fail("unexpected end of input");
      default:
        if (c === C_MINUS || isDigit(c)) return this.parseNumber();
        return this.fail(`unexpected character '${String.fromCharCode(c)}'`);
    }
  }

  parseLiteral(word: string, value: unknown): unknown {
    if (this.text.startsWith(word, this.pos)) {
      const after = this.text.charCodeAt(this.pos + word.length);
      if (!(after >= 0) || !isIdentChar(after)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail("invalid literal");
  }

  /** Scans a number token and returns its source text (validated). */
  scanNumberText(): string {
    const t = this.text;
    const start = this.pos;
    let p = start;
    if (t.charCodeAt(p) === C_MINUS) p++;
    const intStart = p;
    while (isDigit(t.charCodeAt(p))) p++;
    if (p === intStart) this.fail("invalid number", start);
    if (t.charCodeAt(p) === 46) {
      p++;
      const fracStart = p;
      while (isDigit(t.charCodeAt(p))) p++;
      if (p === fracStart) this.fail("invalid number", start);
    }
    const e = t.charCodeAt(p);
    if (e === 101 || e === 69) {
      p++;
      const s = t.charCodeAt(p);
      if (s === 43 || s === C_MINUS) p++;
      const expStart = p;
      while (isDigit(t.charCodeAt(p))) p++;
      if (p === expStart) this.fail("invalid number", start);
    }
    this.pos = p;
    return t.slice(start, p);
  }

  parseNumber(): number {
    return Number(this.scanNumberText());
  }

  parseString(quote: number): string {
    const t = this.text;
    const start = this.pos + 1;
    const q = String.fromCharCode(quote);
    const end = t.indexOf(q, start);
    if (end < 0) this.fail("unterminated string", this.pos);
    let bs = this.nextBackslash;
    if (bs !== -1 && bs < start) {
      bs = t.indexOf("\\", start);
      this.nextBackslash = bs;
    }
    if (bs < 0 || bs > end) {
      this.pos = end + 1;
      return t.slice(start, end);
    }
    return this.parseEscapedString(quote, start, bs);
  }

  parseEscapedString(quote: number, start: number, firstBackslash: number): string {
    const t = this.text;
    const n = t.length;
    const parts: string[] = [];
    let segStart = start;
    let p = firstBackslash;
    for (;;) {
      // find next backslash or closing quote from p
      while (p < n) {
        const c = t.charCodeAt(p);
        if (c === C_BACKSLASH || c === quote) break;
        p++;
      }
      if (p >= n) this.fail("unterminated string", start - 1);
      const c = t.charCodeAt(p);
      if (c === quote) {
        if (p > segStart) parts.push(t.slice(segStart, p));
        this.pos = p + 1;
        return parts.join("");
      }
      if (p > segStart) parts.push(t.slice(segStart, p));
      const e = t.charCodeAt(p + 1);
      p += 2;
      switch (e) {
        case 34: parts.push('"'); break;
        case 39: parts.push("'"); break;
        case 92: parts.push("\\"); break;
        case 47: parts.push("/"); break;
        case 98: parts.push("\b"); break;
        case 102: parts.push("\f"); break;
        case 110: parts.push("\n"); break;
        case 114: parts.push("\r"); break;
        case 116: parts.push("\t"); break;
        case 118: parts.push("\u000B"); break;
        case 48: parts.push("\u0000"); break;
        case 117: { // u
          let v = 0;
          for (let i = 0; i < 4; i++) {
            const h = hexVal(t.charCodeAt(p + i));
            if (h < 0) this.fail("invalid \\u escape", p - 2);
            v = (v << 4) | h;
          }
          parts.push(String.fromCharCode(v));
          p += 4;
          break;
        }
        case 120: { // x
          const h1 = hexVal(t.charCodeAt(p));
          const h2 = hexVal(t.charCodeAt(p + 1));
          if (h1 < 0 || h2 < 0) this.fail("invalid \\x escape", p - 2);
          parts.push(String.fromCharCode((h1 << 4) | h2));
          p += 2;
          break;
        }
        default:
          this.fail("invalid escape", p - 2);
      }
      segStart = p;
    }
  }

  parseKey(c: number): string {
    if (c === C_QUOTE || c === C_APOS) return this.parseString(c);
    if (c === C_MINUS || isDigit(c)) return this.scanNumberText();
    if (c >= 0 && isIdentChar(c)) {
      const t = this.text;
      const start = this.pos;
      let p = start + 1;
      while (p < t.length && isIdentChar(t.charCodeAt(p))) p++;
      this.pos = p;
      return t.slice(start, p);
    }
    return this.fail(c < 0 ? "unexpected end of input" : "expected object name");
  }

  // parseObject and parseArray count the depth themselves (no helper frame per level)
  parseObject(): Record<string, unknown> {
    if (++this.depth > this.maxDepth) throw new JsonTooDeepError(this.maxDepth);
    this.pos++; // {
    const obj: Record<string, unknown> = {};
    let c = this.skipWs();
    if (c === C_RBRACE) {
      this.pos++;
      this.depth--;
      return obj;
    }
    for (;;) {
      const key = this.parseKey(c);
      if (this.skipWs() !== C_COLON) this.fail("expected ':'");
      this.pos++;
      setOwn(obj, key, this.parseValue());
      c = this.skipWs();
      if (c === C_COMMA) {
        this.pos++;
        c = this.skipWs();
        if (c === C_RBRACE) {
          this.pos++;
          this.depth--;
          return obj;
        }
        continue;
      }
      if (c === C_RBRACE) {
        this.pos++;
        this.depth--;
        return obj;
      }
      this.fail("expected ',' or '}'");
    }
  }

  parseArray(): unknown[] {
    if (++this.depth > this.maxDepth) throw new JsonTooDeepError(this.maxDepth);
    this.pos++; // [
    const arr: unknown[] = [];
    let c = this.skipWs();
    if (c === C_RBRACKET) {
      this.pos++;
      this.depth--;
      return arr;
    }
    for (;;) {
      arr.push(this.parseValue());
      c = this.skipWs();
      if (c === C_COMMA) {
        this.pos++;
        c = this.skipWs();
        if (c === C_RBRACKET) {
          this.pos++;
          this.depth--;
          return arr;
        }
        continue;
      }
      if (c === C_RBRACKET) {
        this.pos++;
        this.depth--;
        return arr;
      }
      this.fail("expected ',' or ']'");
    }
  }
}

/**
 * Parses fastjson-style JSON text nested at most `maxDepth` levels (objects and arrays; a scalar
 * is 0). Throws JsonTooDeepError for a deeper text, JsonSyntaxError on malformed input. Standard
 * JSON (what most senders write) takes the runtime's native parser, which gives the same value
 * faster; only text it rejects goes through the lenient parser.
 */
export function parseFastjson(text: string, maxDepth: number = DEFAULT_MAX_JSON_DEPTH): unknown {
  const limit = effectiveDepth(maxDepth);
  // Each level takes an opening and a closing bracket: a shorter text (a header, say) cannot parse
  // into anything deeper, and the lenient parser counts for itself what it opens.
  if (text.length > 2 * limit + 1 && jsonDepth(text, limit) < 0) throw new JsonTooDeepError(limit);
  try {
    return JSON.parse(text);
  } catch {
    return parseLenient(text, limit);
  }
}

function parseLenient(text: string, maxDepth: number): unknown {
  const p = new Parser(text, maxDepth);
  let value: unknown;
  try {
    value = p.parseValue();
  } catch (e) {
    // the depth count keeps the stack shallow; this is the last guard should a thread's be smaller
    if (e instanceof RangeError) throw new JsonSyntaxError("nesting too deep", p.pos);
    throw e;
  }
  if (p.skipWs() !== -1) p.fail("unexpected trailing content");
  return value;
}

/** Like Java, keeps a leading U+FEFF: it is part of the text, not a byte-order mark. */
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Decodes UTF-8 bytes (malformed sequences → U+FFFD, like Java) and parses them. */
export function parseFastjsonBytes(bytes: Uint8Array, maxDepth: number = DEFAULT_MAX_JSON_DEPTH): unknown {
  return parseFastjson(utf8Decoder.decode(bytes), maxDepth);
}
