// Soundness without a model: thousands of random strings drawn from each converted grammar must all parse, validate
// with ajv against their schema and be JSON.stringify's own text. The sampler walks the grammar itself, so it explores
// what a model could write, including awkward characters, every alternative and the longest repetitions.
import { describe, expect, it } from "@jest/globals";
import { jsonSchemaGrammar } from "../../../../services/core/inference/grammar/jsonSchemaGrammar.js";
import { schemaValidator, TOOL_SCHEMAS } from "../../../fixtures/toolSchemas.js";
import { gbnfSampler } from "../../../support/gbnfSampler.js";

const SAMPLES = 400;

/** More shapes than the tool schemas: the corners of the converter. */
const CORNER_SCHEMAS: Record<string, unknown> = {
  any: true,
  any_object: { type: "object" },
  extra_keys: {
    type: "object",
    properties: { a: { type: "integer" }, 'q"\\': { type: "boolean" }, "é😀": { type: "null" } },
    additionalProperties: { type: "integer", minimum: -3, maximum: 3 },
  },
  only_extra_keys: { type: "object", additionalProperties: { type: "string", maxLength: 2 } },
  strings: { type: "array", items: { type: "string", minLength: 1, maxLength: 5 }, maxItems: 6 },
  tuple_then_items: {
    type: "array",
    prefixItems: [{ const: 1 }, { type: "string", maxLength: 2 }],
    items: { type: "null" },
  },
  numbers: {
    type: "array",
    items: {
      anyOf: [
        { type: "number", exclusiveMinimum: -2, maximum: 7 },
        { type: "integer", minimum: -1000000, exclusiveMaximum: -999990 },
        { type: "number", minimum: 123456 },
        { type: "integer" },
        { type: "number" },
      ],
    },
  },
  discriminated: {
    type: "object",
    required: ["kind"],
    oneOf: [
      { properties: { kind: { const: "a" }, n: { type: "integer", minimum: 0, maximum: 2 } }, required: ["n"] },
      { properties: { kind: { enum: ["b", "c"] }, s: { type: "string", format: "date" } } },
    ],
  },
  recursive: {
    $defs: {
      list: { type: ["object", "null"], properties: { head: { type: "integer" }, tail: { $ref: "#/$defs/list" } } },
    },
    $ref: "#/$defs/list",
  },
  enums: { type: "array", items: { enum: ["x", 'quote"', "line\nbreak", 0, -1.5, true, null, { a: [1] }, []] } },
};

/**
 * Schemas with free object keys (any value, any object, additionalProperties): the grammar cannot stop a repeated key
 * or an integer-like key that JavaScript would move first, so there the text is checked for being valid and compact
 * (no whitespace outside strings), not for being JSON.stringify's text of the parsed value.
 */
const FREE_KEYS = new Set(["any", "any_object", "extra_keys", "only_extra_keys"]);

function isCompact(text: string): boolean {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString && char === "\\") i++;
    else if (char === '"') inString = !inString;
    else if (!inString && /\s/.test(char ?? "")) return false;
  }
  return true;
}

/** A seeded random in [0, 1), so a failure is reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("random strings from each grammar all validate", () => {
  const ajv = schemaValidator();
  it.each(Object.entries({ ...TOOL_SCHEMAS, ...CORNER_SCHEMAS }))("%s", (name, schema) => {
    const validate = ajv.compile(schema as object);
    const sample = gbnfSampler(jsonSchemaGrammar(schema), seededRandom(name.length * 7919));
    const failures: unknown[] = [];
    let sampled = 0;
    for (let attempt = 0; sampled < SAMPLES && attempt < SAMPLES * 5; attempt++) {
      let text: string;
      try {
        text = sample();
      } catch (error) {
        if ((error as Error).message === "too deep") continue;
        throw error;
      }
      sampled++;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        failures.push({ text, problem: "not JSON" });
        continue;
      }
      if (!validate(value)) failures.push({ text, errors: validate.errors });
      else if (FREE_KEYS.has(name) ? !isCompact(text) : JSON.stringify(value) !== text)
        failures.push({ text, problem: "not JSON.stringify's text" });
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(sampled).toBe(SAMPLES);
  });
});
