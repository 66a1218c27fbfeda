import { randomUUID } from "node:crypto";
import { withHashes, type CognitionPacket } from "../../shared/packet/index.js";

/** The session every web user shares in the original gateway (digest §1.7a). */
export const WEB_SESSION_ID = "web_ui_session";

/** Inputs to {@link buildUserPacket}; the clock and id source are injectable for tests. */
export interface BuildPacketOptions {
  sessionId?: string;
  packetId?: string;
  now?: () => PreciseTime;
}

/** Wall-clock time with microseconds: epoch milliseconds plus the microseconds within that millisecond. */
export interface PreciseTime {
  epochMs: number;
  micros: number;
}

/** Current time with sub-millisecond precision (performance.timeOrigin + now), so isoformat has real microseconds. */
export function preciseNow(): PreciseTime {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  return { epochMs: Math.floor(micros / 1000), micros: micros % 1000 };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * Python's `datetime.now().isoformat()`: naive LOCAL time, no timezone, six fractional digits
 * (e.g. `2026-02-22T17:40:01.123456`).
 */
export function pythonLocalIsoformat(time: PreciseTime): string {
  const d = new Date(time.epochMs);
  const fraction = pad(d.getMilliseconds(), 3) + pad(time.micros, 3);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${fraction}`
  );
}

/**
 * The packet GAIA's web gateway builds for `POST /process_user_input` (digest §1.7a, gaia-web main.py L265-328),
 * every key present as `to_dict()` emits them, hashes computed as `compute_hashes` does.
 */
export function buildUserPacket(userInput: string, options: BuildPacketOptions = {}): CognitionPacket {
  const sessionId = options.sessionId ?? WEB_SESSION_ID;
  const packet: CognitionPacket = {
    version: "0.3",
    header: {
      datetime: pythonLocalIsoformat((options.now ?? preciseNow)()),
      session_id: sessionId,
      packet_id: options.packetId ?? randomUUID(),
      sub_id: "0",
      persona: {
        identity_id: "default_user",
        persona_id: "default_web_user",
        role: "Default",
        tone_hint: "neutral",
        safety_profile_id: null,
        traits: {},
      },
      origin: "user",
      routing: { target_engine: "Prime", allow_parallel: false, priority: 5, deadline_iso: null, queue_id: null },
      model: {
        name: "default_model",
        provider: "default_provider",
        context_window_tokens: 8192,
        max_output_tokens: null,
        response_buffer_tokens: null,
        temperature: null,
        top_p: null,
        seed: null,
        stop: [],
        tool_permissions: [],
        allow_tools: true,
      },
      parent_packet_id: null,
      lineage: [],
      output_routing: {
        primary: {
          destination: "web",
          channel_id: sessionId,
          user_id: "web_user",
          reply_to_message_id: null,
          persona_override: null,
          format_hint: null,
          metadata: {},
        },
        secondary: [],
        suppress_echo: false,
        addressed_to_gaia: true,
        source_destination: "web",
      },
      operational_status: { status: "initialized", model: null, observer: null, confidence: null, intent: null },
    },
    intent: { user_intent: "chat", system_task: "GenerateDraft", confidence: 0.0, tags: [] },
    context: {
      session_history_ref: { type: "web_session", value: sessionId },
      cheatsheets: [],
      constraints: { max_tokens: 2048, time_budget_ms: 30000, safety_mode: "strict", policies: [] },
      relevant_history_snippet: [],
      available_mcp_tools: null,
    },
    content: {
      original_prompt: userInput,
      data_fields: [{ key: "user_message", value: userInput, type: "text", source: null, vector_refs: [] }],
      attachments: [],
    },
    reasoning: { reflection_log: [], sketchpad: [], evaluations: [] },
    response: { candidate: "", confidence: 0.0, stream_proposal: false, tool_calls: [], sidecar_actions: [] },
    governance: {
      safety: { execution_allowed: false, allowed_commands_whitelist_id: null, dry_run: true },
      signatures: { header_hash: null, content_hash: null, signed_by: null, signature: null },
      audit: { created_by: null, created_at: null, modified_at: null, reviewers: [], decision: null },
      privacy: { pii_detected: null, pii_notes: null },
    },
    metrics: {
      token_usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, projected_tokens: null },
      latency_ms: 0,
      cost_estimate: null,
      errors: [],
      resources: null,
      semantic_probe: null,
    },
    status: { finalized: false, state: "initialized", next_steps: [], observer_trace: [] },
    schema_id: null,
    council: null,
    tool_routing: {
      needs_tool: false,
      routing_requested: false,
      selected_tool: null,
      alternative_tools: [],
      review_confidence: 0.0,
      review_reasoning: "",
      execution_status: "pending",
      execution_result: null,
      reinjection_count: 0,
      max_reinjections: 3,
    },
    loop_state: null,
    goal_state: null,
  };
  return withHashes(packet);
}
