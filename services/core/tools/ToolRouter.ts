import type { Logger } from "../../../shared/logging/logger.js";
import type { CognitionPacket } from "../../../shared/packet/index.js";
import type { InferenceEngine } from "../inference/InferenceEngine.js";
import { UnsupportedJsonSchemaError } from "../inference/UnsupportedJsonSchemaError.js";
import type { RoutingCallLimits } from "./constrainedCall.js";
import { executeTool } from "./executeTool.js";
import { gateToolCall } from "./gateToolCall.js";
import { offerableTools } from "./offerableTools.js";
import { reviewSelection } from "./reviewSelection.js";
import { type Selection, selectTool } from "./selectTool.js";
import { shouldRouteTools, type ToolRoutingMode } from "./shouldRouteTools.js";
import type { OfferedTool, ToolCatalog } from "./ToolCatalog.js";
import { ToolRoutingCallError } from "./ToolRoutingCallError.js";
import { reflection, skippedRecord, type ToolRoutingRecord } from "./ToolRoutingRecord.js";

export interface ToolRouterOptions {
  catalog: ToolCatalog;
  engine: InferenceEngine;
  mode: ToolRoutingMode;
  /** `GAIA_TOOL_CONFIDENCE_THRESHOLD`. */
  confidenceThreshold: number;
  logger?: Logger;
}

/** The tools a packet saw and what routing decided (null: the packet neither routed nor chose a tool). */
export interface RoutedTools {
  availableTools: string[] | null;
  record: ToolRoutingRecord | null;
}

type SelectedTool = NonNullable<ToolRoutingRecord["state"]["selected_tool"]>;

/**
 * GAIA's tool routing for one packet, as the original's: catalog (list + describe) → selection → review → gate
 * (confidence, governance) → execution through MCP (guarded tools go to approval). A client-chosen `selected_tool`
 * skips selection and review. Nothing here fails the packet: every outcome is a record for the packet and the prompt.
 */
export class ToolRouter {
  constructor(private readonly options: ToolRouterOptions) {}

  /** `limits`: the client's signal and the packet's time-budget deadline, which the two model calls respect. */
  async route(packet: CognitionPacket, limits: RoutingCallLimits = {}): Promise<RoutedTools> {
    const availableTools = await this.options.catalog.listTools();
    const routing = packet.tool_routing;
    const clientChoice = routing?.selected_tool ?? null;
    if (!clientChoice && !shouldRouteTools(packet, this.options.mode)) return { availableTools, record: null };
    // max_reinjections bounds a client's loop: each packet routes once, and a tool result injected counts one
    const count = routing?.reinjection_count ?? 0;
    const max = routing?.max_reinjections ?? 3;
    if (count >= max) {
      const why = `reinjection_count ${count} reached max_reinjections ${max}: no further tool call`;
      return { availableTools, record: skippedRecord("tool_routing", why) };
    }
    const record = clientChoice
      ? await this.runClientChoice(packet, clientChoice)
      : await this.chooseAndRun(packet, availableTools, limits);
    const ran = record.state.execution_status === "executed" || record.state.execution_status === "failed";
    if (ran && record.injected) record.state.reinjection_count = count + 1;
    return { availableTools, record };
  }

  /** The client chose the tool: it runs when governance allows, as before routing existed. */
  private async runClientChoice(packet: CognitionPacket, chosen: SelectedTool): Promise<ToolRoutingRecord> {
    if (!packet.governance.safety.execution_allowed) {
      const why = `client-selected ${chosen.tool_name} not run: governance.safety.execution_allowed is false`;
      return { state: {}, tool_calls: [], reflections: [reflection("tool_gate", why)], injected: null };
    }
    const params = chosen.params as Record<string, unknown>;
    const execution = await executeTool(this.options.catalog.runner, chosen.tool_name, params, this.options.logger);
    const chosenLine = reflection("tool_selection", `${chosen.tool_name} selected by the client`);
    return { ...execution, reflections: [chosenLine, execution.reflection] };
  }

