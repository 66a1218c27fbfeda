import { randomUUID } from "node:crypto";
import {
  type CognitionPacket,
  type CognitionPacketInput,
  CognitionPacketSchema,
  withHashes,
} from "../../shared/packet/index.js";

/** The session every web user shares in the original gateway. */
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
function preciseNow(): PreciseTime {
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
 * The packet GAIA's web gateway builds for `POST /process_user_input`.
 * Only what the gateway sets is written here; the schema fills every other field with the original's default, so the
 * result has every key `to_dict()` emits, in its order. Hashes are computed as `compute_hashes` does.
 */
export function buildUserPacket(userInput: string, options: BuildPacketOptions = {}): CognitionPacket {
  const sessionId = options.sessionId ?? WEB_SESSION_ID;
  const input: CognitionPacketInput = {
    version: "0.3",
    header: {
      datetime: pythonLocalIsoformat((options.now ?? preciseNow)()),
      session_id: sessionId,
      packet_id: options.packetId ?? randomUUID(),
      sub_id: "0",
      persona: { identity_id: "default_user", persona_id: "default_web_user", role: "Default", tone_hint: "neutral" },
      origin: "user",
      routing: { target_engine: "Prime" },
      model: { name: "default_model", provider: "default_provider", context_window_tokens: 8192 },
      output_routing: {
        primary: { destination: "web", channel_id: sessionId, user_id: "web_user" },
        source_destination: "web",
      },
      operational_status: { status: "initialized" },
    },
    intent: { user_intent: "chat", system_task: "GenerateDraft", confidence: 0.0 },
    context: {
      session_history_ref: { type: "web_session", value: sessionId },
      cheatsheets: [],
      constraints: { max_tokens: 2048, time_budget_ms: 30000, safety_mode: "strict" },
    },
    content: {
      original_prompt: userInput,
      data_fields: [{ key: "user_message", value: userInput, type: "text" }],
    },
    reasoning: {},
    response: { candidate: "", confidence: 0.0, stream_proposal: false },
    governance: { safety: { execution_allowed: false } },
    metrics: { token_usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, latency_ms: 0 },
    status: { finalized: false, state: "initialized" },
    // the gateway's ToolRoutingState() is all defaults, but present (not null)
    tool_routing: {},
  };
  return withHashes(CognitionPacketSchema.parse(input));
}
