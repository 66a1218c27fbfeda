import type { CognitionPacket } from "../../../shared/packet/index.js";
import type { InferenceEngine } from "../inference/InferenceEngine.js";
import { clampConfidence, constrainedCall, type RoutingCallLimits } from "./constrainedCall.js";
import { NO_TOOL, selectionSchema } from "./selectionSchema.js";
import type { OfferedTool } from "./ToolCatalog.js";

/** The original's selection temperature. */
const SELECTION_TEMPERATURE = 0.15;
const SELECTION_MAX_TOKENS = 512;

/** The selector's choice: a tool with params valid for it, or no tool (`tool: null`). */
export interface Selection {
  tool: string | null;
  params: Record<string, unknown>;
  reasoning: string;
  confidence: number;
}

function describeTools(tools: readonly OfferedTool[]): string {
  return tools
    .map((t) => `- ${t.name}: ${t.description || "(no description)"}\n  params schema: ${JSON.stringify(t.params)}`)
    .join("\n");
}

/**
 * One grammar-constrained call at the original's temperature: which tool serves the request, with which params, why,
 * and how sure. When the packet needs a tool there is no "none" branch, so a tool is always chosen.
 */
export async function selectTool(
  engine: InferenceEngine,
  packet: CognitionPacket,
  tools: readonly OfferedTool[],
  limits: RoutingCallLimits = {},
): Promise<Selection> {
  const needsTool = packet.tool_routing?.needs_tool === true;
  const seed = packet.header.model.seed;
  const answer = (await constrainedCall(engine, {
    call: "selection",
    sessionKey: packet.header.session_id,
    messages: [
      {
        role: "system",
        content:
          "You choose the tool that serves the user's request and write its params. " +
          `${needsTool ? "A tool is required." : `Choose "${NO_TOOL}" when no tool helps.`}\nTools:\n${describeTools(tools)}\n` +
          "Answer with JSON: selected_tool, params, reasoning (one sentence), confidence (0 to 1).",
      },
      { role: "user", content: packet.content.original_prompt },
    ],
    schema: selectionSchema(tools, !needsTool),
    temperature: SELECTION_TEMPERATURE,
    maxTokens: SELECTION_MAX_TOKENS,
    ...(typeof seed === "number" ? { seed } : {}),
    ...limits,
  })) as { selected_tool?: unknown; params?: unknown; reasoning?: unknown; confidence?: unknown };
  const name = typeof answer.selected_tool === "string" ? answer.selected_tool : NO_TOOL;
  return {
    tool: name === NO_TOOL && !tools.some((t) => t.name === NO_TOOL) ? null : name,
    params: isRecord(answer.params) ? answer.params : {},
    reasoning: typeof answer.reasoning === "string" ? answer.reasoning : "",
    confidence: clampConfidence(answer.confidence),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
