/**
 * body-parser reports a body it could not read (bad gzip/br/deflate data, an unknown Content-Encoding or charset, a
 * body shorter than its Content-Length, a client that left mid-body) as an http-errors error with a 4xx status, some
 * with no `type`. Recognised here so that every such failure is answered as the client's mistake it is, never a 500.
 */

/** A body the service could not read, with the status body-parser gave it and a reason a client can act on. */
export interface BodyReadFailure {
  status: number;
  reason: string;
}

/** The client-side read failure `error` describes, or null when it is not one (a bug, a 5xx of body-parser's own). */
export function bodyReadFailure(error: unknown): BodyReadFailure | null {
  if (typeof error !== "object" || error === null) return null;
  const { status, expose, message, type } = error as {
    status?: unknown;
    expose?: unknown;
    message?: unknown;
    type?: unknown;
  };
  // http-errors marks client errors `expose: true`; a plain Error carrying a status is not body-parser's
  if (typeof status !== "number" || status < 400 || status > 499 || expose !== true) return null;
  return { status, reason: describe(typeof type === "string" ? type : "", String(message ?? "")) };
}

function describe(type: string, message: string): string {
  if (type === "encoding.unsupported")
    return `${message}: send the body uncompressed or as gzip, deflate or br (Content-Encoding).`;
  if (type === "charset.unsupported") return `${message}: send the body as UTF-8.`;
  if (type === "request.size.invalid") return "The body is shorter or longer than its Content-Length.";
  if (type === "request.aborted") return "The client closed the connection before the body was complete.";
  // zlib's own words ("incorrect header check", "unexpected end of file"): the body does not match its Content-Encoding
  return `The request body could not be decoded as its Content-Encoding says (${message}).`;
}
