import type { OfferedTool } from "./ToolCatalog.js";

/** The "no tool" choice's name in the selection schema. */
export const NO_TOOL = "none";

/** Reasoning is bounded so a small model cannot spend the call's token limit on it. */
export const REASONING_SCHEMA = { type: "string", maxLength: 160 } as const;
/** The grammar holds confidences to [0, 1]; they are clamped after parsing all the same (a number is a number). */
export const CONFIDENCE_SCHEMA = { type: "number", minimum: 0, maximum: 1 } as const;

/**
 * The selection's JSON Schema, as the original asked for `{selected_tool, params, reasoning, confidence}`: one `oneOf`
 * branch per offered tool, whose `params` is that tool's own schema (so the grammar only lets the model write params
 * valid for the tool it names), plus a "none" branch unless the packet needs a tool.
 */
export function selectionSchema(tools: readonly OfferedTool[], allowNone: boolean): Record<string, unknown> {
  const branches = tools.map((tool) => ({
    type: "object",
    properties: {
      selected_tool: { const: tool.name },
      params: tool.params,
      reasoning: REASONING_SCHEMA,
      confidence: CONFIDENCE_SCHEMA,
    },
    required: ["selected_tool", "params", "reasoning", "confidence"],
    additionalProperties: false,
  }));
  if (allowNone) {
    branches.push({
      type: "object",
      properties: {
        selected_tool: { const: NO_TOOL },
        params: { type: "object", properties: {}, additionalProperties: false },
        reasoning: REASONING_SCHEMA,
        confidence: CONFIDENCE_SCHEMA,
      },
      required: ["selected_tool", "params", "reasoning", "confidence"],
      additionalProperties: false,
    });
  }
  return { oneOf: branches };
}
