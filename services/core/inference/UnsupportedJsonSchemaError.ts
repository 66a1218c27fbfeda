/** node-llama-cpp could not turn the requested JSON schema into a grammar (a keyword or shape it does not support). */
export class UnsupportedJsonSchemaError extends Error {
  override readonly name = "UnsupportedJsonSchemaError";
  constructor(readonly reason: string) {
    super(`The JSON schema cannot be enforced: ${reason}`);
  }
}
