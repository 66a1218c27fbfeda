/**
 * GET /props and GET /slots bodies in llama-server's shapes (its field names, so scripts written against llama-server
 * read them), with gaia-core's own additions named as such.
 */
import type { ModelDescription, SlotDescription } from "../inference/EngineInspector.js";

/**
 * The sampling /v1/chat/completions uses when the request sets nothing (LiteModel's fixed top_k, min_p and repeat
 * penalty; the route's temperature and top_p defaults), in llama-server's `params` fields.
 */
function generationParams(maxTokens: number) {
  return {
    n_predict: maxTokens,
    max_tokens: maxTokens,
    seed: 4294967295, // llama-server's "random seed" value
    temperature: 0.8,
    top_k: 40,
    top_p: 0.95,
    min_p: 0.05,
    repeat_last_n: 64,
    repeat_penalty: 1.1,
    presence_penalty: 0,
    frequency_penalty: 0,
    stop: [] as string[],
    stream: false,
    samplers: ["penalties", "top_k", "top_p", "min_p", "temperature"],
    reasoning_format: "none",
  };
}

export interface PropsInput {
  model: ModelDescription;
  modelPath: string;
  modelAlias: string;
  contextSize: number;
  totalSlots: number;
  maxTokens: number;
  buildInfo: string;
}

/** GET /props. */
export function propsBody(input: PropsInput) {
  return {
    default_generation_settings: {
      id: 0,
      id_task: -1,
      n_ctx: input.contextSize,
      speculative: false,
      is_processing: false,
      params: generationParams(input.maxTokens),
      prompt: "",
      next_token: { has_next_token: true, has_new_line: false, n_remain: -1, n_decoded: 0, stopping_word: "" },
    },
    total_slots: input.totalSlots,
    model_path: input.modelPath,
    model_alias: input.modelAlias,
    chat_template: input.model.chatTemplate ?? "",
    chat_template_caps: {},
    modalities: { vision: false, audio: false },
    build_info: input.buildInfo,
    is_sleeping: false,
    // gaia-core's additions
    chat_wrapper: input.model.chatWrapper,
    n_ctx_train: input.model.trainContextSize,
    n_vocab: input.model.vocabularySize,
  };
}

/** One element of GET /slots: llama-server's fields, then what the slot's KV cache holds (gaia-core's additions). */
export function slotBody(slot: SlotDescription, contextSize: number, maxTokens: number) {
  return {
    id: slot.id,
    id_task: -1,
    n_ctx: contextSize,
    speculative: false,
    is_processing: slot.busy,
    params: generationParams(maxTokens),
    // the start of the cached text only: a whole prompt is a user's conversation and can be long
    prompt: slot.promptPrefix,
    next_token: { has_next_token: slot.busy, has_new_line: false, n_remain: -1, n_decoded: 0, stopping_word: "" },
    session: slot.session,
    tokens_cached: slot.tokensCached,
    preparing_next_turn: slot.preparing,
    last_used: slot.lastUsedAt === null ? null : new Date(slot.lastUsedAt).toISOString(),
  };
}
