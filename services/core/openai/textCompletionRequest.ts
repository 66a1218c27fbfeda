/**
 * The body of POST /v1/completions (OpenAI's legacy text completions, which Continue's autocomplete and other older
 * clients post to) as gaia-core accepts it: the zod schema is the one source of its type. Unknown fields are ignored,
 * as llama-server does; the features this server cannot honour are refused by name (see
 * {@link unsupportedCompletionParameter}).
 */
import { z } from "zod";
import { TemperatureSchema, TokenLimitSchema, TopPSchema } from "../../../shared/packet/index.js";
import type { UnsupportedParameter } from "./chatCompletionRequest.js";
import { parseOpenAIRequest } from "./parseOpenAIRequest.js";

/** Prompts one request may list: each is its own generation (one after the other), so a long list holds a slot long. */
export const MAX_PROMPTS = 16;

/**
 * Stop strings one request may send: more than OpenAI's 4, as llama-server takes any number (Continue's autocomplete
 * sends 9 for Qwen2.5-Coder: every FIM and end token).
 */
export const MAX_STOPS = 32;

const PenaltySchema = z.number().min(-2).max(2);

export const TextCompletionRequestSchema = z.looseObject({
  /** Any name is accepted (one model is loaded); the answer names the loaded model. */
  model: z.string(),
  /** One prompt, or a list: one choice per prompt, in order (as llama-server and OpenAI answer a list). */
  prompt: z.union([z.string(), z.array(z.string()).min(1).max(MAX_PROMPTS)], {
    error: `must be a string or a list of 1 to ${MAX_PROMPTS} strings (token-id prompts are not supported)`,
  }),
  /** Text after the insertion point: fill-in-the-middle, for a model whose tokenizer has infill tokens. */
  suffix: z.string().nullish(),
  max_tokens: TokenLimitSchema.nullish(),
  temperature: TemperatureSchema.nullish(),
  top_p: TopPSchema.nullish(),
  seed: z.int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(MAX_STOPS)]).nullish(),
  presence_penalty: PenaltySchema.nullish(),
  frequency_penalty: PenaltySchema.nullish(),
  user: z.string().optional(),
  n: z.literal(1).nullish(),
  best_of: z.literal(1).nullish(),
  echo: z.literal(false).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
});

export type TextCompletionRequest = z.infer<typeof TextCompletionRequestSchema>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The first feature of the raw body that this server cannot honour (several choices, echoing the prompt, log
 * probabilities, logit bias), or null. Checked before the schema so the client reads "not supported" rather than a
 * type error.
 */
export function unsupportedCompletionParameter(body: unknown): UnsupportedParameter | null {
  if (!isObject(body)) return null;
  if (typeof body.n === "number" && body.n > 1)
    return { param: "n", message: "n > 1 is not supported: this server generates one choice per prompt." };
  if (typeof body.best_of === "number" && body.best_of > 1)
    return { param: "best_of", message: "best_of > 1 is not supported: this server generates one choice per prompt." };
  if (body.echo === true) return { param: "echo", message: "echo is not supported: the answer holds only new text." };
  if (body.logprobs !== undefined && body.logprobs !== null && body.logprobs !== false)
    return { param: "logprobs", message: "logprobs are not supported." };
  if (isObject(body.logit_bias) && Object.keys(body.logit_bias).length > 0)
    return { param: "logit_bias", message: "logit_bias is not supported." };
  return null;
}

/** Parses and checks the body: unsupported features and schema violations are 400s naming the field. */
export function parseTextCompletionRequest(body: unknown): TextCompletionRequest {
  return parseOpenAIRequest(TextCompletionRequestSchema, body, unsupportedCompletionParameter);
}
