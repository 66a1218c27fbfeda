// Helpers for the inference tests: one packet per turn with explicit generation settings, and the facts the core
// writes into the completed packet's reflection_log (prompt tokens, KV-reused tokens, stop reason).
import fs from "node:fs";
import path from "node:path";
import type { CognitionPacket } from "../../../shared/packet/index.js";
import { gatewayPacket } from "../../fixtures/packets.js";
import { tempDir } from "../../support/processes.js";

export interface TurnSpec {
  sessionId: string;
  packetId: string;
  prompt: string;
  /** header.model.temperature (0 = greedy). */
  temperature: number;
  /** header.model.seed. */
  seed?: number;
  /** context.constraints.max_tokens. */
  maxTokens?: number;
  /** header.persona.persona_id: different personas give different system prompts (no shared KV prefix). */
  personaId?: string;
}

/** The gateway's packet carrying one turn with fixed generation settings. */
export function turnPacket(spec: TurnSpec): CognitionPacket {
  return gatewayPacket((p) => {
    p.header.session_id = spec.sessionId;
    p.header.packet_id = spec.packetId;
    p.content.original_prompt = spec.prompt;
    p.content.data_fields = [];
    p.header.model.temperature = spec.temperature;
    p.header.model.seed = spec.seed ?? 7;
    if (spec.maxTokens !== undefined) p.context.constraints.max_tokens = spec.maxTokens;
    if (spec.personaId !== undefined) p.header.persona.persona_id = spec.personaId;
  });
}

/** What the core recorded about how a turn was made (the last reflection_log entry of the completed packet). */
export interface TurnFacts {
  answer: string;
  promptTokens: number;
  completionTokens: number;
  kvReusedTokens: number;
  stop: string;
  summary: string;
}

interface CompletedPacketBody {
  response: { candidate: string };
  metrics: { token_usage: { completion_tokens: number } };
  reasoning: { reflection_log: { summary: string }[] };
}

/** Reads the answer and the reflection_log facts out of a completed packet (as parsed JSON). */
export function turnFacts(body: unknown): TurnFacts {
  const packet = body as CompletedPacketBody;
  const summary = packet.reasoning.reflection_log.at(-1)?.summary ?? "";
  const field = (name: string) => {
    const match = new RegExp(`(?:^|; )${name}=([^;]+)`).exec(summary);
    if (!match?.[1]) throw new Error(`reflection_log has no ${name}: ${summary}`);
    return match[1];
  };
  return {
    answer: packet.response.candidate,
    promptTokens: Number(field("prompt_tokens")),
    completionTokens: packet.metrics.token_usage.completion_tokens,
    kvReusedTokens: Number(field("kv_reused_tokens")),
    stop: field("stop"),
    summary,
  };
}

/**
 * A new shared dir holding a copy of a session's first `turns` stored turns (the session file's lines, byte for byte),
 * so a fresh core sees exactly the history a warm core saw.
 */
export function sharedDirWithSessionPrefix(sessionFile: string, turns: number): string {
  const dir = tempDir("gaia-kv-fresh-");
  fs.mkdirSync(path.join(dir, "sessions"), { recursive: true });
  const lines = fs
    .readFileSync(sessionFile, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
  const kept = lines.slice(0, turns);
  fs.writeFileSync(path.join(dir, "sessions", path.basename(sessionFile)), kept.length ? `${kept.join("\n")}\n` : "");
  return dir;
}
