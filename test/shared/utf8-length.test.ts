import { describe, expect, it } from "vitest";
import { utf8Length } from "../../shared/utf8-length";

describe("utf8Length", () => {
  it("counts what TextEncoder writes, lone surrogates as their replacement", () => {
    const encoder = new TextEncoder();
    for (const text of ["", "abc", "é", "€", "😀", "a😀b", "\ud800", "x\udc00y", "\ud83d", "\ud83d\ud83d\ude00"]) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(encoder.encode(text).length);
    }
  });
});
