import { describe, expect, it } from "vitest";
import { isInt, isObject, setOwn } from "../../shared/json-values";

describe("setOwn", () => {
  it("keeps a key named __proto__ as an own, enumerable property and leaves the prototype alone", () => {
    const obj: Record<string, string> = {};
    setOwn(obj, "__proto__", "x");
    setOwn(obj, "a", "b");
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.keys(obj)).toEqual(["__proto__", "a"]);
    expect(Object.getOwnPropertyDescriptor(obj, "__proto__")?.value).toBe("x");
    expect(JSON.stringify(obj)).toBe('{"__proto__":"x","a":"b"}');
  });
});

describe("isObject and isInt", () => {
  it("tell JSON objects and integers from everything else", () => {
    expect([{}, { a: 1 }, [], null, "x", 1].map(isObject)).toEqual([true, true, false, false, false, false]);
    expect([0, -3, 2 ** 60, 1.5, Number.NaN, Infinity, "1", null].map(isInt)).toEqual([true, true, true, false, false, false, false, false]);
  });
});
