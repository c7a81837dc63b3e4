/**
 * Mutations of JSON text (headers and bodies): one value replaced by something hostile, a name
 * written twice, numbers turned into strings or pushed to extremes, the text cut short. The text
 * keeps most of its shape, so the mutation reaches the code behind the parser.
 */
import { deepJson, EXTREME_NUMBERS, oddString, randomJson } from "./hostile-values";
import { valueSize, type FuzzProfile } from "./profiles";
import type { Random } from "./random";

/** Where the value starting at `start` ends (exclusive); tolerant of text that is not JSON. */
function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first === '"' || first === "'") {
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === "\\") i++;
      else if (text[i] === first) return i + 1;
    }
    return text.length;
  }
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === '"' || c === "'") i = valueEnd(text, i) - 1;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        if (--depth === 0) return i + 1;
      }
    }
    return text.length;
  }
  let i = start;
  while (i < text.length && !",}]".includes(text[i])) i++;
  return i;
}

/** Start offsets of the values of object members (after `:`), skipping colons inside strings. */
function memberValueStarts(text: string): number[] {
  const starts: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = valueEnd(text, i) - 1;
    else if (c === ":") starts.push(i + 1);
  }
  return starts;
}

/** A value hostile to whatever reads the member it replaces. */
function hostileValue(rng: Random, profile: FuzzProfile): { json: string; label: string } {
  switch (rng.int(7)) {
    case 0: {
      const depth = rng.size(profile.maxNestingDepth);
      return { json: deepJson(rng, depth), label: `deep(${depth})` };
    }
    case 1:
      return { json: randomJson(rng, 4), label: "randomJson" };
    case 2: {
      const n = rng.pick(EXTREME_NUMBERS);
      return rng.chance(0.5) ? { json: JSON.stringify(n), label: `numberString(${n})` } : { json: n, label: `number(${n})` };
    }
    case 3:
      return { json: JSON.stringify(oddString(rng, valueSize(rng, profile))), label: "oddString" };
    case 4:
      return { json: '"\\ud800x\\udc00"', label: "loneSurrogates" };
    case 5:
      return { json: rng.pick(["null", "[]", "{}", "true", '""']), label: "emptyish" };
    default:
      return { json: "x".repeat(rng.size(64)), label: "bareWord" };
  }
}

/** One mutation of JSON text, with a label saying what it did. */
export function mutateJsonText(rng: Random, text: string, profile: FuzzProfile): { text: string; label: string } {
  const starts = memberValueStarts(text);
  const kind = starts.length === 0 ? rng.range(4, 6) : rng.int(7);
  switch (kind) {
    case 0:
    case 1: {
      const start = rng.pick(starts);
      const end = valueEnd(text, start);
      const value = hostileValue(rng, profile);
      return { text: text.slice(0, start) + value.json + text.slice(end), label: `value@${start}=${value.label}` };
    }
    case 2: {
      // the member before this value, written again at the end of its object with another value
      const start = rng.pick(starts);
      const nameStart = Math.max(text.lastIndexOf(",", start - 1), text.lastIndexOf("{", start - 1)) + 1;
      const name = text.slice(nameStart, start - 1).trim();
      const end = valueEnd(text, start);
      const value = hostileValue(rng, profile);
      return { text: text.slice(0, end) + "," + name + ":" + value.json + text.slice(end), label: `duplicate(${name.slice(0, 32)})=${value.label}` };
    }
    case 3: {
      // every integer of the text as a string
      return { text: text.replace(/:(-?\d+)/g, ':"$1"'), label: "numbersAsStrings" };
    }
    case 4: {
      const at = rng.int(text.length + 1);
      return { text: text.slice(0, at), label: `cut@${at}` };
    }
    case 5: {
      const at = rng.int(text.length + 1);
      const insert = rng.pick(["{", "}", "[", "]", ",", ":", '"', "'", "\\", "\u0000", "\ud800", "\ufeff", " ", "/*", "1e99999"]);
      return { text: text.slice(0, at) + insert + text.slice(at), label: `insert@${at}(${JSON.stringify(insert)})` };
    }
    default: {
      const value = hostileValue(rng, profile);
      return { text: value.json, label: `replaced=${value.label}` };
    }
  }
}
