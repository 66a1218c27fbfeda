// Concurrent sessions share each decode: with four sequences generating at once, every decode batch carries a token of
// each. Without the project's batch-fill patch to node-llama-cpp (patches/, applied by npm ci) the sequence sampled last
// missed the next batch: 67 decodes of 2.9 tokens on average for 48 tokens each, where 48 decodes of 4 do. Real
// node-llama-cpp on the bundled random-weight GGUF (it never ends an answer early); batches are counted by a
// prioritization strategy, node-llama-cpp's public hook that sees every batch it forms.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  type BatchItem,
  getLlama,
  type Llama,
  LlamaCompletion,
  LlamaLogLevel,
  type LlamaModel,
  type PrioritizedBatchItem,
} from "node-llama-cpp";
import { batchFillPatchApplied } from "../../../services/core/inference/batchFillPatch.js";
import { TINY_TEST_MODEL } from "../../support/processes.js";

let llama: Llama;
let model: LlamaModel;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: 1 });
  model = await llama.loadModel({ modelPath: TINY_TEST_MODEL });
});
afterAll(async () => {
  await model.dispose();
  await llama.dispose();
});

/** A context of 4 sequences whose batches are counted. */
async function countedContext(batches: number[]) {
  /** Everything queued, in order (the batch is far from full): what node-llama-cpp's default would pick here. */
  const counting = ({ items, size }: { items: readonly BatchItem[]; size: number }): PrioritizedBatchItem[] => {
    let left = size;
    const picked = items.map((item) => {
      const processAmount = Math.min(item.tokens.length, left);
      left -= processAmount;
      return { item, processAmount };
    });
    batches.push(picked.reduce((sum, p) => sum + p.processAmount, 0));
    return picked;
  };
  return model.createContext({
    contextSize: 512,
    sequences: 4,
    threads: 1,
    batching: { itemPrioritizationStrategy: counting },
  });
}

describe("node-llama-cpp with the batch-fill patch", () => {
  it("is installed", () => {
    expect(batchFillPatchApplied()).toBe(true);
  });

  it("decodes one token of every generating sequence per batch", async () => {
    const batches: number[] = [];
    const context = await countedContext(batches);
    try {
      const tokens = 32;
      const generate = async (i: number) => {
        const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
        try {
          await completion.generateCompletion(`Boat ${i} on the river`, {
            maxTokens: tokens,
            temperature: 0.8,
            seed: i,
          });
        } finally {
          completion.dispose();
        }
      };
      await Promise.all([1, 2, 3, 4].map(generate));
      const decodes = batches.filter((b) => b <= 4); // the prompts go in batches of their own size
      expect(decodes.length).toBeGreaterThanOrEqual(tokens - 2);
      expect(decodes.filter((b) => b === 4).length).toBeGreaterThanOrEqual(tokens - 2);
      expect(decodes.length).toBeLessThanOrEqual(tokens + 1);
    } finally {
      await context.dispose();
    }
  });

  it("lets a new session clear its slot while the others generate (it does not wait for them to finish)", async () => {
    const context = await countedContext([]);
    try {
      const [a, b, c, d] = [0, 1, 2, 3].map(() => context.getSequence());
      if (!a || !b || !c || !d) throw new Error("no sequence");
      // d holds an earlier session's tokens: a new prompt there must erase them first, which takes the context lock
      await d.evaluateWithoutGeneratingNewTokens(model.tokenize("An earlier session on this slot, long gone"));
      const events: string[] = [];
      const generate = async (name: string, sequence: typeof a, maxTokens: number) => {
        const completion = new LlamaCompletion({ contextSequence: sequence });
        let first = true;
        try {
          await completion.generateCompletion(`Session ${name} on the river`, {
            maxTokens,
            temperature: 0.8,
            seed: 1,
            onToken: () => {
              if (first) events.push(`${name} first`);
              first = false;
            },
          });
          events.push(`${name} done`);
        } finally {
          completion.dispose();
        }
      };
      const running = [generate("a", a, 160), generate("b", b, 160), generate("c", c, 160)];
      while (!events.includes("c first")) await new Promise((r) => setTimeout(r, 5));
      await Promise.all([...running, generate("d", d, 4)]);
      // the patch holds the lock for one batch at a time; holding it while any sequence generated made d wait for all
      expect(events.indexOf("d first")).toBeLessThan(events.indexOf("a done"));
    } finally {
      await context.dispose();
    }
  });
});
