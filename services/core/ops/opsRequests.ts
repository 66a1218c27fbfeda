/**
 * Request bodies of llama-server's ops endpoints as gaia-core accepts them (zod is the one source of their types).
 * Unknown fields are ignored, as llama-server does.
 */
import { z } from "zod";
import { ChatCompletionRequestSchema } from "../openai/chatCompletionRequest.js";

/** POST /tokenize. */
export const TokenizeRequestSchema = z.looseObject({
  content: z.string(),
  /** Insert BOS (and EOS) where the model's tokenizer adds them. */
  add_special: z.boolean().default(false),
  /** `<|im_start|>` and the like become their special token (llama-server's default), not plain text. */
  parse_special: z.boolean().default(true),
  /** `{id, piece}` objects instead of bare ids. */
  with_pieces: z.boolean().default(false),
});

/** POST /detokenize. */
export const DetokenizeRequestSchema = z.looseObject({
  tokens: z.array(z.int().min(0)),
});

/** POST /apply-template: the messages of a chat completion (tool calls and results included). */
export const ApplyTemplateRequestSchema = z.looseObject({
  messages: ChatCompletionRequestSchema.shape.messages,
});

export type TokenizeRequest = z.infer<typeof TokenizeRequestSchema>;
