import { describe, expect, it } from "@jest/globals";
import { byteToUnicodeTable, preTokenize, trainBpeVocabulary } from "../../../models/scripts/gguf/bpeTokenizer.js";

describe("byte-level BPE builder", () => {
  it("maps every byte to a distinct printable character, space to Ġ", () => {
    const table = byteToUnicodeTable();
    expect(new Set(table).size).toBe(256);
    expect(table[0x20]).toBe("\u0120");
    expect(table[0x41]).toBe("A");
  });

  it("pre-tokenizes like llama.cpp's default: punctuation apart, words keep their leading space", () => {
    expect(preTokenize("Hello, world! It's 2026.")).toEqual([
      "Hello",
      ",",
      " world",
      "!",
      " It",
      "'",
      "s",
      " ",
      "202",
      "6",
      ".",
    ]);
  });

  it("learns ranked merges whose results are tokens, deterministically", () => {
    const a = trainBpeVocabulary(50, "the cat and the hat and the bat");
    const b = trainBpeVocabulary(50, "the cat and the hat and the bat");
    expect(a).toEqual(b);
    expect(a.merges.length).toBeGreaterThan(0);
    expect(a.tokens.slice(0, 256)).toEqual(byteToUnicodeTable());
    for (const merge of a.merges) expect(a.tokens).toContain(merge.replace(" ", ""));
    expect(a.tokens).toContain("\u0120the");
  });
});
