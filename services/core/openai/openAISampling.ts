import { OpenAIError } from "../../../shared/openai/OpenAIError.js";

/** llama-server's defaults, used when a /v1 request leaves a setting out. */
const DEFAULT_TEMPERATURE = 0.8;
const DEFAULT_TOP_P = 0.95;

/** The sampler fields chat and text completions share. */
interface SamplingFields {
  temperature?: number | null | undefined;
  top_p?: number | null | undefined;
  seed?: number | null | undefined;
  presence_penalty?: number | null | undefined;
  frequency_penalty?: number | null | undefined;
  stop?: string | string[] | null | undefined;
}

/** A /v1 request's sampler and stop strings as the engine takes them, with llama-server's defaults. */
export function openAISampling(request: SamplingFields) {
  return {
    temperature: request.temperature ?? DEFAULT_TEMPERATURE,
    topP: request.top_p ?? DEFAULT_TOP_P,
    ...(request.seed !== null && request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.presence_penalty ? { presencePenalty: request.presence_penalty } : {}),
    ...(request.frequency_penalty ? { frequencyPenalty: request.frequency_penalty } : {}),
    stop: typeof request.stop === "string" ? [request.stop] : (request.stop ?? []),
  };
}

/**
 * Tokens a completion may take: what the request asks (`asked`, null when it does not say), capped by config and by
 * what the context has left after the prompt. A prompt that leaves no room, or a larger ask, is a 400
 * `context_length_exceeded` naming `param` (`what` says what takes the prompt tokens: "the messages take").
 */
export function completionBudget(
  budget: { contextSize: number; promptTokens: number; asked: number | null; maxTokensCap: number },
  param: string,
  what: string,
): number {
  const { contextSize, promptTokens, asked, maxTokensCap } = budget;
  const room = contextSize - promptTokens;
  if (room < 1 || (asked !== null && asked > room)) {
    throw new OpenAIError(
      400,
      `This model's context is ${contextSize} tokens; ${what} ${promptTokens}` +
        (asked !== null ? ` and ${asked} were asked for the completion.` : "."),
      "invalid_request_error",
      param,
      "context_length_exceeded",
    );
  }
  return Math.min(asked ?? maxTokensCap, maxTokensCap, room);
}
