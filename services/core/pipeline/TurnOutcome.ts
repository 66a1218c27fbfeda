import type { HistoryMode } from "../history/HistorySelector.js";
import type { StopReason } from "../inference/InferenceEngine.js";
import type { RecalledTurn } from "../prompt/PromptParts.js";
import type { ToolRoutingRecord } from "../tools/ToolRoutingRecord.js";

/** What one turn produced, before it is written into the packet. */
export interface TurnOutcome {
  /** The answer shown to the user (hidden-reasoning tags removed). */
  answer: string;
  stopReason: StopReason;
  promptTokens: number;
  reusedPromptTokens: number;
  completionTokens: number;
  historyMode: HistoryMode;
  historyModeReason: string | null;
  turnsVerbatim: number;
  recalled: RecalledTurn[];
  droppedForBudget: number;
  maxTokens: number;
  timeToFirstTokenMs: number | null;
  generationMs: number;
  queuedMs: number;
  /** True when the packet_id was already answered and the stored answer is returned without inference. */
  replayed: boolean;
  availableTools: string[] | null;
  /** What tool routing decided and ran for the packet (null: no routing, no client-chosen tool). */
  toolRouting: ToolRoutingRecord | null;
}

/** The figures metrics count per turn, whichever API produced it (packets, OpenAI chat completions). */
export type TurnFigures = Pick<
  TurnOutcome,
  | "replayed"
  | "promptTokens"
  | "reusedPromptTokens"
  | "completionTokens"
  | "stopReason"
  | "historyMode"
  | "timeToFirstTokenMs"
>;

/** What the pipeline reports per finished turn (metrics implement it). */
export interface TurnObserver {
  turnCompleted(outcome: TurnFigures): void;
}
