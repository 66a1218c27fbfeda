// The bigram GGUF generator without loading the model: byte-identical output, a vocabulary in which every corpus
// word is one token (so the model can only ever write whole corpus words), and the corpus rules that keep it so.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readGgufFileInfo } from "node-llama-cpp";
import { bigramCorpus, bigramWordList, stripEdgePunctuation } from "../../models/scripts/gguf/bigramCorpus.js";
import { bpeEncoder, byteToUnicodeTable, trainBpeVocabulary } from "../../models/scripts/gguf/bpeTokenizer.js";
import { bigramModelStamp, makeBigramModel } from "../../models/scripts/makeBigramModel.js";

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-bigram-model-"));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("makeBigramModel", () => {
  it.each(["bigram", "qwen3-think", "qwen3-tools"] as const)(
    "writes byte-identical %s files on every run",
    (variant) => {
      const a = path.join(tmp, `${variant}-a.gguf`);
      const b = path.join(tmp, `${variant}-b.gguf`);
      const first = makeBigramModel({ outPath: a, variant });
      const second = makeBigramModel({ outPath: b, variant });
      expect(second).toEqual(first);
      expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
      expect(first.bytes).toBe(fs.statSync(a).size);
      expect(first.bytes).toBeLessThan(64 * 1024 * 1024); // "tens of MB" at most
    },
  );

  it("gives the two variants different files with their own architecture, template and stamp", async () => {
    const bigram = path.join(tmp, "bigram-a.gguf");
    const qwen = path.join(tmp, "qwen3-think-a.gguf");
    if (!fs.existsSync(bigram)) makeBigramModel({ outPath: bigram });
    if (!fs.existsSync(qwen)) makeBigramModel({ outPath: qwen, variant: "qwen3-think" });
    const a = await readGgufFileInfo(bigram, { readTensorInfo: true });
    const b = await readGgufFileInfo(qwen, { readTensorInfo: true });
    expect(a.metadata.general.architecture).toBe("llama");
    expect(b.metadata.general.architecture).toBe("qwen3");
    const stampOf = (m: unknown) => (m as Record<string, Record<string, unknown>>).gaia?.generator;
    expect(stampOf(a.metadata)).toBe(bigramModelStamp("bigram"));
    expect(stampOf(b.metadata)).toBe(bigramModelStamp("qwen3-think"));
    expect(b.metadata.tokenizer.ggml.tokens).toEqual(expect.arrayContaining(["<think>", "</think>", "<|im_end|>"]));
    expect(a.metadata.tokenizer.ggml.tokens).not.toContain("<think>");
    expect(b.metadata.tokenizer.chat_template).toContain("<tool_call>");
    // unquantized head, one-hot embedding in Q4_0 (exact), zero layer outputs
    const types = Object.fromEntries((a.tensorInfo ?? []).map((t) => [t.name, t.ggmlType]));
    expect(types["output.weight"]).toBe(1); // F16
    expect(types["token_embd.weight"]).toBe(2); // Q4_0
  });
});

describe("the bigram corpus", () => {
  const dialogues = bigramCorpus();
  const answers = dialogues.map((d) => d.assistant);

  it("is a few thousand sentences of plain English, the same on every call", () => {
    const sentences = answers.join(" ").match(/[.!?]/g) ?? [];
    expect(sentences.length).toBeGreaterThan(2000);
    expect(bigramCorpus()).toEqual(dialogues);
  });

  it("keeps to letters and , . ! ? in one line per answer (nothing the tokenizer would split inside a word)", () => {
    for (const answer of answers) expect(answer).toMatch(/^[A-Za-z ,.!?]+$/);
  });

  it("trains a BPE in which every corpus word is a single token", () => {
    const text = dialogues.flatMap((d) => [d.user, d.assistant]).join("\n");
    const { merges } = trainBpeVocabulary(100_000, text, 1);
    const encode = bpeEncoder(merges);
    const byteChars = byteToUnicodeTable();
    const toText = (token: string) => Buffer.from([...token].map((ch) => byteChars.indexOf(ch))).toString("utf8");
    const words = bigramWordList(dialogues);
    const notWholeWords: string[] = [];
    for (const answer of answers) {
      const tokens = encode(answer).map(toText);
      expect(tokens.join("")).toBe(answer);
      for (const token of tokens) {
        // a token is a whole word (with its leading space) or punctuation alone
        const word = stripEdgePunctuation(token.trim());
        if (word !== "" && !(words.has(word) && token.trim() === word)) notWholeWords.push(token);
      }
    }
    expect(notWholeWords).toEqual([]);
  });

  it("lists words without their punctuation", () => {
    const words = bigramWordList();
    expect(words.has("fox")).toBe(true);
    expect(words.has("Hello")).toBe(true);
    expect([...words].some((w) => /[^A-Za-z]/.test(w))).toBe(false);
  });
});
