// The converter's grammars on the real engine: node-llama-cpp compiles each one and the bundled random-weight model
// generates under it, over several seeds; every output must parse, validate with ajv against the schema, and be the
// exact text JSON.stringify writes for the parsed value (compact, keys in schema order). A random model is the harshest
// client: it takes whatever the grammar leaves open.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Ajv2020 } from "ajv/dist/2020.js";
import {
  getLlama,
  type Llama,
  LlamaCompletion,
  type LlamaContext,
  LlamaLogLevel,
  type LlamaModel,
} from "node-llama-cpp";
import { jsonSchemaGrammar } from "../../../../services/core/inference/grammar/jsonSchemaGrammar.js";

const MODEL_PATH = path.join(import.meta.dirname, "../../../../models/bundled/gaia-lite-tiny.gguf");
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const MAX_TOKENS = 600;

/** ajv with the formats the grammar enforces, checked strictly (real calendar dates, RFC 3339 times, uuids). */
function validator(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, allErrors: true });
  const isDate = (text: string) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!match) return false;
    const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
    const date = new Date(Date.UTC(2000, month - 1, day));
    date.setUTCFullYear(year);
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  };
  const TIME = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{3})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
  ajv.addFormat("date", isDate);
  ajv.addFormat("time", TIME);
  ajv.addFormat(
    "date-time",
    (text: string) => isDate(text.slice(0, 10)) && text[10] === "T" && TIME.test(text.slice(11)),
  );
  ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  return ajv;
}

/** Tool parameter schemas as clients write them. */
const SCHEMAS: Record<string, object> = {
  get_weather: {
    type: "object",
    properties: {
      location: { type: "string", description: "The city and state, e.g. San Francisco, CA" },
      unit: { type: "string", enum: ["celsius", "fahrenheit"] },
    },
    required: ["location"],
    additionalProperties: false,
  },
  integer_ranges: {
    type: "object",
    properties: {
      month: { type: "integer", minimum: 1, maximum: 12 },
      day: { type: "integer", minimum: 1, maximum: 31 },
      freezing: { type: "integer", minimum: -40, maximum: -5 },
      offset: { type: "integer", exclusiveMinimum: -1000, exclusiveMaximum: -990 },
      around_zero: { type: "integer", minimum: -7, maximum: 3 },
      at_least: { type: "integer", minimum: 100 },
      at_most: { type: "integer", maximum: -20 },
      score: { type: "number", minimum: -5, maximum: 5 },
      ratio: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
    },
    required: ["month", "day", "freezing", "offset", "around_zero", "at_least", "at_most", "score", "ratio"],
  },
  create_event: {
    type: "object",
    properties: {
      title: { type: "string", minLength: 1, maxLength: 24 },
      when: {
        type: "object",
        properties: { date: { type: "string", format: "date" }, time: { type: "string", format: "time" } },
        required: ["date"],
        additionalProperties: false,
      },
      attendees: {
        type: "array",
        items: {
          type: "object",
          properties: { name: { type: "string", maxLength: 12 }, optional: { type: "boolean" } },
          required: ["name"],
          additionalProperties: false,
        },
        minItems: 1,
        maxItems: 3,
      },
      id: { type: "string", format: "uuid" },
      created: { type: "string", format: "date-time" },
    },
    required: ["title", "when", "attendees"],
    additionalProperties: false,
  },
  arrays: {
    type: "object",
    properties: {
      tags: { type: "array", items: { type: "string", maxLength: 8 }, minItems: 2, maxItems: 4 },
      point: { type: "array", prefixItems: [{ type: "number" }, { type: "number" }], minItems: 2 },
      flags: { type: "array", items: { type: "boolean" }, maxItems: 2 },
      levels: { type: "array", items: { type: "integer", minimum: -3, maximum: 3 }, minItems: 3, maxItems: 3 },
    },
    required: ["tags", "point", "levels"],
  },
  refs_and_alternatives: {
    $defs: {
      node: {
        type: "object",
        properties: {
          value: { $ref: "#/definitions/digit" },
          child: { $ref: "#/$defs/node" },
        },
        required: ["value"],
        additionalProperties: false,
      },
    },
    definitions: { digit: { type: "integer", minimum: -9, maximum: 9 } },
    type: "object",
    properties: {
      tree: { $ref: "#/$defs/node" },
      query: { anyOf: [{ type: "string", maxLength: 10 }, { type: "null" }] },
      limit: { type: ["integer", "null"], minimum: 1, maximum: 50 },
      mode: { const: "fast" },
      choice: { oneOf: [{ type: "boolean" }, { type: "integer", minimum: 10, maximum: 19 }] },
      merged: {
        allOf: [
          { type: "object", properties: { x: { type: "integer", minimum: 0, maximum: 5 } }, required: ["x"] },
          { properties: { y: { enum: ["a", "b", 3, null] } }, required: ["y"] },
        ],
      },
    },
    required: ["tree", "query", "limit", "mode", "choice", "merged"],
    additionalProperties: false,
  },
};

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
    const ajv = validator();
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const failures: unknown[] = [];
    let generations = 0;
    for (const [name, schema] of Object.entries(SCHEMAS)) {
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
    expect(generations).toBe(Object.keys(SCHEMAS).length * SEEDS.length);
  }, 300_000);
});
