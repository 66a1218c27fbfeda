import { type CognitionPacket, withHashes } from "../../../shared/packet/index.js";
import { applyToolRouting } from "../tools/applyToolRouting.js";
import type { TurnOutcome } from "./TurnOutcome.js";

const CONFIDENCE: Record<TurnOutcome["stopReason"], number> = {
  eos: 0.9,
  tool_calls: 0.9,
  stop_sequence: 0.9,
  max_tokens: 0.6,
  time_budget: 0.5,
  cancelled: 0,
};

/** One line for reasoning.reflection_log recording how the prompt was built and how generation ended. */
function describeTurn(outcome: TurnOutcome, version: string): string {
  const parts = [
    `history_mode=${outcome.historyMode}`,
    ...(outcome.historyModeReason ? [`history_mode_reason=${JSON.stringify(outcome.historyModeReason)}`] : []),
    `turns_verbatim=${outcome.turnsVerbatim}`,
    `turns_recalled=${outcome.recalled.length}`,
    `turns_dropped_for_budget=${outcome.droppedForBudget}`,
    `prompt_tokens=${outcome.promptTokens}`,
    `kv_reused_tokens=${outcome.reusedPromptTokens}`,
    `max_tokens=${outcome.maxTokens}`,
    `stop=${outcome.stopReason}`,
    // where the time to first token went: waiting for a slot, then the engine's prompt evaluation
    ...(outcome.replayed
      ? []
      : [
          `queued_ms=${Math.round(outcome.queuedMs)}`,
          `engine_ttft_ms=${outcome.timeToFirstTokenMs === null ? "none" : Math.round(outcome.timeToFirstTokenMs)}`,
        ]),
    `packet_version=${JSON.stringify(version)}`,
  ];
  if (outcome.replayed) parts.unshift("replayed=true (packet_id already answered; no inference)");
  return parts.join("; ");
}

/**
 * Writes the turn into the packet as the original's /process_packet did (candidate, confidence 0.9,
 * finalized, completed, hashes) plus what the original left out: real token counts, latency, the reflection_log entry,
 * recalled turns in relevant_history_snippet, MCP tools and what tool routing decided and ran.
 */
export function completePacket(
  packet: CognitionPacket,
  outcome: TurnOutcome,
  latencyMs: number,
  version: string,
): CognitionPacket {
  const completed = structuredClone(packet);
  completed.response.candidate = outcome.answer;
  completed.response.confidence = outcome.answer === "" ? 0 : CONFIDENCE[outcome.stopReason];
  completed.status.finalized = true;
  completed.status.state = "completed";
  if (outcome.stopReason === "time_budget") {
    completed.status.observer_trace.push(
      `answer cut: context.constraints.time_budget_ms (${packet.context.constraints.time_budget_ms} ms) reached`,
    );
  } else if (outcome.stopReason === "max_tokens") {
    completed.status.observer_trace.push(`answer cut: max_tokens (${outcome.maxTokens}) reached`);
  }
  completed.metrics.token_usage.prompt_tokens = outcome.promptTokens;
  completed.metrics.token_usage.completion_tokens = outcome.completionTokens;
  completed.metrics.token_usage.total_tokens = outcome.promptTokens + outcome.completionTokens;
  completed.metrics.latency_ms = Math.round(latencyMs);
  // routing came before the prompt was assembled: its lines come first
  if (outcome.toolRouting) applyToolRouting(completed, outcome.toolRouting);
  completed.reasoning.reflection_log.push({
    step: "prompt_assembly",
    summary: describeTurn(outcome, version),
    confidence: null,
  });
  for (const { turn, similarity } of outcome.recalled) {
    completed.context.relevant_history_snippet.push({
      id: turn.packetId,
      role: "history",
      summary: `(similarity ${similarity.toFixed(3)}) User: ${turn.user.slice(0, 300)} / Assistant: ${turn.assistant.slice(0, 300)}`,
    });
  }
  if (outcome.availableTools) completed.context.available_mcp_tools = outcome.availableTools;
  return withHashes(completed);
}
