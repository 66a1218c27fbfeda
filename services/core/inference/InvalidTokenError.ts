/** A token id the model's vocabulary does not have (a client mistake: /detokenize maps it to 400). */
export class InvalidTokenError extends Error {
  override readonly name = "InvalidTokenError";
  constructor(
    readonly token: number,
    readonly vocabularySize: number,
  ) {
    super(`token ${token} is not in the model's vocabulary (ids 0 to ${vocabularySize - 1})`);
  }
}
