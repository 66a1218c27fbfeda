/** A fill-in-the-middle request (`suffix`) for a model whose tokenizer has no infill (FIM) tokens: the client's to fix. */
export class InfillNotSupportedError extends Error {
  override readonly name = "InfillNotSupportedError";
  constructor(readonly model: string) {
    super(
      `suffix (fill-in-the-middle) needs a model whose tokenizer has infill tokens (fim_pre/fim_suf); ${model} has none.`,
    );
  }
}
