import type { GenerationRequest } from "./InferenceEngine.js";

/** The request's sampler as node-llama-cpp's generateResponse options; unset settings keep llama.cpp's defaults. */
export function samplingOptions(
  request: Pick<
    GenerationRequest,
    "maxTokens" | "temperature" | "topP" | "seed" | "presencePenalty" | "frequencyPenalty"
  >,
) {
  return {
    maxTokens: request.maxTokens,
    temperature: request.temperature,
    // llama.cpp's defaults, which the original's lite model ran with
    topK: 40,
    minP: 0.05,
    repeatPenalty: {
      penalty: 1.1,
      lastTokens: 64,
      ...(request.presencePenalty ? { presencePenalty: request.presencePenalty } : {}),
      ...(request.frequencyPenalty ? { frequencyPenalty: request.frequencyPenalty } : {}),
    },
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
  };
}
