/**
 * Generation bounds, one rule for every API that takes generation settings (CognitionPacket and the OpenAI-compatible
 * routes): a token limit is a positive integer, a temperature is 0 or more, top_p is in (0, 1]. A value outside them is
 * the client's mistake and is refused naming the field, never silently replaced by a default.
 */
import { z } from "zod";

export const TOKEN_LIMIT_MESSAGE = "must be a positive integer";
export const TEMPERATURE_MESSAGE = "must be 0 or more";
export const TOP_P_MESSAGE = "must be greater than 0 and at most 1";

export const TokenLimitSchema = z.int({ error: TOKEN_LIMIT_MESSAGE }).positive({ error: TOKEN_LIMIT_MESSAGE });
export const TemperatureSchema = z.number().min(0, { error: TEMPERATURE_MESSAGE });
export const TopPSchema = z.number().gt(0, { error: TOP_P_MESSAGE }).max(1, { error: TOP_P_MESSAGE });

/** A bounded setting of a parsed packet: its dotted path, its value (null when unset) and its rule. */
interface BoundedField {
  path: string;
  value: number | null | undefined;
  schema: z.ZodType;
}

/** The problems of a packet's generation settings (`context.constraints.max_tokens: -5` is one), by path. */
export function generationBoundProblems(packet: {
  header: { model: { max_output_tokens?: number | null; temperature?: number | null; top_p?: number | null } };
  context: { constraints: { max_tokens: number } };
}): { path: string; message: string }[] {
  const { model } = packet.header;
  const fields: BoundedField[] = [
    { path: "context.constraints.max_tokens", value: packet.context.constraints.max_tokens, schema: TokenLimitSchema },
    { path: "header.model.max_output_tokens", value: model.max_output_tokens, schema: TokenLimitSchema },
    { path: "header.model.temperature", value: model.temperature, schema: TemperatureSchema },
    { path: "header.model.top_p", value: model.top_p, schema: TopPSchema },
  ];
  return fields
    .filter((f) => f.value !== null && f.value !== undefined && !f.schema.safeParse(f.value).success)
    .map((f) => ({
      path: f.path,
      message: `${f.schema.safeParse(f.value).error?.issues[0]?.message} (got ${f.value})`,
    }));
}
