import type { z } from "zod";
import { OpenAIError } from "../../../shared/openai/OpenAIError.js";
import { openAIParamPath, type UnsupportedParameter } from "./chatCompletionRequest.js";

/**
 * A /v1 request body checked against its zod schema: a feature the server refuses by name (`unsupported`, checked
 * first so the client reads "not supported" rather than a type error) or a schema violation is a 400 naming the field.
 */
export function parseOpenAIRequest<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
  unsupported: (body: unknown) => UnsupportedParameter | null,
): z.infer<Schema> {
  const refused = unsupported(body);
  if (refused)
    throw new OpenAIError(400, refused.message, "invalid_request_error", refused.param, "unsupported_parameter");
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue ? openAIParamPath(issue.path) : null;
  throw new OpenAIError(
    400,
    `Invalid request: ${param ? `${param}: ` : ""}${issue?.message ?? "invalid body"}`,
    "invalid_request_error",
    param,
    "invalid_value",
  );
}
