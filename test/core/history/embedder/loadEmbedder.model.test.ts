// loadEmbedder against the real generated fixture and real corrupted copies of it (no mocks of transformers.js).

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ensureEmbedFixture } from "../../../../models/scripts/bundledModels.js";
import type { Embedder, EmbedderLoadResult } from "../../../../services/core/history/embedder/Embedder.js";
import { loadEmbedder } from "../../../../services/core/history/embedder/loadEmbedder.js";
import { cosineSimilarity } from "../../../../services/core/history/selectRelevantTurns.js";
import { BUNDLED_EMBED_DIR_RELATIVE } from "../../../../shared/config/bundledModels.js";
import { repoRoot } from "../../../../shared/config/repoRoot.js";

const fixtureDir = path.join(repoRoot(), BUNDLED_EMBED_DIR_RELATIVE);
let tmp: string;

/** A fresh copy of the fixture under `name`, optionally damaged by `damage(dir)`. */
function fixtureCopy(name: string, damage: (dir: string) => void = () => {}): string {
  const dir = path.join(tmp, name);
  fs.cpSync(fixtureDir, dir, { recursive: true });
  damage(dir);
  return dir;
}

function expectFull(result: EmbedderLoadResult, reason: RegExp): void {
  expect(result.mode).toBe("full");
  if (result.mode === "full") {
    expect(result.reason).toMatch(reason);
    expect(result.reason).not.toContain("\n");
  }
}

beforeAll(() => {
  ensureEmbedFixture(fixtureDir);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-embedder-"));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("loadEmbedder with the generated fixture", () => {
  let embedder: Embedder;

  beforeAll(async () => {
    const result = await loadEmbedder({ modelDir: fixtureDir });
    if (result.mode !== "semantic") throw new Error(`fixture did not load: ${result.reason}`);
    expect(result.loadMs).toBeGreaterThan(0);
    embedder = result.embedder;
  });

  afterAll(async () => {
    await embedder?.dispose();
  });

  it("loads in semantic mode and returns one unit vector per text", async () => {
    expect(embedder.dim).toBe(128);
    expect(embedder.name).toBe("embed-fixture");
    const vectors = await embedder.embed(["first sentence", "second one", "third"]);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(128);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    expect(await embedder.embed([])).toEqual([]);
  });

  it("ranks a lexically related sentence above unrelated ones", async () => {
    const query = "Will it rain in Paris tomorrow?";
    const candidates = [
      "My dog likes to eat pizza for dinner.",
      "How do I fix this bug in my typescript code?",
      "What is the weather forecast for Paris tomorrow, rain or sun?",
      "I need to reset the password of my email account.",
    ];
    const [q, ...vectors] = await embedder.embed([query, ...candidates]);
    const scores = vectors.map((v) => cosineSimilarity(q!, v));
    const best = scores.indexOf(Math.max(...scores));
    expect(candidates[best]).toMatch(/weather forecast/);
    for (const [i, s] of scores.entries()) if (i !== best) expect(scores[best]! - s).toBeGreaterThan(0.2);
  });

  it("gives the same vector for the same text, alone or in a batch", async () => {
    const [alone] = await embedder.embed(["the cat sat on the mat"]);
    const [, inBatch] = await embedder.embed([
      "a much longer sentence that forces padding in the batch",
      "the cat sat on the mat",
    ]);
    expect(cosineSimilarity(alone!, inBatch!)).toBeCloseTo(1, 5);
  });

  it("loads a folder that only has onnx/model_quantized.onnx", async () => {
    const dir = fixtureCopy("quantized-only", (d) => fs.rmSync(path.join(d, "onnx/model.onnx")));
    const result = await loadEmbedder({ modelDir: dir });
    expect(result.mode).toBe("semantic");
    if (result.mode === "semantic") await result.embedder.dispose();
  });

  it("rejects embed after dispose", async () => {
    const result = await loadEmbedder({ modelDir: fixtureDir });
    if (result.mode !== "semantic") throw new Error(result.reason);
    await result.embedder.dispose();
    await result.embedder.dispose(); // twice is fine
    await expect(result.embedder.embed(["hello"])).rejects.toThrow(/disposed/);
  });
});

