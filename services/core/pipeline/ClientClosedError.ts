/** The client went away mid-turn; generation was cancelled and nothing was stored. */
export class ClientClosedError extends Error {
  override readonly name = "ClientClosedError";
  constructor() {
    super("client closed the connection; generation cancelled");
  }
}
