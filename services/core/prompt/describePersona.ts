import type { CognitionPacket } from "../../../shared/packet/index.js";

/**
 * The system message: who the model is (header.persona) and the packet's constraints. Kept short and stable across a
 * session's turns, so the KV cache of the prefix stays reusable from one turn to the next.
 */
export function describePersona(packet: CognitionPacket): string {
  const { persona } = packet.header;
  const lines = [`You are GAIA, answering as the persona "${persona.persona_id}" (role: ${persona.role}).`];
  if (persona.tone_hint) lines.push(`Tone: ${persona.tone_hint}.`);
  const traits = Object.entries(persona.traits ?? {});
  if (traits.length > 0)
    lines.push(
      `Traits: ${traits.map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ")}.`,
    );
  const { constraints } = packet.context;
  lines.push(`Safety mode: ${constraints.safety_mode}.`);
  if (constraints.policies.length > 0) lines.push(`Policies: ${constraints.policies.join("; ")}.`);
  if (packet.context.cheatsheets.length > 0) {
    lines.push(
      `Reference cheatsheets: ${packet.context.cheatsheets.map((c) => `${c.title} (${c.pointer})`).join("; ")}.`,
    );
  }
  lines.push(
    "Respond directly to the user's latest message with a clear, honest answer. Use the context given in the conversation when it helps; say so when you do not know.",
  );
  return lines.join("\n");
}
