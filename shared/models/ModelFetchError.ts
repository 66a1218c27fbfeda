/** A model named by reference could not be fetched or is not a usable GGUF once fetched (the core reports it as failed). */
export class ModelFetchError extends Error {
  override readonly name = "ModelFetchError";
  constructor(
    readonly uri: string,
    reason: string,
  ) {
    super(`cannot fetch model ${uri}: ${reason}`);
  }
}
