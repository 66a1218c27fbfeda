/**
 * The body of POST /v1/chat/completions as gaia-core accepts it: the zod schema is the one source of its type. Unknown
 * fields are ignored, as llama-server does, except the features this server cannot honour, which are refused by name
 * (see {@link unsupportedChatParameter}) rather than silently dropped.
 */
import { z } from "zod";
import {
  jsonLimitViolation,
  MAX_JSON_DEPTH,
  TemperatureSchema,
  TokenLimitSchema,
  TopPSchema,
} from "../../../shared/packet/index.js";

const TextPartSchema = z.looseObject({ type: z.literal("text"), text: z.string() });

/** A message's content: a string, or text parts (joined with new lines). */
const ContentSchema = z.union([z.string(), z.array(TextPartSchema)]);

const MessageSchema = z.looseObject({
  // `developer` is what newer OpenAI clients send instead of `system`
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: ContentSchema,
  name: z.string().optional(),
});

const PenaltySchema = z.number().min(-2).max(2);

/**
 * A free-form JSON Schema, nested at most {@link MAX_JSON_DEPTH} deep: the grammar builder walks it recursively, so a
 * deeper one would overflow the stack instead of being refused as the client's mistake (400 naming the field).
 */
const JsonSchemaObject = z.record(z.string(), z.unknown()).check((ctx) => {
  const violation = jsonLimitViolation(ctx.value);
  if (violation)
    ctx.issues.push({
      code: "custom",
      input: ctx.value,
      message: `the schema is ${violation.message}`,
    });
});

const ResponseFormatSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: z.string(),
      description: z.string().optional(),
      schema: JsonSchemaObject.optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const ChatCompletionRequestSchema = z.looseObject({
  /** Any name is accepted (one model is loaded); the answer names the loaded model. */
  model: z.string(),
  messages: z.array(MessageSchema).min(1),
  max_tokens: TokenLimitSchema.nullish(),
  max_completion_tokens: TokenLimitSchema.nullish(),
  temperature: TemperatureSchema.nullish(),
  top_p: TopPSchema.nullish(),
  seed: z.int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  presence_penalty: PenaltySchema.nullish(),
  frequency_penalty: PenaltySchema.nullish(),
  user: z.string().optional(),
  n: z.literal(1).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  response_format: ResponseFormatSchema.optional(),
});

export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;
export type ChatMessage = z.infer<typeof MessageSchema>;

/** An OpenAI feature this server refuses: the field at fault and why. */
export interface UnsupportedParameter {
  param: string;
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

/**
 * The first feature of the raw body that this server cannot honour (several choices, tools and function calling,
 * images and audio, log probabilities, logit bias), or null. Checked before the schema so the client reads "not
 * supported" rather than a type error.
 */
export function unsupportedChatParameter(body: unknown): UnsupportedParameter | null {
  if (!isObject(body)) return null;
  if (typeof body.n === "number" && body.n > 1)
    return { param: "n", message: "n > 1 is not supported: this server generates one choice per request." };
  for (const field of ["tools", "functions"] as const) {
    if (present(body[field])) return { param: field, message: `${field} (function calling) is not supported.` };
  }
  for (const field of ["tool_choice", "function_call"] as const) {
    const value = body[field];
    if (present(value) && value !== "none")
      return { param: field, message: `${field} is not supported (no function calling).` };
  }
  if (present(body.audio) || (Array.isArray(body.modalities) && body.modalities.includes("audio")))
    return { param: present(body.audio) ? "audio" : "modalities", message: "audio output is not supported." };
  if (body.logprobs === true) return { param: "logprobs", message: "logprobs are not supported." };
  if (present(body.top_logprobs)) return { param: "top_logprobs", message: "top_logprobs are not supported." };
  if (isObject(body.logit_bias) && Object.keys(body.logit_bias).length > 0)
    return { param: "logit_bias", message: "logit_bias is not supported." };
  if (!Array.isArray(body.messages)) return null;
  for (const [i, message] of body.messages.entries()) {
    if (!isObject(message)) continue;
    if (message.role === "tool" || message.role === "function")
      return {
        param: `messages[${i}].role`,
        message: `${message.role} messages are not supported (no function calling).`,
      };
    if (present(message.tool_calls) || present(message.function_call))
      return { param: `messages[${i}].tool_calls`, message: "tool calls are not supported." };
    if (!Array.isArray(message.content)) continue;
    for (const [j, part] of message.content.entries()) {
      if (isObject(part) && part.type !== "text")
        return {
          param: `messages[${i}].content[${j}].type`,
          message: `${String(part.type)} content is not supported: the model reads text only.`,
        };
    }
  }
  return null;
}

/** OpenAI's way of naming a field: `messages[0].content`. */
export function openAIParamPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    "",
  );
}

/** The text of a message's content. */
export function contentText(content: ChatMessage["content"]): string {
  return typeof content === "string" ? content : content.map((p) => p.text).join("\n");
}
