// A stand-in gaia-mcp: a real HTTP JSON-RPC server on 127.0.0.1 in gaia-mcp's manner (method = tool name,
// list_tools, describe_tool, guarded tools answering 403/−32001, POST /request_approval). Records every call.
import type http from "node:http";
import { type StubServer, startStub } from "./stubServer.js";

/** A tool the stand-in serves: `plain` runs, `guarded` needs approval, `broken` fails, `undescribed` has no schema. */
export interface StandInTool {
  name: string;
  kind: "plain" | "guarded" | "broken" | "undescribed";
  description: string;
  params: Record<string, unknown>;
}

export const WEB_SEARCH: StandInTool = {
  name: "web_search",
  kind: "plain",
  description: "Search the web and return result titles.",
  params: {
    type: "object",
    properties: {
      query: { type: "string", maxLength: 40 },
      max_results: { type: "integer", minimum: 1, maximum: 10 },
      safe_search: { type: "boolean" },
    },
    required: ["query", "max_results", "safe_search"],
    additionalProperties: false,
  },
};

export const WRITE_FILE: StandInTool = {
  name: "write_file",
  kind: "guarded",
  description: "Write text to a file.",
  params: {
    type: "object",
    properties: { path: { type: "string", maxLength: 40 }, content: { type: "string", maxLength: 40 } },
    required: ["path", "content"],
    additionalProperties: false,
  },
};

export const BROKEN_TOOL: StandInTool = {
  name: "disk_usage",
  kind: "broken",
  description: "Report disk usage of a folder.",
  params: {
    type: "object",
    properties: { folder: { type: "string", enum: ["/", "/tmp", "/home"] } },
    required: ["folder"],
    additionalProperties: false,
  },
};

export interface RpcCall {
  path: string;
  method: string;
  params: Record<string, unknown>;
}

export interface GaiaMcpStandIn {
  url: string;
  stub: StubServer;
  /** Every request, in order: JSON-RPC calls by method, `/request_approval` as method `request_approval:<tool>`. */
  calls(): RpcCall[];
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Starts the stand-in; `name` goes into every tool result, so a test sees which server ran it. */
export async function startGaiaMcp(name: string, tools: readonly StandInTool[]): Promise<GaiaMcpStandIn> {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const stub = await startStub((req, res, body) => {
    const call = JSON.parse(body) as { method: string; params?: Record<string, unknown>; id?: string };
    if (req.url === "/request_approval") {
      return send(res, 200, {
        action_id: `act-${call.method}-1`,
        challenge: "7f3a",
        proposal: { method: call.method, params: call.params },
        created_at: "2026-12-03T13:00:00Z",
        expiry: "2026-12-03T13:15:00Z",
      });
    }
    const ok = (result: unknown) => send(res, 200, { jsonrpc: "2.0", result, id: call.id });
    const error = (status: number, code: number, message: string) =>
      send(res, status, { jsonrpc: "2.0", error: { code, message }, id: call.id });
    if (call.method === "list_tools") return ok(tools.map((t) => t.name));
    if (call.method === "describe_tool") {
      const tool = byName.get(String(call.params?.tool_name));
      if (!tool || tool.kind === "undescribed") return error(500, -32603, "Internal error: no description");
      return ok({ description: tool.description, params: tool.params });
    }
    const tool = byName.get(call.method);
    if (!tool) return error(404, -32601, `Method not found: ${call.method}`);
    if (tool.kind === "guarded") return error(403, -32001, `'${tool.name}' requires approval`);
    if (tool.kind === "broken") return error(500, -32603, "Internal error: disk unavailable");
    return ok({ server: name, tool: tool.name, params: call.params, results: ["Red foxes live in forests."] });
  });
  return {
    url: stub.url,
    stub,
    calls: () =>
      stub.calls.map((c) => {
        const parsed = JSON.parse(c.body) as { method: string; params?: Record<string, unknown> };
        const method = c.path === "/request_approval" ? `request_approval:${parsed.method}` : parsed.method;
        return { path: c.path, method, params: parsed.params ?? {} };
      }),
    close: () => stub.close(),
  };
}
