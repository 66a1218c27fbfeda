import { describe, expect, it } from "@jest/globals";
import { longestPrefixSlot } from "../../../services/core/inference/longestPrefixSlot.js";

describe("longestPrefixSlot", () => {
  const lengths: Record<string, number> = { a: 3, b: 12, c: 12, d: 0 };
  const of = (slot: string) => lengths[slot] ?? 0;

  it("returns the slot sharing the longest prefix; the first one on a tie", () => {
    expect(longestPrefixSlot(["a", "b", "c"], of)).toBe("b");
    expect(longestPrefixSlot(["c", "b"], of)).toBe("c");
  });

  it("returns undefined when nothing beats the baseline (or nothing is free)", () => {
    expect(longestPrefixSlot(["a", "d"], of, 3)).toBeUndefined();
    expect(longestPrefixSlot(["d"], of)).toBeUndefined();
    expect(longestPrefixSlot([], of)).toBeUndefined();
  });
});
