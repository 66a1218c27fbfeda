/** A grammar-constrained routing call (selection or review) gave no usable answer: cut by its token limit, or not JSON. */
export class ToolRoutingCallError extends Error {
  override readonly name = "ToolRoutingCallError";
  constructor(
    readonly call: "selection" | "review",
    readonly reason: string,
  ) {
    super(`tool ${call} gave no usable answer: ${reason}`);
  }
}
