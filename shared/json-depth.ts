/**
 * The nesting check every JSON text passes before it is parsed: one pass without recursion, so a
 * text nested a million levels deep costs one linear scan and a clear error, never a stack
 * overflow in a parser, an encoder or a later read of a stored value.
 *
 * Brackets inside strings do not count; both quote characters open strings (fastjson accepts
 * single-quoted ones), and a backslash escapes the next character.
 */
import { JsonSyntaxError } from "./errors";

const LBRACE = 123;
const LBRACKET = 91;
const RBRACE = 125;
const RBRACKET = 93;
const QUOTE = 34;
const APOS = 39;
const BACKSLASH = 92;

/** The deepest nesting of `text` (0 for a scalar), or -1 as soon as it passes `maxDepth`. */
export function jsonDepth(text: string, maxDepth: number): number {
  let depth = 0;
  let deepest = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === LBRACE || c === LBRACKET) {
      if (++depth > maxDepth) return -1;
      if (depth > deepest) deepest = depth;
    } else if (c === RBRACE || c === RBRACKET) {
      depth--;
    } else if (c === QUOTE || c === APOS) {
      // skip the string; an unterminated one is the parser's to report
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === c) break;
      }
    }
  }
  return deepest;
}

/** Throws JsonSyntaxError when `text` nests deeper than `maxDepth`. */
export function assertJsonDepth(text: string, maxDepth: number): void {
  if (jsonDepth(text, maxDepth) < 0) {
    throw new JsonSyntaxError(`JSON nested deeper than ${maxDepth} levels`, 0);
  }
}
