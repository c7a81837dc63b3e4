import { describe, expect, it } from "vitest";
import { illFormedField, isWellFormedName, unpairedSurrogateRemark } from "../../shared/well-formed-names";

describe("well-formed names", () => {
  it("tells names with an unpaired UTF-16 surrogate from others", () => {
    for (const ok of ["", "TopicTest", "%RETRY%group", "é中", "a\u{1F600}b"]) expect(isWellFormedName(ok), ok).toBe(true);
    for (const bad of ["\ud800", "a\ud800b", "\udc00", "x\ude00\ud83d", "\u{1F600}".slice(0, 1)]) expect(isWellFormedName(bad)).toBe(false);
  });

  it("names the first ill-formed field, skipping absent ones", () => {
    expect(illFormedField({ topic: "T", clusterName: null, brokerName: undefined })).toBeNull();
    expect(illFormedField({ topic: "T", clusterName: "c\ud800", brokerName: "\udfff" })).toBe("clusterName");
    expect(unpairedSurrogateRemark("topic")).toBe("topic contains an unpaired UTF-16 surrogate");
  });
});
