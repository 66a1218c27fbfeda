/**
 * CognitionPacket enums: the JSON value strings of the original's Enum classes, case-sensitive,
 * widened with the values later GAIA versions send (PersonaRole "assistant", TargetEngine "Core").
 */
import { z } from "zod";

/** A zod enum whose error lists the allowed values, e.g. "expected one of user|system|agent|sidecar". */
function wireEnum<const T extends readonly [string, ...string[]]>(values: T) {
  const message = `expected one of ${values.join("|")}`;
  // Returning undefined for a missing value lets the caller's error map say "required" instead.
  return z.enum(values, { error: (issue) => (issue.input === undefined ? undefined : message) });
}

/** PersonaRole plus "assistant" (v0.5). */
export const PERSONA_ROLE_VALUES = [
  "Default",
  "CodeMind",
  "Analyst",
  "GISEA",
  "Narrator",
  "Other",
  "assistant",
] as const;
export const PersonaRoleSchema = wireEnum(PERSONA_ROLE_VALUES);
export type PersonaRole = z.infer<typeof PersonaRoleSchema>;

/** Origin: who produced the packet. */
export const ORIGIN_VALUES = ["user", "system", "agent", "sidecar"] as const;
export const OriginSchema = wireEnum(ORIGIN_VALUES);
export type Origin = z.infer<typeof OriginSchema>;

/** TargetEngine plus "Core" (v0.5). */
export const TARGET_ENGINE_VALUES = ["Prime", "Lite", "CodeMind", "Council", "Core"] as const;
export const TargetEngineSchema = wireEnum(TARGET_ENGINE_VALUES);
export type TargetEngine = z.infer<typeof TargetEngineSchema>;

/** SystemTask: what the packet asks the system to do. */
export const SYSTEM_TASK_VALUES = [
  "IntentDetection",
  "Research",
  "GenerateDraft",
  "Refine",
  "Validate",
  "Decision",
  "Stream",
  "TriggerAction",
  "ToolRouting",
  "ToolExecution",
] as const;
export const SystemTaskSchema = wireEnum(SYSTEM_TASK_VALUES);
export type SystemTask = z.infer<typeof SystemTaskSchema>;

/** ToolExecutionStatus: lifecycle of a routed tool call. */
export const TOOL_EXECUTION_STATUS_VALUES = [
  "pending",
  "awaiting_confidence",
  "approved",
  "executed",
  "failed",
  "skipped",
  "user_denied",
  "awaiting_approval",
] as const;
export const ToolExecutionStatusSchema = wireEnum(TOOL_EXECUTION_STATUS_VALUES);
export type ToolExecutionStatus = z.infer<typeof ToolExecutionStatusSchema>;

/** PacketState: where the packet is in its lifecycle; core sets "completed". */
export const PACKET_STATE_VALUES = [
  "initialized",
  "processing",
  "awaiting_tool",
  "awaiting_human",
  "ready_to_stream",
  "completed",
  "aborted",
] as const;
export const PacketStateSchema = wireEnum(PACKET_STATE_VALUES);
export type PacketState = z.infer<typeof PacketStateSchema>;

/** OutputDestination: where a response is delivered (and where the input came from). */
export const OUTPUT_DESTINATION_VALUES = [
  "cli",
  "web",
  "discord",
  "api",
  "webhook",
  "log",
  "broadcast",
  "audio",
] as const;
export const OutputDestinationSchema = wireEnum(OUTPUT_DESTINATION_VALUES);
export type OutputDestination = z.infer<typeof OutputDestinationSchema>;

/** GoalConfidence of a detected goal. */
export const GOAL_CONFIDENCE_VALUES = ["high", "medium", "low"] as const;
export const GoalConfidenceSchema = wireEnum(GOAL_CONFIDENCE_VALUES);
export type GoalConfidence = z.infer<typeof GoalConfidenceSchema>;
