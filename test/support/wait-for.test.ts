import { describe, expect, it } from "vitest";
import { waitFor } from "./wait-for";

describe("waitFor", () => {
  it("resolves to the first truthy value, taking a throw as not yet", async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls++;
        if (calls === 1) throw new Error("not up");
        return calls < 3 ? null : { calls };
      },
      "the third call",
      5000,
      1,
    );
    expect(value).toEqual({ calls: 3 });
  });

  it("rejects after the deadline, naming what it waited for and the last error", async () => {
    await expect(waitFor(() => false, "nothing", 20, 5)).rejects.toThrow("timed out after 20 ms waiting for nothing");
    await expect(
      waitFor(
        () => {
          throw new Error("refused");
        },
        "a listener",
        20,
        5,
      ),
    ).rejects.toThrow("waiting for a listener: refused");
  });
});
