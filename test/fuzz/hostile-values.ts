/**
 * Values a hostile or buggy client puts where the protocol expects something sane: odd strings,
 * numbers at the edges of every integer type, random JSON in fastjson's lenient dialect, JSON
 * nested far past any parser's comfort, and byte sequences that are not UTF-8.
 */
import type { Random } from "./random";

const LONE_SURROGATES = ["\ud800", "\udfff", "a\ud83d", "\ude00b", "\udbff\udbff"];

const ODD_STRINGS = [
  "",
  " ",
  "\t\r\n",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "%RETRY%group",
  "%DLQ%group",
  "../..",
  "a/b?c#d",
  "%",
  "%zz",
  "%00",
  "\u0000",
  "a\u0000b",
  "\u2028\u2029",
  "\ufeff",
  "null",
  "true",
  "undefined",
  "NaN",
  "[]",
  "{}",
  "'",
  '"',
  "\\",
  "\\u0000",
  "😀",
  "主题",
  "ﬀ",
  "A".repeat(127),
  "A".repeat(128),
  "A".repeat(256),
];

/** Numbers at the edges of int16, int32, int64 and doubles, written as text. */
export const EXTREME_NUMBERS = [
  "0",
  "-0",
  "-1",
  "1",
  "32767",
  "32768",
  "-32769",
  "65535",
  "2147483647",
  "2147483648",
  "-2147483648",
  "-2147483649",
  "4294967296",
  "9007199254740991",
  "9007199254740993",
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775809",
  "1e3",
  "1E309",
  "-1e-400",
  "1.5",
  "0.0000001",
  "0x10",
  "+5",
  " 7",
  "7 ",
  "007",
  "١٢٣",
  "Infinity",
];

/** A string a name or value field should survive. */
export function oddString(rng: Random, maxLength: number): string {
  switch (rng.int(8)) {
    case 0:
      return rng.pick(LONE_SURROGATES);
    case 1:
      return rng.pick(EXTREME_NUMBERS);
    case 2:
      return randomText(rng, rng.size(Math.min(maxLength, 64)));
    case 3:
      return "x".repeat(rng.size(maxLength));
    case 4:
      return "fz-" + rng.pick(LONE_SURROGATES) + rng.pick(ODD_STRINGS);
    default:
      return rng.pick(ODD_STRINGS);
  }
}

/** Random UTF-16 text: ASCII mostly, with control characters, BMP characters and surrogates. */
export function randomText(rng: Random, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) {
    const kind = rng.int(10);
    if (kind < 6) s += String.fromCharCode(rng.range(0x20, 0x7e));
    else if (kind === 6) s += String.fromCharCode(rng.int(0x20));
    else if (kind === 7) s += String.fromCharCode(rng.range(0x80, 0xffff));
    else if (kind === 8) s += rng.pick(['"', "\\", "'", "{", "}", "[", "]", ":", ","]);
    else s += String.fromCodePoint(rng.range(0x10000, 0x10ffff));
  }
  return s;
}

/** A string of `length` characters that fastjson escapes (each control character grows to `\uXXXX`). */
export function escapeHeavyText(length: number): string {
  return "\u0001".repeat(length);
}

/** A JSON value written in one of fastjson's lenient forms, at most `depth` levels deep. */
export function randomJson(rng: Random, depth: number): string {
  const scalar = () =>
    rng.pick([
      () => rng.pick(EXTREME_NUMBERS.filter((n) => /^-?\d/.test(n.trim()))),
      () => JSON.stringify(rng.pick(EXTREME_NUMBERS)),
      () => JSON.stringify(randomText(rng, rng.size(16))),
      () => "'" + randomText(rng, rng.size(8)).replace(/['\\]/g, "") + "'",
      () => rng.pick(["true", "false", "null", "NaN", "undefined", "new Date(1)"]),
      () => '"\\ud800"',
      () => '"\\u00"',
    ])();
  if (depth <= 0 || rng.chance(0.4)) return scalar();
  const n = rng.size(5);
  const items: string[] = [];
  if (rng.chance(0.5)) {
    for (let i = 0; i < n; i++) items.push(randomJson(rng, depth - 1));
    return "[" + items.join(",") + (rng.chance(0.1) ? ",]" : "]");
  }
  for (let i = 0; i < n; i++) {
    const key = rng.pick([
      () => JSON.stringify(oddString(rng, 12)),
      () => String(rng.int(100)),
      () => "bare" + rng.int(10),
      () => "'q'",
    ])();
    items.push(key + ":" + randomJson(rng, depth - 1));
  }
  // a name written twice: the last one wins in fastjson
  if (items.length > 0 && rng.chance(0.2)) items.push(items[0]);
  return "{" + items.join(",") + (rng.chance(0.1) ? ",}" : "}");
}

/**
 * JSON nested `depth` levels: arrays, objects or both, closed or left open, optionally inside a
 * string value of an object (`wrapKey`).
 */
export function deepJson(rng: Random, depth: number): string {
  const style = rng.int(3);
  const open = style === 0 ? "[" : style === 1 ? '{"a":' : '[{"a":';
  const close = style === 0 ? "]" : style === 1 ? "}" : "}]";
  const levels = style === 2 ? Math.ceil(depth / 2) : depth;
  const closed = rng.chance(0.8);
  return open.repeat(levels) + "1" + (closed ? close.repeat(levels) : "");
}

/** Bytes that are not valid UTF-8: stray continuation bytes, overlong forms, cut sequences, surrogates. */
export function badUtf8(rng: Random): Uint8Array {
  return Uint8Array.from(
    rng.pick([[0xff], [0xfe, 0xff], [0x80], [0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe6, 0x97], [0xf0, 0x9f, 0x98]]),
  );
}
