import type { CognitionPacket } from "../../../shared/packet/index.js";
import type { ToolOutcome } from "./PromptParts.js";

const MAX_VALUE_CHARS = 2000;

function asText(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)} […truncated]` : text;
}

/**
 * Client-sent context as marked text blocks: `context.relevant_history_snippet`, `content.data_fields` (except the
 * gateway's copy of the user's own message) and a tool result. The original buried tool results in data fields and the
 * lite model ignored them, so the tool result comes first and says what it is.
 */
export function describeContext(packet: CognitionPacket, tool: ToolOutcome | null): string[] {
  const blocks: string[] = [];
  if (tool) {
    blocks.push(
      tool.status === "executed"
        ? `[Result of the tool "${tool.tool}", already executed for this request]\n${asText(tool.text)}\n[End of tool result]`
        : tool.status === "awaiting_approval"
          ? `[The tool "${tool.tool}" needs a human's approval and was not executed: ${asText(tool.text)}]`
          : `[The tool "${tool.tool}" failed: ${asText(tool.text)}]`,
    );
  }
  const snippets = packet.context.relevant_history_snippet;
  if (snippets.length > 0) {
    blocks.push(
      `[Context from the conversation, provided by the client]\n${snippets.map((s) => `- ${s.role}: ${asText(s.summary)}`).join("\n")}\n[End of context]`,
    );
  }
  const prompt = packet.content.original_prompt;
  const fields = packet.content.data_fields.filter((f) => !(f.key === "user_message" && f.value === prompt));
  if (fields.length > 0) {
    blocks.push(
      `[Data fields]\n${fields.map((f) => `- ${f.key}: ${asText(f.value)}`).join("\n")}\n[End of data fields]`,
    );
  }
  return blocks;
}
