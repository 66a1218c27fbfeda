// The pure rules of tool routing: when a packet routes, the selection schema's branches, and the gate.
import { describe, expect, it } from "@jest/globals";
import { Ajv } from "ajv";
import { gateToolCall } from "../../../services/core/tools/gateToolCall.js";
import { NO_TOOL, selectionSchema } from "../../../services/core/tools/selectionSchema.js";
import { shouldRouteTools } from "../../../services/core/tools/shouldRouteTools.js";
import { gatewayPacket } from "../../fixtures/packets.js";
import { WEB_SEARCH, WRITE_FILE } from "../../support/gaiaMcpStandIn.js";

const ajv = new Ajv({ strict: false });

describe("shouldRouteTools", () => {
  it("routes when the packet asks, or always in auto mode; never over a client's own choice", () => {
    const plain = gatewayPacket();
    expect(shouldRouteTools(plain, "off")).toBe(false);
    expect(shouldRouteTools(plain, "auto")).toBe(true);
    const asks = [
      gatewayPacket({ tool_routing: { routing_requested: true } }),
      gatewayPacket({ tool_routing: { needs_tool: true } }),
      gatewayPacket({ intent: { system_task: "ToolRouting" } }),
    ];
    for (const packet of asks) expect(shouldRouteTools(packet, "off")).toBe(true);
    const chosen = gatewayPacket((p) => {
      p.tool_routing!.routing_requested = true;
      p.tool_routing!.selected_tool = {
        tool_name: "web_search",
        params: {},
        selection_reasoning: "",
        selection_confidence: 1,
      };
    });
    expect(shouldRouteTools(chosen, "auto")).toBe(false);
    expect(shouldRouteTools(gatewayPacket({ tool_routing: null }), "off")).toBe(false);
  });
});

describe("selectionSchema", () => {
  const tools = [WEB_SEARCH, WRITE_FILE].map((t) => ({ name: t.name, description: t.description, params: t.params }));
  const choice = (selected_tool: string, params: unknown) => ({
    selected_tool,
    params,
    reasoning: "r",
    confidence: 0.5,
  });

  it("accepts each tool only with params valid for that tool, and 'none' only when allowed", () => {
    const withNone = ajv.compile(selectionSchema(tools, true));
    expect(withNone(choice("web_search", { query: "foxes", max_results: 3, safe_search: true }))).toBe(true);
    expect(withNone(choice("web_search", { query: "foxes", max_results: 11, safe_search: true }))).toBe(false);
    expect(withNone(choice("write_file", { path: "/tmp/a", content: "x" }))).toBe(true);
    expect(withNone(choice("web_search", { path: "/tmp/a", content: "x" }))).toBe(false);
    expect(withNone(choice("read_file", {}))).toBe(false);
    expect(withNone(choice(NO_TOOL, {}))).toBe(true);
    const needsTool = ajv.compile(selectionSchema(tools, false));
    expect(needsTool(choice(NO_TOOL, {}))).toBe(false);
    expect(needsTool(choice("web_search", { query: "foxes", max_results: 1, safe_search: false }))).toBe(true);
  });
});

describe("gateToolCall", () => {
  const allowed = gatewayPacket({ governance: { safety: { execution_allowed: true } } });
  const review = (approved: boolean, confidence: number) => ({ approved, confidence, reasoning: "" });

  it("opens at the threshold and above, when governance allows", () => {
    expect(gateToolCall(allowed, review(true, 0.7), 0.7)).toEqual({ open: true, confidence: 0.7 });
    expect(gateToolCall(allowed, review(true, 0.69), 0.7)).toMatchObject({
      open: false,
      why: "confidence 0.69 is below GAIA_TOOL_CONFIDENCE_THRESHOLD 0.7",
    });
  });

  it("counts a review that does not approve as confidence 0", () => {
    expect(gateToolCall(allowed, review(false, 0.95), 0.7)).toMatchObject({
      open: false,
      confidence: 0,
      why: expect.stringMatching(/review did not approve/),
    });
    expect(gateToolCall(allowed, review(false, 0.95), 0)).toMatchObject({ open: true });
  });

  it("stays closed when governance.safety.execution_allowed is false, whatever the confidence", () => {
    expect(gateToolCall(gatewayPacket(), review(true, 1), 0)).toMatchObject({
      open: false,
      why: "confidence 1.00, but governance.safety.execution_allowed is false",
    });
  });
});
