/** The system message and the user's text alone do not fit the model's context with room for the answer. */
export class PromptTooLongError extends Error {
  override readonly name = "PromptTooLongError";

  constructor(
    /** Tokens the prompt needs with every droppable part dropped. */
    readonly promptTokens: number,
    /** Tokens the prompt may use: the context minus the answer's reserve. */
    readonly availableTokens: number,
    readonly contextSize: number,
    /** Tokens reserved for the answer. */
    readonly maxTokens: number,
  ) {
    super(`the prompt needs ${promptTokens} tokens even without history, but only ${availableTokens} are available`);
  }
}
