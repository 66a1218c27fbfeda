// The bundled bigram model through the real app (supertest, real GGUF, real node-llama-cpp): the README's example
// packet gets a non-empty answer made only of corpus words that ends with <|im_end|> before max_tokens, and so do
// answers sampled with the service's default settings.

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import request from "supertest";
import { ensureBigramModel } from "../../models/scripts/bundledModels.js";
import { bigramCorpus, bigramWordList, stripEdgePunctuation } from "../../models/scripts/gguf/bigramCorpus.js";
import { BUNDLED_BIGRAM_MODEL_RELATIVE } from "../../shared/config/bundledModels.js";
import { REPO_ROOT } from "../support/processes.js";
import { startTestCore, type TestCore } from "../support/testCore.js";

const modelPath = path.join(REPO_ROOT, BUNDLED_BIGRAM_MODEL_RELATIVE);
const readmePacket = () => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "examples/packet.json"), "utf8"));
const words = bigramWordList();

/** Words of an answer that are not corpus words (punctuation at a word's edges is not part of the word). */
const foreignWords = (answer: string) =>
  answer
    .split(/\s+/)
    .filter((w) => w !== "")
    .filter((w) => !words.has(stripEdgePunctuation(w)));

let core: TestCore;
beforeAll(async () => {
  ensureBigramModel(modelPath);
  core = await startTestCore({ env: { GAIA_LITE_MODEL: modelPath, GAIA_MAX_TOKENS_CAP: "512" } });
  expect(core.state.status).toBe("ready");
});
afterAll(async () => {
  await core?.dispose();
});

const post = (body: unknown) =>
  request(core.app).post("/process_packet").set("Content-Type", "application/json").send(JSON.stringify(body));

describe("the bundled bigram model", () => {
  it("answers the README's example packet with corpus words, ending with <|im_end|> before max_tokens", async () => {
    const packet = readmePacket();
    const res = await post(packet);
    expect(res.status).toBe(200);
    const answer: string = res.body.response.candidate;
    expect(answer.length).toBeGreaterThan(0);
    expect(answer.split(/\s+/).length).toBeGreaterThan(2);
    expect(foreignWords(answer)).toEqual([]);
    expect(answer).not.toContain("<|im_end|>");
    const maxTokens = packet.context.constraints.max_tokens;
    expect(res.body.reasoning.reflection_log.at(-1).summary).toContain("stop=eos");
    expect(res.body.metrics.token_usage.completion_tokens).toBeLessThan(maxTokens);
    expect(res.body.response.confidence).toBe(0.9);
    expect(res.body.status.observer_trace.join(" ")).not.toContain("answer cut");
  });

  it("writes corpus words with the service defaults (temperature, top_p, no seed) and mostly ends by itself", async () => {
    const stops: string[] = [];
    for (let i = 0; i < 6; i++) {
      const packet = readmePacket();
      packet.header.session_id = `bigram-defaults-${i}`;
      packet.header.packet_id = `bigram-defaults-${i}-1`;
      delete packet.header.model.temperature;
      delete packet.header.model.seed;
      packet.context.constraints.max_tokens = 128;
      const res = await post(packet);
      expect(res.status).toBe(200);
      const answer: string = res.body.response.candidate;
      expect(answer.length).toBeGreaterThan(0);
      expect(foreignWords(answer)).toEqual([]);
      stops.push(/stop=(\w+)/.exec(res.body.reasoning.reflection_log.at(-1).summary)?.[1] ?? "?");
    }
    // sampling is random without a seed: most answers, not necessarily all, end with the end-of-turn token
    expect(stops.filter((s) => s === "eos").length).toBeGreaterThanOrEqual(4);
  });

  it("reports itself in /health", async () => {
    const res = await request(core.app).get("/health");
    expect(res.body.model).toMatchObject({ path: modelPath, name: "gaia-lite-bigram (bigram)", loaded: true });
    expect(res.body.model.load_ms).toBeGreaterThanOrEqual(0);
  });
});

describe("the bigram model's weights", () => {
  it("give next-token probabilities equal to the corpus bigram frequencies (counted with llama.cpp's tokenizer)", async () => {
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: 1 });
    try {
      const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
      const context = await model.createContext({ contextSize: 512, threads: 1 });
      const newline = model.tokenize("\n")[0]!;
      const imEnd = model.tokenize("<|im_end|>", true)[0]!;
      // the counts, independently of the generator: each answer as the model writes it after "<|im_start|>assistant\n"
      const counts = new Map<number, Map<number, number>>();
      for (const { assistant } of bigramCorpus()) {
        const ids = [newline, ...model.tokenize(assistant), imEnd];
        for (let i = 0; i + 1 < ids.length; i++) {
          const row = counts.get(ids[i]!) ?? new Map<number, number>();
          row.set(ids[i + 1]!, (row.get(ids[i + 1]!) ?? 0) + 1);
          counts.set(ids[i]!, row);
        }
      }
      const probe = [newline, ...model.tokenize("Once upon a time, the fox found a golden key.")];
      const raw = { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } } as const;
      const out = await context.getSequence().controlledEvaluate(probe.map((t) => [t, { generateNext: raw }]));
      for (const [i, token] of probe.entries()) {
        const probabilities = out[i]?.next?.probabilities ?? new Map<number, number>();
        const row = counts.get(token) ?? new Map<number, number>();
        const total = [...row.values()].reduce((a, b) => a + b, 0);
        expect(total).toBeGreaterThan(0);
        for (const [next, count] of row) expect(probabilities.get(next) ?? 0).toBeCloseTo(count / total, 3);
        const onCorpusSuccessors = [...row.keys()].reduce((sum, next) => sum + (probabilities.get(next) ?? 0), 0);
        expect(onCorpusSuccessors).toBeCloseTo(1, 5); // transitions the corpus never shows are never sampled
      }
      await context.dispose();
      await model.dispose();
    } finally {
      await llama.dispose();
    }
  });
});
