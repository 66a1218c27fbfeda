// Core's use of MCP: tool list into the packet, a selected tool runs only when execution is allowed, results
// reach the prompt, and calls fail over to MCP_FALLBACK_ENDPOINT. Real JSON-RPC servers on 127.0.0.1, no mocks.
import { afterEach, describe, expect, it } from "@jest/globals";
import request from "supertest";
import { gatewayPacket } from "../fixtures/packets.js";
import { freePort } from "../support/processes.js";
import { type StubHandler, type StubServer, startStub } from "../support/stubServer.js";
import { startTestCore, type TestCore } from "../support/testCore.js";

const stubs: StubServer[] = [];
const cores: TestCore[] = [];
afterEach(async () => {
  await Promise.all([...stubs.splice(0).map((s) => s.close()), ...cores.splice(0).map((c) => c.dispose())]);
});

/** A gaia-mcp stand-in: list_tools, and a web_search tool whose result names the server. */
const mcpServer =
  (name: string): StubHandler =>
  (_req, res, body) => {
    const call = JSON.parse(body) as { method: string; id: string; params: Record<string, unknown> };
    const result =
      call.method === "list_tools"
        ? ["web_search", "read_file"]
        : { server: name, results: [`fox facts for ${String(call.params.query)}`] };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ jsonrpc: "2.0", result, id: call.id }));
  };

const toolPacket = (packetId: string, executionAllowed: boolean) =>
  gatewayPacket((p) => {
    p.header.packet_id = packetId;
    p.governance.safety.execution_allowed = executionAllowed;
    p.tool_routing = {
      ...p.tool_routing!,
      needs_tool: true,
      selected_tool: {
        tool_name: "web_search",
        params: { query: "foxes" },
        selection_reasoning: "",
        selection_confidence: 0.9,
      },
    };
  });

async function coreWithMcp(env: Record<string, string>) {
  const core = await startTestCore({ env });
  cores.push(core);
  return core;
}
const post = (core: TestCore, body: unknown) =>
  request(core.app).post("/process_packet").set("Content-Type", "application/json").send(JSON.stringify(body));

describe("MCP tools in core", () => {
  it("lists tools into context.available_mcp_tools and runs the selected tool when execution is allowed", async () => {
    const mcp = await startStub(mcpServer("primary"));
    stubs.push(mcp);
    const core = await coreWithMcp({ MCP_ENDPOINT: mcp.url });
    const res = await post(core, toolPacket("tool-1", true));
    expect(res.status).toBe(200);
    expect(res.body.context.available_mcp_tools).toEqual(["web_search", "read_file"]);
    expect(res.body.tool_routing.execution_status).toBe("executed");
    expect(res.body.tool_routing.execution_result).toMatchObject({ success: true, output: { server: "primary" } });
    const methods = mcp.calls.map((c) => (JSON.parse(c.body) as { method: string }).method);
    expect(methods).toEqual(["list_tools", "web_search"]);
  });

  it("does not run a tool when governance.safety.execution_allowed is false", async () => {
    const mcp = await startStub(mcpServer("primary"));
    stubs.push(mcp);
    const core = await coreWithMcp({ MCP_ENDPOINT: mcp.url });
    const res = await post(core, toolPacket("tool-2", false));
    expect(res.status).toBe(200);
    expect(res.body.tool_routing.execution_status).toBe("pending");
    expect(mcp.calls.map((c) => (JSON.parse(c.body) as { method: string }).method)).not.toContain("web_search");
  });

  it("fails over to MCP_FALLBACK_ENDPOINT when the primary MCP is down", async () => {
    const fallback = await startStub(mcpServer("fallback"));
    stubs.push(fallback);
    const deadPort = await freePort();
    const core = await coreWithMcp({
      MCP_ENDPOINT: `http://127.0.0.1:${deadPort}`,
      MCP_FALLBACK_ENDPOINT: fallback.url,
    });
    const res = await post(core, toolPacket("tool-3", true));
    expect(res.status).toBe(200);
    expect(res.body.tool_routing.execution_result).toMatchObject({ success: true, output: { server: "fallback" } });
  });

  it("answers the packet even when no MCP server answers, recording the tool failure", async () => {
    const deadPort = await freePort();
    const core = await coreWithMcp({ MCP_ENDPOINT: `http://127.0.0.1:${deadPort}` });
    const res = await post(core, toolPacket("tool-4", true));
    expect(res.status).toBe(200);
    expect(res.body.context.available_mcp_tools).toBeNull();
    expect(res.body.tool_routing.execution_status).toBe("failed");
    expect(res.body.tool_routing.execution_result.error).toMatch(/unreachable|ECONNREFUSED/i);
  });
});
