import { buildUserPacket } from "../services/web/buildPacket.js";
import type { CognitionPacket } from "../shared/packet/index.js";

export interface BenchTurn {
  sessionId: string;
  packetId: string;
  prompt: string;
  /** context.constraints.max_tokens (also header.model.max_output_tokens). */
  maxTokens: number;
  temperature?: number;
  seed?: number;
  /** header.persona.persona_id: a distinct persona gives a distinct system prompt (no KV prefix shared with others). */
  personaId?: string;
}

/** The packet GAIA's gateway builds for this text (services/web/buildPacket), with the bench's generation settings. */
export function benchPacket(turn: BenchTurn): CognitionPacket {
  const packet = buildUserPacket(turn.prompt, { sessionId: turn.sessionId, packetId: turn.packetId });
  packet.header.model.temperature = turn.temperature ?? 0.8;
  packet.header.model.seed = turn.seed ?? 1234;
  packet.header.model.max_output_tokens = turn.maxTokens;
  packet.context.constraints.max_tokens = turn.maxTokens;
  packet.context.constraints.time_budget_ms = 0;
  if (turn.personaId) packet.header.persona.persona_id = turn.personaId;
  return packet;
}

/** `words` space-separated everyday words, varied by `salt` so two texts of the same length differ. */
export function benchText(words: number, salt: number): string {
  const vocabulary = [
    "the",
    "river",
    "carried",
    "small",
    "boats",
    "past",
    "old",
    "houses",
    "while",
    "children",
    "watched",
    "from",
    "a",
    "bridge",
    "and",
    "counted",
    "every",
    "sail",
    "that",
    "moved",
    "in",
    "morning",
    "light",
    "over",
    "water",
  ];
  return Array.from({ length: words }, (_, i) => vocabulary[(i * 7 + salt * 3) % vocabulary.length]).join(" ");
}
