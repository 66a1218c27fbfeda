import { z } from "zod";

/** Raised when the environment does not satisfy a service's config schema; its message is one line naming every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
  }
}

/**
 * Parses `env` with a zod object schema whose keys are environment variable names.
 * Empty strings count as unset, so `FOO=` falls back to the default instead of failing.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") cleaned[key] = value.trim();
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join(".") || "env"}: ${issue.message}`));
  }
  return result.data;
}

/** Helpers for the string → typed coercions env variables need. */
export const envInt = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
export const envUrl = z.url().transform((u) => u.replace(/\/+$/, ""));
/** `true` or `false` (unset: `false`). */
export const envFlag = z
  .enum(["true", "false"], { error: "expected true or false" })
  .default("false")
  .transform((v) => v === "true");
