import type { CognitionPacket } from "../../../shared/packet/index.js";

/** `GAIA_TOOL_ROUTING`: `off` routes only packets that ask for it, `auto` routes every packet. */
export type ToolRoutingMode = "off" | "auto";

/**
 * Whether core chooses a tool for this packet: the packet asks (`tool_routing.routing_requested`, `needs_tool`, or
 * `intent.system_task: ToolRouting`) or the service routes every packet. A packet whose client already chose a tool
 * (`selected_tool`) is not routed: that tool runs as chosen.
 */
export function shouldRouteTools(packet: CognitionPacket, mode: ToolRoutingMode): boolean {
  const routing = packet.tool_routing;
  if (routing?.selected_tool) return false;
  return (
    mode === "auto" ||
    routing?.routing_requested === true ||
    routing?.needs_tool === true ||
    packet.intent.system_task === "ToolRouting"
  );
}
