// The addon npm ci rebuilds from node-llama-cpp's sources with the project's patch (scripts/build-addon.mjs): each
// context gets a persistent CPU threadpool (the prebuilt starts and joins ggml's worker threads on every graph: at 2
// threads its decode was 21 tok/s against 25 on the bench model, bench/probes/decodeLoop.js) and sizes llama.cpp's graph
// output buffer for one output per slot (the prebuilt reserves a whole batch of logits: 300 MiB against 39.5 MiB with a
// 150k-token vocabulary). The facts are read back from llama.cpp's own context, through the native method the build
// adds; with the prebuilt addon they are null and these tests fail. Real node-llama-cpp on the bundled tiny GGUF.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { getLlama, type Llama, LlamaCompletion, LlamaLogLevel, type LlamaModel } from "node-llama-cpp";
import { LiteModel } from "../../../services/core/inference/LiteModel.js";
import { TINY_TEST_MODEL } from "../../support/processes.js";

const NOT_BUILT = "the prebuilt addon is loaded: npm ci runs scripts/build-addon.mjs, which needs g++ and git";

describe("node-llama-cpp's addon as npm ci builds it", () => {
  let llama: Llama;
  let model: LlamaModel;
  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: 2 });
    model = await llama.loadModel({ modelPath: TINY_TEST_MODEL });
  });
  afterAll(async () => {
    await model.dispose();
    await llama.dispose();
  });

  it("hands outputsMax to llama.cpp, and leaves its default (the whole batch) when unset", async () => {
    await using sized = await model.createContext({ contextSize: 512, batchSize: 256, threads: 1, outputsMax: 3 });
    await using unsized = await model.createContext({ contextSize: 512, batchSize: 256, threads: 1 });
    expect(sized.gaiaNativeFacts() ?? NOT_BUILT).toEqual({ outputsMax: 3, threadpoolThreads: 1 });
    expect(unsized.gaiaNativeFacts()?.outputsMax ?? NOT_BUILT).toBe(256);
  });

  it("gives each context a threadpool of its threads, and generates on it", async () => {
    await using context = await model.createContext({ contextSize: 512, threads: 2, outputsMax: 1 });
    expect(context.gaiaNativeFacts()?.threadpoolThreads ?? NOT_BUILT).toBe(2);
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    const text = await completion.generateCompletion("The river", { maxTokens: 16, temperature: 0 });
    expect(text.length).toBeGreaterThan(0);
    // a prompt longer than one batch still needs only its last token's output
    const long = await completion.generateCompletion("boat ".repeat(300), { maxTokens: 4, temperature: 0 });
    expect(long.length).toBeGreaterThan(0);
  });
});

describe("LiteModel on the rebuilt addon", () => {
  let lite: LiteModel;
  beforeAll(async () => {
    lite = await LiteModel.load({
      modelPath: TINY_TEST_MODEL,
      threads: 2,
      contextSize: 1024,
      parallel: 3,
      queueSize: 4,
    });
  });
  afterAll(async () => {
    await lite.dispose();
  });

  it("sizes the output buffer for one output per slot, with a threadpool of the configured threads", () => {
    expect(lite.nativeAddon ?? NOT_BUILT).toEqual({ outputsMax: 3, threadpoolThreads: 2 });
  });

  it("runs as many sessions at once as it has slots, each batch within that output budget", async () => {
    const answers = await Promise.all(
      [1, 2, 3].map((seed) =>
        lite.generate({
          sessionKey: `native-${seed}`,
          messages: [{ role: "user", content: `Tell me a story about boats (${seed})` }],
          maxTokens: 24,
          temperature: 0.8,
          seed,
        }),
      ),
    );
    for (const answer of answers) expect(answer.completionTokens).toBeGreaterThan(0);
  });
});
