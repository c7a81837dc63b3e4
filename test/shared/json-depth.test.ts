import { describe, expect, it } from "vitest";
import { assertJsonDepth, jsonDepth } from "../../shared/json-depth";
import { JsonSyntaxError } from "../../shared/errors";

describe("jsonDepth", () => {
  it("counts nesting of objects and arrays, not brackets inside strings", () => {
    expect(jsonDepth("1", 10)).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":2}]}', 10)).toBe(3);
    expect(jsonDepth(`{"a":"[[[[{{{{", 'b':'\\'[[[['}`, 2)).toBe(1);
    expect(jsonDepth('{"a":"\\"[[[[["}', 1)).toBe(1);
  });

  it("stops at the first level past the limit, without recursion, however deep the text", () => {
    const deep = "[".repeat(1_000_000) + "]".repeat(1_000_000);
    expect(jsonDepth(deep, 512)).toBe(-1);
    expect(() => assertJsonDepth(deep, 512)).toThrow(JsonSyntaxError);
    expect(() => assertJsonDepth(deep, 512)).toThrow(/deeper than 512/);
    const fits = "[".repeat(512) + "]".repeat(512);
    expect(jsonDepth(fits, 512)).toBe(512);
    expect(() => assertJsonDepth(fits, 512)).not.toThrow();
  });
});
