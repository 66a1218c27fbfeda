import type { InferenceEngine, PromptMessage } from "../inference/InferenceEngine.js";
import { ClientClosedError } from "../pipeline/ClientClosedError.js";
import { ToolRoutingCallError } from "./ToolRoutingCallError.js";

/** How a routing call is bounded: the client's signal, and the packet's time budget as a deadline. */
export interface RoutingCallLimits {
  signal?: AbortSignal;
  /** `performance.now()` time by which the packet's time budget (`time_budget_ms`) runs out. */
  deadline?: number;
}

export interface ConstrainedCall extends RoutingCallLimits {
  call: "selection" | "review";
  /** The packet's session: the call runs on the session's slot. */
  sessionKey: string;
  messages: PromptMessage[];
  schema: Record<string, unknown>;
  temperature: number;
  maxTokens: number;
  seed?: number;
}

/**
 * One generation whose output the grammar holds to `schema`, parsed. Throws {@link ToolRoutingCallError} when the
 * answer was cut before the JSON closed, {@link ClientClosedError} when the client left.
 */
export async function constrainedCall(engine: InferenceEngine, request: ConstrainedCall): Promise<unknown> {
  const { call, schema, seed, signal, deadline, ...generation } = request;
  const result = await engine.generate({
    ...generation,
    responseFormat: { type: "json_schema", schema },
    ...(seed !== undefined ? { seed } : {}),
    ...(signal ? { signal } : {}),
    ...(deadline !== undefined ? { timeBudgetMs: Math.max(1, deadline - performance.now()) } : {}),
  });
  if (result.stopReason === "cancelled") throw new ClientClosedError();
  try {
    return JSON.parse(result.text);
  } catch {
    const why =
      result.stopReason === "eos" ? "the answer is not JSON" : `cut (${result.stopReason}) before the JSON closed`;
    throw new ToolRoutingCallError(call, `${why} after ${result.completionTokens} tokens`);
  }
}

/** A model-written confidence as a number in [0, 1] (the grammar guarantees a number, not its range). */
export function clampConfidence(value: unknown): number {
  const n = typeof value === "number" && Number.isFinite(value) ? value : 0;
  return Math.min(1, Math.max(0, n));
}
