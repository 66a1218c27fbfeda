import { describe, expect, it } from "@jest/globals";
import { tensorByteSize, toFloat16Bits } from "../../../models/scripts/gguf/ggmlTypes.js";

describe("toFloat16Bits", () => {
  it("encodes exact values, rounds to nearest even, and saturates", () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.5)).toBe(0x3800);
    expect(toFloat16Bits(65504)).toBe(0x7bff); // largest finite half
    expect(toFloat16Bits(1e6)).toBe(0x7c00); // overflow → +inf
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(toFloat16Bits(0)).toBe(0);
  });
});

describe("tensorByteSize", () => {
  it("counts whole blocks and rejects rows that do not fill one", () => {
    expect(tensorByteSize([64, 3], "F32")).toBe(768);
    expect(tensorByteSize([64, 3], "Q8_0")).toBe(6 * 34);
    expect(tensorByteSize([32], "Q4_0")).toBe(18);
    expect(() => tensorByteSize([48, 2], "Q8_0")).toThrow(/multiple/);
  });
});
