import { type LlamaModel, LlamaVocabularyType, type Token } from "node-llama-cpp";

/**
 * The token LlamaCompletion puts before its input (llama.cpp's rule for the model's vocabulary, which node-llama-cpp
 * applies but does not export), or null when it puts none.
 */
export function completionBeginningToken(model: LlamaModel): Token | null {
  const type = model.vocabularyType;
  if (type === LlamaVocabularyType.rwkv || type === LlamaVocabularyType.ugm) return null;
  if (type === LlamaVocabularyType.wpm) return model.tokens.bos;
  return model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
}
