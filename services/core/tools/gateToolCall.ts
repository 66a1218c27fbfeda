import type { CognitionPacket } from "../../../shared/packet/index.js";
import type { Review } from "./reviewSelection.js";

/** Whether the reviewed call may run, and why not. */
export type GateDecision = { open: true; confidence: number } | { open: false; confidence: number; why: string };

/**
 * The original's gate: the review's confidence must reach the threshold, and governance must allow execution. A
 * review that does not approve counts as confidence 0, so only a threshold of 0 lets an unapproved call through.
 */
export function gateToolCall(packet: CognitionPacket, review: Review, threshold: number): GateDecision {
  const confidence = review.approved ? review.confidence : 0;
  const shown = `${confidence.toFixed(2)}${review.approved ? "" : " (review did not approve)"}`;
  if (confidence < threshold)
    return { open: false, confidence, why: `confidence ${shown} is below GAIA_TOOL_CONFIDENCE_THRESHOLD ${threshold}` };
  if (!packet.governance.safety.execution_allowed)
    return { open: false, confidence, why: `confidence ${shown}, but governance.safety.execution_allowed is false` };
  return { open: true, confidence };
}
