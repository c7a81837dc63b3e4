/**
 * `java.util.Properties.load(InputStream)` semantics (UPDATE_NAMESRV_CONFIG bodies, `-c` config
 * files) and the `key=value` dump GET_NAMESRV_CONFIG returns (PROTOCOL §7.4, §7.5).
 */
import { BodyDecodeError } from "./errors";
import { setOwn } from "./json-values";

/** Bytes as ISO-8859-1 (each byte is one char), as `Properties.load(InputStream)` reads them. */
export function latin1(bytes: Uint8Array): string {
  let s = "";
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + CHUNK)));
  }
  return s;
}

function isWhite(c: string): boolean {
  return c === " " || c === "\t" || c === "\f";
}

/** Splits text into logical lines like `Properties.LineReader` (comments, blanks, continuations). */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let buf = "";
  let skipWhiteSpace = true;
  let appendedLineBegin = false;
  let isNewLine = true;
  let isCommentLine = false;
  let precedingBackslash = false;
  let skipLF = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i];
    if (skipLF) {
      skipLF = false;
      if (c === "\n") continue;
    }
    if (skipWhiteSpace) {
      if (isWhite(c)) continue;
      if (!appendedLineBegin && (c === "\r" || c === "\n")) continue;
      skipWhiteSpace = false;
      appendedLineBegin = false;
    }
    if (isNewLine) {
      isNewLine = false;
      if (c === "#" || c === "!") {
        isCommentLine = true;
        continue;
      }
    }
    if (c !== "\n" && c !== "\r") {
      if (!isCommentLine) buf += c;
      precedingBackslash = c === "\\" ? !precedingBackslash : false;
      continue;
    }
    // end of a natural line
    if (isCommentLine || buf.length === 0) {
      isCommentLine = false;
      isNewLine = true;
      skipWhiteSpace = true;
      precedingBackslash = false;
      buf = "";
      continue;
    }
    if (precedingBackslash) {
      buf = buf.slice(0, -1);
      skipWhiteSpace = true;
      appendedLineBegin = true;
      precedingBackslash = false;
      if (c === "\r") skipLF = true;
    } else {
      lines.push(buf);
      buf = "";
      isNewLine = true;
      skipWhiteSpace = true;
    }
  }
  if (buf.length > 0 && !isCommentLine) lines.push(precedingBackslash ? buf.slice(0, -1) : buf);
  return lines;
}

function hexDigit(c: string): number {
  const x = c.charCodeAt(0);
  if (x >= 48 && x <= 57) return x - 48;
  if (x >= 97 && x <= 102) return x - 87;
  if (x >= 65 && x <= 70) return x - 55;
  return -1;
}

/** `Properties.loadConvert`: backslash escapes, `\uXXXX`. */
function loadConvert(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; ) {
    let c = s[i++];
    if (c !== "\\") {
      out += c;
      continue;
    }
    if (i >= s.length) break;
    c = s[i++];
    if (c === "u") {
      if (i + 4 > s.length) throw new BodyDecodeError("Malformed \\uxxxx encoding.");
      let v = 0;
      for (let k = 0; k < 4; k++) {
        const h = hexDigit(s[i++]);
        if (h < 0) throw new BodyDecodeError("Malformed \\uxxxx encoding.");
        v = (v << 4) | h;
      }
      out += String.fromCharCode(v);
    } else if (c === "t") out += "\t";
    else if (c === "r") out += "\r";
    else if (c === "n") out += "\n";
    else if (c === "f") out += "\f";
    else out += c;
  }
  return out;
}

/** Parses properties text (already decoded to chars). Later keys win. */
export function parseJavaPropertiesText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of logicalLines(text)) {
    const limit = line.length;
    let keyLen = 0;
    let valueStart = limit;
    let hasSep = false;
    let precedingBackslash = false;
    while (keyLen < limit) {
      const c = line[keyLen];
      if ((c === "=" || c === ":") && !precedingBackslash) {
        valueStart = keyLen + 1;
        hasSep = true;
        break;
      } else if (isWhite(c) && !precedingBackslash) {
        valueStart = keyLen + 1;
        break;
      }
      precedingBackslash = c === "\\" ? !precedingBackslash : false;
      keyLen++;
    }
    while (valueStart < limit) {
      const c = line[valueStart];
      if (!isWhite(c)) {
        if (!hasSep && (c === "=" || c === ":")) hasSep = true;
        else break;
      }
      valueStart++;
    }
    const key = loadConvert(line.slice(0, keyLen));
    const value = loadConvert(line.slice(valueStart));
    setOwn(out, key, value);
  }
  return out;
}

/**
 * `Properties.load(InputStream)`: bytes read as ISO-8859-1. Throws BodyDecodeError on a malformed
 * `\uXXXX` escape (Java: IllegalArgumentException).
 */
export function parseJavaProperties(bytes: Uint8Array): Record<string, string> {
  return parseJavaPropertiesText(latin1(bytes));
}

/** GET_NAMESRV_CONFIG body text: keys sorted like Java String order, `key=value\n`, raw values, nulls skipped. */
export function renderNamesrvConfig(map: Readonly<Record<string, string | null | undefined>>): string {
  const keys = Object.keys(map).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let s = "";
  for (const k of keys) {
    const v = map[k];
    if (v === null || v === undefined) continue;
    s += k + "=" + v + "\n";
  }
  return s;
}
