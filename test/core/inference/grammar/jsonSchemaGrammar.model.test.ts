// The converter's grammars on the real engine: node-llama-cpp compiles each one and the bundled random-weight model
// generates under it, over several seeds; every output must parse, validate with ajv against the schema, and be the
// exact text JSON.stringify writes for the parsed value (compact, keys in schema order). A random model is the harshest
// client: it takes whatever the grammar leaves open.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  getLlama,
  type Llama,
  LlamaCompletion,
  type LlamaContext,
  LlamaLogLevel,
  type LlamaModel,
} from "node-llama-cpp";
import { jsonSchemaGrammar } from "../../../../services/core/inference/grammar/jsonSchemaGrammar.js";
import { schemaValidator, TOOL_SCHEMAS } from "../../../fixtures/toolSchemas.js";

const MODEL_PATH = path.join(import.meta.dirname, "../../../../models/bundled/gaia-lite-tiny.gguf");
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const MAX_TOKENS = 600;

let llama: Llama;
let model: LlamaModel;
let context: LlamaContext;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: 1 });
  model = await llama.loadModel({ modelPath: MODEL_PATH, gpuLayers: 0 });
  context = await model.createContext({ contextSize: 2048, sequences: 1 });
});
afterAll(async () => {
  await context?.dispose();
  await model?.dispose();
  await llama?.dispose();
});

describe("grammars from jsonSchemaGrammar on the bundled model", () => {
  it("compile, and every generation over several seeds validates with ajv and is JSON.stringify's own text", async () => {
    const ajv = schemaValidator();
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const failures: unknown[] = [];
    let generations = 0;
    for (const [name, schema] of Object.entries(TOOL_SCHEMAS)) {
      const validate = ajv.compile(schema);
      const grammar = await llama.createGrammar({ grammar: jsonSchemaGrammar(schema) });
      for (const seed of SEEDS) {
        await sequence.clearHistory();
        const { response, metadata } = await completion.generateCompletionWithMeta(`Call ${name}:`, {
          grammar,
          seed,
          temperature: 1,
          maxTokens: MAX_TOKENS,
        });
        generations++;
        let value: unknown;
        try {
          value = JSON.parse(response);
        } catch {
          failures.push({ name, seed, response, stopReason: metadata.stopReason, problem: "not JSON" });
          continue;
        }
        if (!validate(value)) failures.push({ name, seed, response, errors: validate.errors });
        else if (JSON.stringify(value) !== response) failures.push({ name, seed, response, problem: "not compact" });
      }
    }
    // Reported by the test run: how many generations there were, all of them validated.
    console.info(`jsonSchemaGrammar: ${generations} generations, ${generations - failures.length} validated`);
    expect(failures).toEqual([]);
    expect(generations).toBe(Object.keys(TOOL_SCHEMAS).length * SEEDS.length);
  }, 300_000);
});
