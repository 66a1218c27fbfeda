import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { McpClient, type McpEvent, normalizeMcpEndpoint } from "../../../services/core/tools/McpClient.js";
import { freePort, tempDir } from "../../support/processes.js";
import { type StubHandler, type StubServer, startStub } from "../../support/stubServer.js";

/** A small JSON-RPC 2.0 server in gaia-mcp's manner: error codes ride on HTTP 4xx/5xx. */
function jsonRpcServer(name: string, tools: unknown = ["web_search", "read_file"]): StubHandler {
  return (_req, res, body) => {
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    let request: { id?: unknown; method?: string; params?: Record<string, unknown> };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      return send(400, { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
    }
    const id = request.id ?? null;
    switch (request.method) {
      case "list_tools":
        return send(200, { jsonrpc: "2.0", result: tools, id });
      case "echo":
        return send(200, { jsonrpc: "2.0", result: { server: name, params: request.params }, id });
      case "bad_params":
        return send(400, { jsonrpc: "2.0", error: { code: -32602, message: "Invalid params" }, id });
      case "explode":
        return send(500, { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id });
      case "slow":
        return; // never answers
      default:
        return send(200, {
          jsonrpc: "2.0",
          error: { code: -32601, message: `Method not found: ${request.method}` },
          id,
        });
    }
  };
}

const servers: StubServer[] = [];
async function server(name: string, tools?: unknown): Promise<StubServer> {
  const s = await startStub(jsonRpcServer(name, tools));
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("normalizeMcpEndpoint", () => {
  it("appends /jsonrpc unless the URL already ends with a known path", () => {
    expect(normalizeMcpEndpoint("http://gaia-mcp:8765")).toBe("http://gaia-mcp:8765/jsonrpc");
    expect(normalizeMcpEndpoint("http://gaia-mcp:8765/")).toBe("http://gaia-mcp:8765/jsonrpc");
    expect(normalizeMcpEndpoint("http://gaia-mcp:8765/jsonrpc")).toBe("http://gaia-mcp:8765/jsonrpc");
    expect(normalizeMcpEndpoint("http://gaia-mcp:8765/request_approval")).toBe("http://gaia-mcp:8765/request_approval");
    expect(normalizeMcpEndpoint("http://gaia-mcp:8765/approve_action")).toBe("http://gaia-mcp:8765/approve_action");
    expect(normalizeMcpEndpoint("http://gaia-mcp:8765/pending_approvals")).toBe(
      "http://gaia-mcp:8765/pending_approvals",
    );
  });
});

describe("McpClient", () => {
  it("posts a JSON-RPC 2.0 envelope to <endpoint>/jsonrpc and returns the result", async () => {
    const primary = await server("primary");
    const client = new McpClient({ endpoint: primary.url });
    const answer = await client.call("echo", { q: 1 });
    expect(answer).toEqual({ ok: true, result: { server: "primary", params: { q: 1 } }, servedBy: "primary" });
    expect(primary.calls[0]!.path).toBe("/jsonrpc");
    const sent = JSON.parse(primary.calls[0]!.body) as Record<string, unknown>;
    expect(sent).toMatchObject({ jsonrpc: "2.0", method: "echo", params: { q: 1 } });
    expect(typeof sent.id).toBe("string");
  });

  it("answers 'not configured' without an endpoint", async () => {
    expect(await new McpClient({}).call("echo")).toEqual({ ok: false, error: "MCP endpoint not configured" });
    expect(await new McpClient({}).listTools()).toBeNull();
  });

  it("fails over when the primary is down", async () => {
    const fallback = await server("fallback");
    const events: McpEvent[] = [];
    const client = new McpClient({
      endpoint: `http://127.0.0.1:${await freePort()}`,
      fallbackEndpoint: `${fallback.url}/jsonrpc`,
      onEvent: (e) => events.push(e),
    });
    const answer = await client.call("echo", { q: 2 });
    expect(answer).toMatchObject({ ok: true, servedBy: "fallback", result: { server: "fallback" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.reason).toContain("ECONNREFUSED");
  });

  it("fails over when the primary times out (unlike web→core)", async () => {
    const primary = await server("primary");
    const fallback = await server("fallback");
    const client = new McpClient({ endpoint: primary.url, fallbackEndpoint: fallback.url, timeoutMs: 150 });
    primary.handler = () => undefined;
    const answer = await client.call("echo");
    expect(answer).toMatchObject({ ok: true, servedBy: "fallback" });
    expect(primary.calls).toHaveLength(1);
    expect(fallback.calls).toHaveLength(1);
  });

  it.each([
    ["a JSON-RPC error", "nope", -32601],
    ["HTTP 400 with -32602", "bad_params", -32602],
    ["HTTP 500 with -32603", "explode", -32603],
  ])("does not fail over on %s", async (_label, method, code) => {
    const primary = await server("primary");
    const fallback = await server("fallback");
    const answer = await new McpClient({ endpoint: primary.url, fallbackEndpoint: fallback.url }).call(method);
    expect(answer).toMatchObject({ ok: false, code });
    expect(fallback.calls).toHaveLength(0);
  });

  it("does not fail over on an HTTP error without a JSON-RPC body", async () => {
    const primary = await server("primary");
    const fallback = await server("fallback");
    primary.handler = (_req, res) => res.writeHead(502).end("bad gateway");
    const answer = await new McpClient({ endpoint: primary.url, fallbackEndpoint: fallback.url }).call("echo");
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.error).toContain("HTTP 502");
    expect(fallback.calls).toHaveLength(0);
  });

  it("does not fail over in maintenance mode", async () => {
    const flag = path.join(tempDir("gaia-mcp-"), "ha_maintenance");
    fs.writeFileSync(flag, "");
    const fallback = await server("fallback");
    const primaryUrl = `http://127.0.0.1:${await freePort()}`;
    const answer = await new McpClient({
      endpoint: primaryUrl,
      fallbackEndpoint: fallback.url,
      maintenanceFlagPath: flag,
    }).call("echo");
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.error).toContain(primaryUrl);
    expect(fallback.calls).toHaveLength(0);
  });

  it("reports the primary's error when the fallback is down too", async () => {
    const primaryUrl = `http://127.0.0.1:${await freePort()}`;
    const fallbackUrl = `http://127.0.0.1:${await freePort()}`;
    const answer = await new McpClient({ endpoint: primaryUrl, fallbackEndpoint: fallbackUrl }).call("echo");
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.error.startsWith(`MCP ${primaryUrl}/jsonrpc unreachable`)).toBe(true);
  });

  it("lists tools given as names or as {name} objects", async () => {
    const names = await server("a", ["web_search", "read_file"]);
    const objects = await server("b", [
      { name: "web_search", description: "x" },
      { name: "read_file" },
      { bogus: true },
    ]);
    const wrapped = await server("c", { tools: [{ name: "only" }] });
    expect(await new McpClient({ endpoint: names.url }).listTools()).toEqual(["web_search", "read_file"]);
    expect(await new McpClient({ endpoint: objects.url }).listTools()).toEqual(["web_search", "read_file"]);
    expect(await new McpClient({ endpoint: wrapped.url }).listTools()).toEqual(["only"]);
    expect(JSON.parse(names.calls[0]!.body)).toMatchObject({ method: "list_tools" });
  });

  it("runs a tool as a JSON-RPC method", async () => {
    const primary = await server("primary");
    const client = new McpClient({ endpoint: primary.url });
    expect(await client.run("echo", { a: 1 })).toMatchObject({
      ok: true,
      output: { server: "primary", params: { a: 1 } },
    });
    expect(await client.run("explode")).toMatchObject({ ok: false, error: "Internal error" });
  });
});
