import type { SessionTurn } from "../sessions/SessionStore.js";
import type { InjectedToolResult } from "../tools/ToolRoutingRecord.js";

/** An older turn brought back by similarity (semantic mode). */
export interface RecalledTurn {
  turn: SessionTurn;
  similarity: number;
}

/** The result of the tool routing ran (MCP), shown to the model. */
export type ToolOutcome = Pick<InjectedToolResult, "tool" | "status" | "text">;

/** Everything a prompt is made of, before the budget decides which history fits. */
export interface PromptParts {
  /** The system message: persona and constraints. Never dropped. */
  system: string;
  /** Prior turns to replay verbatim, oldest first. Dropped oldest-first when the budget is short. */
  history: SessionTurn[];
  /** Older turns recalled by similarity, shown as a marked context block. Dropped after the verbatim history. */
  recalled: RecalledTurn[];
  /** Client-sent context (relevant_history_snippet, data_fields) and tool results, as text blocks. */
  contextBlocks: string[];
  /** `content.original_prompt`. Never dropped. */
  userText: string;
}