  private async chooseAndRun(
    packet: CognitionPacket,
    names: string[] | null,
    limits: RoutingCallLimits,
  ): Promise<ToolRoutingRecord> {
    if (names === null) return skippedRecord("tool_routing", "no tool server answered list_tools");
    const { offered, notOffered: left } = offerableTools(await this.options.catalog.describe(names));
    const notOffered = left.length > 0 ? `; not offered: ${left.join(", ")}` : "";
    if (offered.length === 0) return skippedRecord("tool_routing", `no tool to offer${notOffered}`);
    let selection: Selection;
    try {
      selection = await selectTool(this.options.engine, packet, offered, limits);
    } catch (error) {
      return skippedRecord("tool_selection", `${routingFailure(error)}${notOffered}`);
    }
    const offeredNames = offered.map((t) => t.name).join(", ");
    const selectionLine = reflection(
      "tool_selection",
      `${selection.tool ?? "no tool"} chosen from [${offeredNames}]${notOffered}: ${selection.reasoning}`,
      selection.confidence,
    );
    const alternatives = offered.filter((t) => t.name !== selection.tool).map(alternativeOf);
    if (selection.tool === null) {
      const state = { needs_tool: false, selected_tool: null, alternative_tools: alternatives };
      const record = skippedRecord("tool_gate", "the selector chose no tool", state);
      return { ...record, reflections: [selectionLine, ...record.reflections] };
    }
    const selected: SelectedTool = {
      tool_name: selection.tool,
      params: selection.params,
      selection_reasoning: selection.reasoning,
      selection_confidence: selection.confidence,
    };
    const state = { needs_tool: true, selected_tool: selected, alternative_tools: alternatives };
    const record = await this.reviewAndRun(packet, { ...selection, tool: selection.tool }, limits);
    return { ...record, state: { ...state, ...record.state }, reflections: [selectionLine, ...record.reflections] };
  }

  /** Review, gate, and (when the gate opens) execution of a selection. */
  private async reviewAndRun(
    packet: CognitionPacket,
    selection: Selection & { tool: string },
    limits: RoutingCallLimits,
  ): Promise<ToolRoutingRecord> {
    let review: Awaited<ReturnType<typeof reviewSelection>>;
    try {
      review = await reviewSelection(this.options.engine, packet, selection, limits);
    } catch (error) {
      return skippedRecord("tool_review", `${routingFailure(error)}: not executed`);
    }
    const reviewState = { review_confidence: review.confidence, review_reasoning: review.reasoning };
    const verdict = review.approved ? "approved" : "not approved";
    const reviewLine = reflection("tool_review", `${verdict}: ${review.reasoning}`, review.confidence);
    const gate = gateToolCall(packet, review, this.options.confidenceThreshold);
    if (!gate.open) {
      const record = skippedRecord("tool_gate", `${selection.tool} not executed: ${gate.why}`, reviewState);
      return { ...record, reflections: [reviewLine, ...record.reflections] };
    }
    const gateLine = reflection("tool_gate", `${selection.tool} may run: confidence ${gate.confidence.toFixed(2)}`);
    const { runner } = this.options.catalog;
    const execution = await executeTool(runner, selection.tool, selection.params, this.options.logger);
    return {
      state: { ...reviewState, ...execution.state },
      tool_calls: execution.tool_calls,
      injected: execution.injected,
      reflections: [reviewLine, gateLine, execution.reflection],
    };
  }
}

function alternativeOf(tool: OfferedTool): SelectedTool {
  return { tool_name: tool.name, params: {}, selection_reasoning: "offered, not chosen", selection_confidence: 0 };
}

/** A selection or review that gave nothing usable is a reason in the packet; anything else is a fault of ours. */
function routingFailure(error: unknown): string {
  if (error instanceof ToolRoutingCallError) return error.message;
  if (error instanceof UnsupportedJsonSchemaError)
    return `the tools' params schemas cannot be enforced: ${error.reason}`;
  throw error;
}
