// The addon npm ci rebuilds from node-llama-cpp's sources with the project's patch (scripts/build-addon.mjs): each
// context gets a persistent CPU threadpool (the prebuilt starts and joins ggml's worker threads on every graph: at 2
// threads its decode was 21 tok/s against 25 on the bench model, bench/probes/decodeLoop.js) and sizes llama.cpp's graph
// output buffer for one output per slot (the prebuilt reserves a whole batch of logits: 300 MiB against 39.5 MiB with a
// 150k-token vocabulary). The facts are read back from llama.cpp's own context, through the native method the build
// adds; with the prebuilt addon they are null and these tests fail. The build also hands llama.cpp's repeat penalty only
// the tokens it can penalize instead of the whole vocabulary (0.8 ms a token on Qwen's 151,936); the last block checks
// that the tokens sampled are the ones llama.cpp's way gives. Real node-llama-cpp on the bundled tiny GGUF.

import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { getLlama, type Llama, LlamaCompletion, LlamaLogLevel, type LlamaModel, type Token } from "node-llama-cpp";
import { LiteModel } from "../../../services/core/inference/LiteModel.js";
import { REPO_ROOT, TINY_TEST_MODEL, tempDir } from "../../support/processes.js";

const execFileAsync = promisify(execFile);

const NOT_BUILT = "the prebuilt addon is loaded: npm ci runs scripts/build-addon.mjs, which needs g++ and git";

/** The addon's switches back to llama.cpp's or node-llama-cpp's own ways (docs/configuration.md). */
type AddonSwitch = "GAIA_LLAMA_STOCK_PENALTY" | "GAIA_LLAMA_STOCK_TOP_K" | "GAIA_LLAMA_SAMPLE_APART";

/**
 * A script written to a temp file for the enclosing describe block and run in a child node process on the tiny model,
 * with exactly the given addon switches set (none inherited); resolves with its parsed stdout.
 */
