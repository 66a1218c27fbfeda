import { createHash } from "node:crypto";

/** Where a `/v1` request's affinity key came from (logged with the request's resilience events). */
export type OpenAIAffinitySource = "user" | "conversation" | "prompt";

/**
 * Characters of a text completion's prompt its key is made of: requests that share them (autocomplete on one file:
 * the same file head) most likely share a longer token prefix too, which the replica's KV cache then holds.
 */
export const PROMPT_AFFINITY_CHARS = 256;

export interface OpenAIAffinity {
  key: string;
  source: OpenAIAffinitySource;
}

/**
 * The affinity key of a `/v1` request, so N replicas share the load and a conversation keeps finding the replica whose
 * KV cache holds it: the OpenAI `user` field when the client sends one, else a hash of the conversation's stable
 * prefix (its system/developer messages and first user message), which every later turn of it repeats; for a text
 * completion (`/v1/completions`), the start of its (first) prompt. Null when the body names none of these (e.g.
 * `GET /v1/models`, or a body that is not JSON): such a request has no conversation to keep warm. Read best-effort: the body is passed to core unchanged, and core answers a malformed one.
 */
export function openAIAffinity(body: Buffer | undefined): OpenAIAffinity | null {
  const parsed = parseObject(body);
  if (!parsed) return null;
  if (typeof parsed.user === "string" && parsed.user !== "") return { key: `user:${parsed.user}`, source: "user" };
  const prefix = stablePrefix(parsed.messages);
  if (prefix) return { key: `conversation:${digestOf(prefix)}`, source: "conversation" };
  const prompt = Array.isArray(parsed.prompt) ? parsed.prompt[0] : parsed.prompt;
  if (typeof prompt !== "string" || prompt === "") return null;
  return { key: `prompt:${digestOf(prompt.slice(0, PROMPT_AFFINITY_CHARS))}`, source: "prompt" };
}

function digestOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32);
}

/** The system/developer messages before the first user message, and that message: [role, content] pairs. */
function stablePrefix(messages: unknown): unknown[] | null {
  if (!Array.isArray(messages)) return null;
  const prefix: unknown[] = [];
  for (const message of messages) {
    if (typeof message !== "object" || message === null) return null;
    const { role, content } = message as { role?: unknown; content?: unknown };
    if (role === "system" || role === "developer") prefix.push([role, content]);
    else if (role === "user") return [...prefix, [role, content]];
  }
  return null; // no user message yet: nothing a later turn is sure to repeat
}

function parseObject(body: Buffer | undefined): Record<string, unknown> | null {
  if (!body || body.length === 0) return null;
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
