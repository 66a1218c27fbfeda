import { bodyReadFailure } from "../../../shared/http/bodyReadFailure.js";
import type { HttpProblem } from "../../../shared/http/HttpProblem.js";
import {
  InvalidJsonError,
  PayloadTooLargeError,
  UnreadableBodyError,
  UnsupportedMediaTypeError,
} from "../errors/clientErrors.js";

/** body-parser's error types, mapped to the client mistakes they are; any other body it could not read is a 4xx too. */
export function bodyParserProblem(bodyLimit: string) {
  return (error: unknown): HttpProblem | null => {
    const { type, message } = (error ?? {}) as { type?: string; message?: string };
    switch (type) {
      case "entity.parse.failed":
        return new InvalidJsonError(message ?? "parse error");
      case "entity.too.large":
        return new PayloadTooLargeError(bodyLimit);
      case "encoding.unsupported":
      case "charset.unsupported":
        return new UnsupportedMediaTypeError(message);
      default: {
        const failure = bodyReadFailure(error);
        return failure ? new UnreadableBodyError(failure.status, failure.reason) : null;
      }
    }
  };
}
