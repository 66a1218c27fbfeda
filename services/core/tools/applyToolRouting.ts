import { type CognitionPacket, ToolRoutingStateSchema } from "../../../shared/packet/index.js";
import type { ToolRoutingRecord } from "./ToolRoutingRecord.js";

/**
 * Writes what tool routing decided into the (completed) packet: the `tool_routing` fields (a packet without the
 * section gets it with its defaults), `response.tool_calls`, the reflection_log lines, and the result injected as the
 * original did: a `tool_result` data field and a sketchpad slot.
 */
export function applyToolRouting(packet: CognitionPacket, record: ToolRoutingRecord): void {
  const routing = packet.tool_routing ?? ToolRoutingStateSchema.parse({});
  packet.tool_routing = Object.assign(routing, record.state);
  packet.response.tool_calls.push(...record.tool_calls);
  packet.reasoning.reflection_log.push(...record.reflections);
  const { injected } = record;
  if (!injected) return;
  packet.content.data_fields.push({
    key: "tool_result",
    value: injected.output,
    type: "json",
    source: `mcp:${injected.tool}`,
    vector_refs: [],
  });
  packet.reasoning.sketchpad.push({
    slot: "tool_result",
    content: { tool: injected.tool, status: injected.status, output: injected.output },
    content_type: "application/json",
    expires_at: null,
  });
}
