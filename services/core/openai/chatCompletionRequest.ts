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

/** OpenAI's rule for function names; they also appear in the grammar and the model's prompt. */
const ToolNameSchema = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1–64 letters, digits, underscores or dashes");

const ToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal("function").optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const SystemMessageSchema = z.looseObject({
  // `developer` is what newer OpenAI clients send instead of `system`
  role: z.enum(["system", "developer", "user"]),
  content: ContentSchema,
  name: z.string().optional(),
});

const AssistantMessageSchema = z.looseObject({
  role: z.literal("assistant"),
  // null (or absent) when the message only calls tools
  content: ContentSchema.nullish(),
  name: z.string().optional(),
  tool_calls: z.array(ToolCallSchema).nullish(),
  /** Legacy function calling: one call, no id. */
  function_call: z.looseObject({ name: z.string(), arguments: z.string() }).nullish(),
});

const ToolMessageSchema = z.looseObject({
  role: z.literal("tool"),
  content: ContentSchema,
  tool_call_id: z.string(),
});

/** Legacy function calling's result message: answers the latest call of that name. */
const FunctionMessageSchema = z.looseObject({
  role: z.literal("function"),
  content: ContentSchema.nullish(),
  name: z.string(),
});

const MessageSchema = z.discriminatedUnion("role", [
  SystemMessageSchema,
  AssistantMessageSchema,
  ToolMessageSchema,
  FunctionMessageSchema,
]);

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

const FunctionDefinitionSchema = z.looseObject({
  name: ToolNameSchema,
  description: z.string().optional(),
  /** The arguments' JSON Schema; absent means no arguments. */
  parameters: JsonSchemaObject.optional(),
  strict: z.boolean().nullish(),
});

const ToolSchema = z.looseObject({ type: z.literal("function"), function: FunctionDefinitionSchema });

const ToolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) }),
]);

const FunctionCallChoiceSchema = z.union([z.enum(["none", "auto"]), z.looseObject({ name: z.string() })]);

const PenaltySchema = z.number().min(-2).max(2);

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
  tools: z.array(ToolSchema).max(128).nullish(),
  tool_choice: ToolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  /** Legacy function calling (`functions` / `function_call`): aliases of `tools` / `tool_choice`. */
  functions: z.array(FunctionDefinitionSchema).max(128).nullish(),
  function_call: FunctionCallChoiceSchema.nullish(),
  /** llama-server's: `none` drops the model's reasoning, `deepseek` returns it as `reasoning_content`. */
  reasoning_format: z.enum(["none", "deepseek"]).nullish(),
  /** OpenAI's: how much the model may think, mapped onto a thought-token budget (`none`: no thoughts). */
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high"]).nullish(),
  /** llama-server's template arguments; `enable_thinking: false` (Qwen3's switch) is honoured as no thoughts. */
  chat_template_kwargs: z.looseObject({ enable_thinking: z.boolean().optional() }).nullish(),
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
 * The first feature of the raw body that this server cannot honour (several choices, images and audio, log
 * probabilities, logit bias), or null. Checked before the schema so the client reads "not
 * supported" rather than a type error.
 */
export function unsupportedChatParameter(body: unknown): UnsupportedParameter | null {
  if (!isObject(body)) return null;
  if (typeof body.n === "number" && body.n > 1)
    return { param: "n", message: "n > 1 is not supported: this server generates one choice per request." };
  if (present(body.audio) || (Array.isArray(body.modalities) && body.modalities.includes("audio")))
    return { param: present(body.audio) ? "audio" : "modalities", message: "audio output is not supported." };
  if (body.logprobs === true) return { param: "logprobs", message: "logprobs are not supported." };
  if (present(body.top_logprobs)) return { param: "top_logprobs", message: "top_logprobs are not supported." };
  if (isObject(body.logit_bias) && Object.keys(body.logit_bias).length > 0)
    return { param: "logit_bias", message: "logit_bias is not supported." };
  if (!Array.isArray(body.messages)) return null;
  for (const [i, message] of body.messages.entries()) {
    if (!isObject(message)) continue;
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

/** The text of a message's content (null: none). */
export function contentText(content: z.infer<typeof ContentSchema> | null | undefined): string {
  if (content === null || content === undefined) return "";
  return typeof content === "string" ? content : content.map((p) => p.text).join("\n");
}
