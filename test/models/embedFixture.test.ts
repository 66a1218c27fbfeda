// The generated embedding fixture: complete and reproducible byte for byte.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { EMBED_FIXTURE_FILES, embedFixtureStamp, makeEmbedFixture } from "../../models/scripts/makeEmbedFixture.js";

let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-embed-fixture-"));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("makeEmbedFixture", () => {
  it("writes every file of the transformers.js layout, byte-identical across runs", () => {
    const a = path.join(tmp, "a");
    const b = path.join(tmp, "b");
    const summary = makeEmbedFixture({ outDir: a });
    makeEmbedFixture({ outDir: b });
    expect(summary.dim).toBe(128);
    for (const file of EMBED_FIXTURE_FILES) {
      expect(fs.readFileSync(path.join(a, file)).equals(fs.readFileSync(path.join(b, file)))).toBe(true);
    }
  });

  it("stamps config.json and describes a BERT model whose vocabulary matches the tokenizer", () => {
    const dir = path.join(tmp, "c");
    const summary = makeEmbedFixture({ outDir: dir, dim: 32, seed: 7 });
    const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")) as Record<string, unknown>;
    const tokenizer = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8")) as {
      model: { vocab: Record<string, number> };
    };
    expect(config.model_type).toBe("bert");
    expect(config.hidden_size).toBe(32);
    expect(config.gaia_generator).toBe(embedFixtureStamp(32, 7));
    expect(Object.keys(tokenizer.model.vocab)).toHaveLength(summary.vocabSize);
    expect(config.vocab_size).toBe(summary.vocabSize);
  });
});
