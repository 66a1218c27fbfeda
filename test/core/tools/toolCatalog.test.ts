// The MCP tool catalog through the real McpClient against a stand-in gaia-mcp (real HTTP JSON-RPC on 127.0.0.1).
import { afterEach, describe, expect, it } from "@jest/globals";
import { McpClient } from "../../../services/core/tools/McpClient.js";
import { ToolCatalog } from "../../../services/core/tools/ToolCatalog.js";
import { type GaiaMcpStandIn, startGaiaMcp, WEB_SEARCH, WRITE_FILE } from "../../support/gaiaMcpStandIn.js";

const servers: GaiaMcpStandIn[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function standIn(tools = [WEB_SEARCH, { ...WRITE_FILE, kind: "undescribed" as const }]) {
  const server = await startGaiaMcp("primary", tools);
  servers.push(server);
  return server;
}

describe("ToolCatalog", () => {
  it("lists and describes each tool once per TTL; a tool whose description failed is asked again", async () => {
    const server = await standIn();
    const catalog = new ToolCatalog(new McpClient({ endpoint: server.url }), 60_000);
    const names = await catalog.listTools();
    expect(names).toEqual(["web_search", "write_file"]);
    const first = await catalog.describe(names ?? []);
    expect(first).toEqual([
      { name: "web_search", description: WEB_SEARCH.description, params: WEB_SEARCH.params },
      { name: "write_file", description: "", params: null },
    ]);
    await catalog.listTools();
    await catalog.describe(names ?? []);
    expect(
      server.calls().map((c) => `${c.method}${c.params.tool_name ? ` ${String(c.params.tool_name)}` : ""}`),
    ).toEqual(["list_tools", "describe_tool web_search", "describe_tool write_file", "describe_tool write_file"]);
  });

  it("asks again after the TTL", async () => {
    const server = await standIn([WEB_SEARCH]);
    const catalog = new ToolCatalog(new McpClient({ endpoint: server.url }), 0);
    await catalog.describe((await catalog.listTools()) ?? []);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await catalog.describe((await catalog.listTools()) ?? []);
    expect(server.calls().map((c) => c.method)).toEqual(["list_tools", "describe_tool", "list_tools", "describe_tool"]);
  });
});

describe("McpClient and guarded tools", () => {
  it("reports a guarded tool as needing approval, and requests it at <base>/request_approval", async () => {
    const fallback = await standIn([WRITE_FILE]);
    const client = new McpClient({ endpoint: "http://127.0.0.1:1", fallbackEndpoint: `${fallback.url}/jsonrpc` });
    const run = await client.run("write_file", { path: "/tmp/a", content: "x" });
    expect(run).toMatchObject({ ok: false, needsApproval: true, error: "'write_file' requires approval" });
    const approval = await client.requestApproval("write_file", { path: "/tmp/a", content: "x" });
    expect(approval).toMatchObject({
      ok: true,
      servedBy: "fallback",
      result: { action_id: "act-write_file-1", challenge: "7f3a", proposal: { method: "write_file" } },
    });
    const last = fallback.stub.calls.at(-1);
    expect(last?.path).toBe("/request_approval");
    expect(JSON.parse(last?.body ?? "")).toEqual({ method: "write_file", params: { path: "/tmp/a", content: "x" } });
  });
});