function childScript<T>(prefix: string, script: string): (args: string[], switches: AddonSwitch[]) => Promise<T> {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = tempDir(prefix);
    file = path.join(dir, "generate.mjs");
    fs.writeFileSync(file, script);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return async (args, switches) => {
    const {
      GAIA_LLAMA_STOCK_PENALTY: _penalty,
      GAIA_LLAMA_STOCK_TOP_K: _topK,
      GAIA_LLAMA_SAMPLE_APART: _apart,
      ...env
    } = process.env;
    const { stdout } = await execFileAsync(process.execPath, [file, TINY_TEST_MODEL, ...args], {
      env: { ...env, ...Object.fromEntries(switches.map((name) => [name, "1"])) },
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout) as T;
  };
}

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

describe("the repeat penalty over the history's tokens", () => {
  // A child node process, not this test's realm: node-llama-cpp tells the native sampler's [token, probabilities]
  // result apart with `instanceof Array`, which is false for a native array inside jest's VM context.
  const script = `
    import { getLlama, LlamaLogLevel } from ${JSON.stringify(path.join(REPO_ROOT, "node_modules/node-llama-cpp/dist/index.js"))};
    const [modelPath, punish] = process.argv.slice(2);
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: 1 });
    const model = await llama.loadModel({ modelPath });
    const context = await model.createContext({ contextSize: 512, threads: 1, outputsMax: 1 });
    const sequence = context.getSequence();
    const penalties = [
      { penalty: 1.1, lastTokens: 64 },
      { penalty: 1.5, presencePenalty: 0.4, frequencyPenalty: 0.3, lastTokens: 16 },
    ];
    const runs = [];
    for (const [index, { lastTokens, ...penalty }] of penalties.entries()) {
      for (const sampler of [{ temperature: 0.8, topK: 40, minP: 0.05, seed: index + 1 }, { temperature: 0 }]) {
        await sequence.clearHistory();
        const run = { tokens: [], probabilities: [] };
        const punishTokens = () => (punish === "yes" ? run.tokens.slice(-lastTokens) : []);
        const prompt = model.tokenize("Once upon a time the little bird");
        const options = { ...sampler, repeatPenalty: { ...penalty, punishTokens } };
        for await (const { token, probabilities } of sequence.evaluateWithMetadata(prompt, { probabilities: true }, options)) {
          run.tokens.push(token);
          run.probabilities.push([...probabilities.entries()]);
          if (run.tokens.length >= 64) break;
        }
        runs.push(run);
      }
    }
    // how many tokens the addon's top-k took straight from the logits, and how many it left to llama.cpp's way
    const topK = llama._bindings.AddonSampler.gaiaTopKFromLogitsCounts();
    process.stdout.write(JSON.stringify({ runs, topK }));
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  `;
  type Run = { tokens: Token[]; probabilities: [Token, number][][] };
  type Generation = { runs: Run[]; topK: { sampled: number; declined: number } };
  const run = childScript<Generation>("gaia-penalty-", script);
  /**
   * 64 tokens per sampler (seeded and greedy), each with the probabilities it was drawn from: any change shows.
   * `stock`: "penalty" is llama.cpp's way for both the penalty and top-k, "top-k" for top-k only.
   */
  const generate = (punish: "yes" | "no", stock: "none" | "penalty" | "top-k"): Promise<Generation> =>
    run(
      [punish],
      { none: [], penalty: ["GAIA_LLAMA_STOCK_PENALTY" as const], "top-k": ["GAIA_LLAMA_STOCK_TOP_K" as const] }[stock],
    );

  /** Where two generations first part (run and step), or null; a diff of the whole arrays takes minutes to print. */
  const firstDifference = (a: Run[], b: Run[]): string | null => {
    for (const [index, run] of a.entries()) {
      const other = b[index];
      for (const [step, token] of run.tokens.entries()) {
        const same =
          token === other?.tokens[step] &&
          JSON.stringify(run.probabilities[step]) === JSON.stringify(other.probabilities[step]);
        if (!same) return `run ${index}, token ${step}`;
      }
    }
    return null;
  };

  it("samples what llama.cpp's penalty over the whole vocabulary samples, from the same probabilities", async () => {
    const [history, stock, unpenalized] = await Promise.all([
      generate("yes", "none"),
      generate("yes", "penalty"),
      generate("no", "none"),
    ]);
    expect(history.runs.map((run) => run.tokens.length)).toEqual([64, 64, 64, 64]);
    expect(firstDifference(history.runs, stock.runs)).toBeNull();
    // the penalty decides these tokens, so a penalty applied wrongly would show
    for (const [index, run] of history.runs.entries()) expect(run.tokens).not.toEqual(unpenalized.runs[index]?.tokens);
  });

  it("takes top-k straight from the logits, and samples what llama.cpp's top-k over every candidate samples", async () => {
    const [fromLogits, stock] = await Promise.all([generate("yes", "none"), generate("yes", "top-k")]);
    // the two seeded runs (64 tokens each) went the short way (125 of 128 here), bar tokens whose logits it could not
    // order for sure; the greedy runs never do
    expect(fromLogits.topK.sampled).toBeGreaterThan(100);
    expect(stock.topK).toEqual({ sampled: 0, declined: 0 });
    expect(firstDifference(fromLogits.runs, stock.runs)).toBeNull();
  });
});

describe("sampling in the decode's own native call", () => {
  // A child process for the same reason as above. It counts the addon calls node-llama-cpp makes (a proxy around its
  // internal addon context: the test's window into the patched generation loop) while two sequences generate at once.
  const script = `
    import { getLlama, LlamaLogLevel } from ${JSON.stringify(path.join(REPO_ROOT, "node_modules/node-llama-cpp/dist/index.js"))};
    const [modelPath] = process.argv.slice(2);
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: 1 });
    const model = await llama.loadModel({ modelPath });
    const context = await model.createContext({ contextSize: 1024, sequences: 2, threads: 1, outputsMax: 2 });
    const addon = context._ctx;
    const calls = { decodeBatch: 0, decodeBatchAndSample: 0, sampleToken: 0 };
    context._ctx = new Proxy(addon, {
      get: (target, key) => {
        const value = Reflect.get(target, key);
        if (typeof value !== "function") return value;
        return (...args) => {
          if (key in calls) calls[key]++;
          return value.apply(target, args);
        };
      },
    });
    const generate = async (sequence, seed) => {
      const tokens = [];
      const options = { temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, seed,
        repeatPenalty: { penalty: 1.3, punishTokens: () => tokens.slice(-64) } };
      for await (const token of sequence.evaluate(model.tokenize("Once upon a time the little bird"), options)) {
        tokens.push(token);
        if (tokens.length >= 48) break;
      }
      return tokens;
    };
    const runs = await Promise.all([generate(context.getSequence(), 1), generate(context.getSequence(), 2)]);
    process.stdout.write(JSON.stringify({ runs, calls }));
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  `;
  type Generation = {
    runs: Token[][];
    calls: { decodeBatch: number; decodeBatchAndSample: number; sampleToken: number };
  };
  const run = childScript<Generation>("gaia-presample-", script);
  const generate = (apart: boolean): Promise<Generation> => run([], apart ? ["GAIA_LLAMA_SAMPLE_APART"] : []);

  it("samples the tokens a separate sampleToken call samples, with no such call", async () => {
    const [together, apart] = await Promise.all([generate(false), generate(true)]);
    expect(together.runs.map((run) => run.length)).toEqual([48, 48]);
    expect(together.runs).toEqual(apart.runs);
    // the two seeds part: each sequence sampled with its own sampler
    expect(together.runs[0]).not.toEqual(together.runs[1]);
    expect(together.calls.sampleToken).toBe(0);
    expect(together.calls.decodeBatchAndSample).toBeGreaterThan(0);
    expect(apart.calls.decodeBatchAndSample).toBe(0);
    expect(apart.calls.sampleToken).toBe(96);
  });
});
