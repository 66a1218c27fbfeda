/**
 * The tokens a model generated for an answer, as evaluated into its KV cache. A session keeps them with the turn so the
 * next prompt can carry the answer as these exact tokens: the answer's text does not always tokenize back to them, and
 * then every later turn would evaluate the answer again. Token ids mean something only to the tokenizer that made
 * them, which `tokenizer` names; any other model renders the answer from its text.
 */
export interface AnswerTokens {
  tokenizer: string;
  ids: number[];
}

/** The answer tokens in a stored record, or undefined when it has none or they are not well formed. */
export function answerTokensOf(value: unknown): AnswerTokens | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { tokenizer, ids } = value as Partial<AnswerTokens>;
  if (typeof tokenizer !== "string" || !Array.isArray(ids) || ids.length === 0) return undefined;
  return ids.every((id) => Number.isInteger(id) && id >= 0) ? { tokenizer, ids } : undefined;
}
