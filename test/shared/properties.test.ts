import { describe, expect, it } from "vitest";
import { parseJavaProperties, renderNamesrvConfig } from "../../shared/properties";
import { BodyDecodeError } from "../../shared/errors";
import { enc } from "./helpers";

const p = (s: string) => parseJavaProperties(enc.encode(s));

describe("parseJavaProperties", () => {
  it("separators and whitespace", () => {
    expect(p("a=1\nb:2\nc 3\nd\t=\t4\ne = : 5\n  f=6\ng\nh=\n")).toEqual({ a: "1", b: "2", c: "3", d: "4", e: ": 5", f: "6", g: "", h: "" });
  });
  it("comments and blank lines", () => {
    expect(p("# c\n! c2\n   # c3\n\n\t\nk=v # not a comment\n")).toEqual({ k: "v # not a comment" });
  });
  it("comment lines do not continue", () => {
    expect(p("#a\\\nk=v")).toEqual({ k: "v" });
  });
  it("continuation lines skip leading whitespace; CRLF and CR endings", () => {
    expect(p("k=a\\\n    b\\\r\n  c\r\nx=1\ry=2")).toEqual({ k: "abc", x: "1", y: "2" });
    expect(p("k=a\\\\\nz=1")).toEqual({ k: "a\\", z: "1" });
    expect(p("k=end\\")).toEqual({ k: "end" });
  });
  it("escapes", () => {
    expect(p("a\\=b=c\\td\\n\\u00e9\\x\nsp\\ ace=1")).toEqual({ "a=b": "c\td\né" + "x", "sp ace": "1" });
  });
  it("bytes are ISO-8859-1", () => {
    expect(p("k=é")).toEqual({ k: "\u00c3\u00a9" });
    expect(parseJavaProperties(new Uint8Array([0x6b, 0x3d, 0x80]))).toEqual({ k: "\u0080" });
  });
  it("later keys win", () => {
    expect(p("a=1\na=2")).toEqual({ a: "2" });
  });
  it("malformed \\u escape", () => {
    expect(() => p("k=\\u12G4")).toThrow(BodyDecodeError);
    expect(() => p("k=\\u12")).toThrow(BodyDecodeError);
  });
});

describe("renderNamesrvConfig", () => {
  it("sorted by Java String order, raw values, nulls skipped", () => {
    expect(renderNamesrvConfig({ listenPort: "9876", bindAddress: "0.0.0.0", Zed: "z", rocketmqHome: null, path: "C:\\x=y" })).toBe(
      "Zed=z\nbindAddress=0.0.0.0\nlistenPort=9876\npath=C:\\x=y\n",
    );
    expect(renderNamesrvConfig({})).toBe("");
  });
});
