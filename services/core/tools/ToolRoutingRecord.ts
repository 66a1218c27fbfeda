import { z } from "zod";
import {
  ReflectionLogSchema,
  SelectedToolSchema,
  ToolCallSchema,
  ToolExecutionResultSchema,
  ToolExecutionStatusSchema,
} from "../../../shared/packet/index.js";

/** A tool result as the final answer's prompt shows it. */
export const InjectedToolResultSchema = z.object({
  tool: z.string(),
  status: z.enum(["executed", "failed", "awaiting_approval"]),
  /** Tool output (executed), the error (failed) or what the approval waits for, already stringified. */
  text: z.string(),
  /** The raw output, for the packet's `tool_result` data field and sketchpad. */
  output: z.unknown(),
});
export type InjectedToolResult = z.infer<typeof InjectedToolResultSchema>;

/**
 * What the route-tools step decided for one packet, in the packet's own terms: the `tool_routing` fields it set,
 * `response.tool_calls`, `reasoning.reflection_log` lines and the injected result. Plain JSON: it is stored with the
 * turn (file, pair and Redis stores alike), so a re-sent packet_id gets the same fields without running anything.
 */
export const ToolRoutingRecordSchema = z.object({
  state: z.object({
    needs_tool: z.boolean().optional(),
    selected_tool: SelectedToolSchema.nullable().optional(),
    alternative_tools: z.array(SelectedToolSchema).optional(),
    review_confidence: z.number().optional(),
    review_reasoning: z.string().optional(),
    execution_status: ToolExecutionStatusSchema.optional(),
    execution_result: ToolExecutionResultSchema.nullable().optional(),
    reinjection_count: z.int().optional(),
  }),
  tool_calls: z.array(ToolCallSchema),
  reflections: z.array(ReflectionLogSchema),
  injected: InjectedToolResultSchema.nullable(),
});
export type ToolRoutingRecord = z.infer<typeof ToolRoutingRecordSchema>;
export type ToolRoutingState = ToolRoutingRecord["state"];
export type ReflectionLine = ToolRoutingRecord["reflections"][number];

/** A reflection_log line of the tool-routing steps. */
export function reflection(step: string, summary: string, confidence: number | null = null): ReflectionLine {
  return { step, summary, confidence };
}

/** A record that decided nothing but why (routing not possible, not allowed, or skipped). */
export function skippedRecord(step: string, why: string, state: ToolRoutingState = {}): ToolRoutingRecord {
  return {
    state: { execution_status: "skipped", ...state },
    tool_calls: [],
    reflections: [reflection(step, why)],
    injected: null,
  };
}

/** Reads a record stored with a turn; anything unreadable (an older core's turn) replays as no routing. */
export function storedRecord(value: unknown): ToolRoutingRecord | null {
  const parsed = ToolRoutingRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