describe("loadEmbedder falls back to full-history mode with a one-line reason", () => {
  it("when GAIA_EMBED_MODEL_DIR is unset, empty or none", async () => {
    expectFull(await loadEmbedder({ modelDir: undefined }), /^GAIA_EMBED_MODEL_DIR is not set$/);
    expectFull(await loadEmbedder({ modelDir: "  " }), /^GAIA_EMBED_MODEL_DIR is not set$/);
    expectFull(await loadEmbedder({ modelDir: "none" }), /"none"/);
    expectFull(await loadEmbedder({ modelDir: "NONE" }), /"none"/);
  });

  it("when the folder is missing or is a file", async () => {
    expectFull(
      await loadEmbedder({ modelDir: path.join(tmp, "does-not-exist") }),
      /folder .*does-not-exist does not exist/,
    );
    const file = path.join(tmp, "a-file");
    fs.writeFileSync(file, "x");
    expectFull(await loadEmbedder({ modelDir: file }), /is not a folder/);
  });

  it("when config.json is missing or corrupt", async () => {
    const missing = fixtureCopy("no-config", (d) => fs.rmSync(path.join(d, "config.json")));
    expectFull(await loadEmbedder({ modelDir: missing }), /^config\.json is missing in /);
    const corrupt = fixtureCopy("bad-config", (d) =>
      fs.writeFileSync(path.join(d, "config.json"), '{"model_type": "bert",'),
    );
    expectFull(await loadEmbedder({ modelDir: corrupt }), /^config\.json is corrupt \(.*bad-config.*\): /);
  });

  it("when tokenizer.json or tokenizer_config.json is corrupt or missing", async () => {
    const corrupt = fixtureCopy("bad-tokenizer", (d) =>
      fs.writeFileSync(path.join(d, "tokenizer.json"), "not json at all"),
    );
    expectFull(await loadEmbedder({ modelDir: corrupt }), /^tokenizer\.json is corrupt \(.*\): /);
    const truncated = fixtureCopy("truncated-tokenizer", (d) => {
      const file = path.join(d, "tokenizer.json");
      fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 2000));
    });
    expectFull(await loadEmbedder({ modelDir: truncated }), /^tokenizer\.json is corrupt/);
    const noConfig = fixtureCopy("no-tokenizer-config", (d) => fs.rmSync(path.join(d, "tokenizer_config.json")));
    expectFull(await loadEmbedder({ modelDir: noConfig }), /^tokenizer_config\.json is missing/);
  });

  it("when the tokenizer is well-formed JSON the library still rejects", async () => {
    const dir = fixtureCopy("unknown-tokenizer-model", (d) => {
      const file = path.join(d, "tokenizer.json");
      const json = JSON.parse(fs.readFileSync(file, "utf8")) as { normalizer: { type: string } };
      json.normalizer = { type: "NoSuchNormalizer" };
      fs.writeFileSync(file, JSON.stringify(json));
    });
    expectFull(
      await loadEmbedder({ modelDir: dir }),
      /unknown-tokenizer-model failed to load: Unknown Normalizer type: NoSuchNormalizer$/,
    );
  });

  it("when both ONNX files are missing", async () => {
    const dir = fixtureCopy("no-onnx", (d) => fs.rmSync(path.join(d, "onnx"), { recursive: true }));
    expectFull(
      await loadEmbedder({ modelDir: dir }),
      /^no ONNX model in .*: neither onnx\/model\.onnx nor onnx\/model_quantized\.onnx/,
    );
    const forced = fixtureCopy("no-quantized", (d) => fs.rmSync(path.join(d, "onnx/model_quantized.onnx")));
    expectFull(
      await loadEmbedder({ modelDir: forced, quantized: true }),
      /^onnx\/model_quantized\.onnx is missing or empty/,
    );
  });

  it("when the ONNX file is garbage", async () => {
    const dir = fixtureCopy("garbage-onnx", (d) => {
      fs.writeFileSync(
        path.join(d, "onnx/model.onnx"),
        Buffer.from("this is not an onnx graph, just some bytes ".repeat(50)),
      );
    });
    expectFull(await loadEmbedder({ modelDir: dir }), /model in .*garbage-onnx failed to load: /);
  });

  it("when the model maps every text to nothing (self-test)", async () => {
    const dir = fixtureCopy("all-pad-vocab", (d) => {
      const file = path.join(d, "tokenizer.json");
      const json = JSON.parse(fs.readFileSync(file, "utf8")) as { model: { vocab: Record<string, number> } };
      for (const token of Object.keys(json.model.vocab)) json.model.vocab[token] = 0; // every token → [PAD], a zero vector
      fs.writeFileSync(file, JSON.stringify(json));
    });
    expectFull(await loadEmbedder({ modelDir: dir }), /^embedding self-test failed for .*: vector is all zeros$/);
  });

  it("when the embedding library cannot be imported", async () => {
    expectFull(
      await loadEmbedder({ modelDir: fixtureDir, moduleName: "@xenova/transformers-not-installed" }),
      /^cannot import @xenova\/transformers-not-installed: /,
    );
  });
});
