import { HttpProblem } from "../../../shared/http/HttpProblem.js";
import type { PacketProblem } from "../../../shared/packet/index.js";
import type { PromptTooLongError } from "../prompt/PromptTooLongError.js";

/** The body is not valid JSON. */
export class InvalidJsonError extends HttpProblem {
  constructor(reason: string) {
    super(400, "Invalid JSON", `The request body is not valid JSON: ${reason}`);
  }
}

/** The body is not sent as JSON (e.g. curl -d without a Content-Type header). */
export class UnsupportedMediaTypeError extends HttpProblem {
  constructor(received: string | undefined) {
    super(
      415,
      "Unsupported Media Type",
      `Send the packet as application/json (header 'Content-Type: application/json'); received ${received ? `'${received}'` : "no Content-Type"}.`,
    );
  }
}

/** The body could not be read as sent: bad compressed data, an unknown encoding or charset, a short body (4xx). */
export class UnreadableBodyError extends HttpProblem {
  constructor(status: number, reason: string) {
    super(status, "Unreadable Request Body", reason);
  }
}

/** The body is larger than GAIA_BODY_LIMIT. */
export class PayloadTooLargeError extends HttpProblem {
  constructor(limit: string) {
    super(413, "Payload Too Large", `The request body exceeds the limit of ${limit} (GAIA_BODY_LIMIT).`);
  }
}

/**
 * The JSON is not a CognitionPacket; lists the first problems with their JSON paths and says how many there were in
 * all (`problem_count`), so a body of many bad items gets a small answer.
 */
export class InvalidPacketError extends HttpProblem {
  constructor(
    readonly problems: PacketProblem[],
    problemCount = problems.length,
  ) {
    const listed =
      problemCount > problems.length ? ` (the first ${problems.length} are listed in errors)` : " (see errors)";
    super(
      422,
      "Invalid CognitionPacket",
      `The body is not a valid CognitionPacket: ${problemCount} problem${problemCount === 1 ? "" : "s"}${listed}.`,
      {
        problem_count: problemCount,
        errors: problems.map((p) => ({ path: p.path, message: p.message, detail: `${p.path}: ${p.message}` })),
      },
    );
  }
}

/** A {@link PromptTooLongError} on the wire: the client must send less (422). */
export class PromptTooLongProblem extends HttpProblem {
  constructor({ promptTokens, availableTokens, contextSize, maxTokens }: PromptTooLongError) {
    super(
      422,
      "Prompt Too Long",
      `The prompt needs ${promptTokens} tokens even without history, but the model can take ${availableTokens} ` +
        `(context ${contextSize} minus ${maxTokens} reserved for the answer). Shorten content.original_prompt or ` +
        `lower context.constraints.max_tokens.`,
      {
        prompt_tokens: promptTokens,
        available_tokens: availableTokens,
        context_size: contextSize,
        max_tokens: maxTokens,
      },
    );
  }
}
