/**
 * A client-facing failure, rendered as RFC 9457 `application/problem+json` by the problem middleware.
 * Subclasses name each failure so routes and the pipeline throw what happened, not status codes.
 */
export class HttpProblem extends Error {
  constructor(
    /** HTTP status code. */
    readonly status: number,
    /** Short, stable summary of the problem type. */
    readonly title: string,
    /** What went wrong for this request, in one or two sentences. */
    readonly detail: string,
    /** Extension members merged into the problem document (e.g. `errors`). */
    readonly extensions: Record<string, unknown> = {},
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }

  /**
   * Problem type URI: "about:blank" for a plain HttpProblem (the status says it all), else one per subclass, named
   * without its Error/Problem suffix (QueueFullProblem → …/problems/queue-full).
   */
  get type(): string {
    if (this.name === "HttpProblem") return "about:blank";
    return `https://gaia.local/problems/${this.name
      .replace(/(Error|Problem)$/, "")
      .replace(/([a-z])([A-Z])/g, "$1-$2")
      .toLowerCase()}`;
  }
}
