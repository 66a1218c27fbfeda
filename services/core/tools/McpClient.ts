import { describeError } from "../../../shared/http/failures.js";
import { isMaintenanceOn } from "../../../shared/maintenance/MaintenanceFlag.js";

/** Outcome of one JSON-RPC call: callers branch on `ok`, nothing is thrown at them. */
export type McpResult<T = unknown> =
  | { ok: true; result: T; servedBy: "primary" | "fallback" }
  | { ok: false; error: string; code?: number; httpStatus?: number };

/** Outcome of running one tool, shaped for core's tool runner. */
export interface McpToolRun {
  ok: boolean;
  output?: unknown;
  error?: string;
  executionMs: number;
  /** gaia-mcp refused to run the tool without a human's approval (HTTP 403 and/or JSON-RPC −32001). */
  needsApproval?: boolean;
}

/** What `describe_tool` tells about one tool. */
export interface McpToolDescription {
  description: string;
  /** The JSON Schema of the tool's params. */
  params: Record<string, unknown>;
}

/** gaia-mcp's answer to `POST /request_approval`: a pending action a human approves with the challenge. */
export interface McpApprovalRequest {
  action_id: string;
  challenge: string;
  proposal: unknown;
}

/** JSON-RPC error code gaia-mcp answers for a tool that needs approval. */
export const MCP_APPROVAL_REQUIRED = -32001;

/** What the client reports; core logs each one. */
export type McpEvent = { type: "failover"; method: string; from: string; to: string; reason: string };

/** Options for {@link McpClient}. */
export interface McpClientOptions {
  /** `MCP_ENDPOINT`; normalized by {@link normalizeMcpEndpoint}. Unset: every call answers "not configured". */
  endpoint?: string | null;
  /** `MCP_FALLBACK_ENDPOINT`; tried once after a connection error or timeout on the primary. */
  fallbackEndpoint?: string | null;
  /** Failover is off while this file exists. */
  maintenanceFlagPath?: string | null;
  /** Whole-call timeout (request and body). Default 20000, as the original. */
  timeoutMs?: number;
  onEvent?: (event: McpEvent) => void;
}

/** Paths gaia-mcp serves directly; anything else gets `/jsonrpc` appended. */
const DIRECT_PATHS = ["/jsonrpc", "/approve_action", "/request_approval", "/pending_approvals"];

/** `http://mcp:8765` → `http://mcp:8765/jsonrpc`; URLs already ending in a known path are kept. */
export function normalizeMcpEndpoint(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, "");
  return DIRECT_PATHS.some((p) => trimmed.endsWith(p)) ? trimmed : `${trimmed}/jsonrpc`;
}

/** An answer of any kind, or a transport failure (unreachable, dropped, timed out): the only kind that fails over. */
type Attempt = { kind: "answer"; result: McpResult } | { kind: "transport"; failure: { message: string } };

/** Reads one HTTP answer into a result. */
type Interpret = (status: number, text: string, servedBy: "primary" | "fallback") => McpResult;

interface JsonRpcErrorBody {
  code?: unknown;
  message?: unknown;
}

/**
 * JSON-RPC 2.0 over HTTP POST to GAIA's MCP server, with the original's failover: no retry on the
 * primary; one try on the fallback after a connection error OR a timeout (unlike web→core); never after an answer,
 * whether a JSON-RPC error or an HTTP 4xx/5xx; never in maintenance mode. When both fail, the primary's error is reported.
 */
export class McpClient {
  readonly endpoint: string | null;
  readonly fallbackEndpoint: string | null;
  private readonly timeoutMs: number;
  private nextId = 0;

  constructor(private readonly options: McpClientOptions = {}) {
    this.endpoint = options.endpoint ? normalizeMcpEndpoint(options.endpoint) : null;
    this.fallbackEndpoint = options.fallbackEndpoint ? normalizeMcpEndpoint(options.fallbackEndpoint) : null;
    this.timeoutMs = options.timeoutMs ?? 20_000;
  }

  /** Calls `method` with `params`. Never throws. */
  async call<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<McpResult<T>> {
    if (!this.endpoint) return { ok: false, error: "MCP endpoint not configured" };
    const payload = JSON.stringify({
      jsonrpc: "2.0",
      method,
      params,
      id: `${new Date().toISOString()}#${++this.nextId}`,
    });
    return (await this.withFailover(method, (url) => url, payload, interpret)) as McpResult<T>;
  }

  /**
   * Asks gaia-mcp to hold a guarded call for a human's approval (`POST <base>/request_approval` `{method, params}`,
   * failed over like a call). Never throws.
   */
  async requestApproval(method: string, params: Record<string, unknown>): Promise<McpResult<McpApprovalRequest>> {
    if (!this.endpoint) return { ok: false, error: "MCP endpoint not configured" };
    const approvalUrl = (url: string) => `${url.replace(/\/[a-z_]+$/, "")}/request_approval`;
    const answer = await this.withFailover(method, approvalUrl, JSON.stringify({ method, params }), interpretApproval);
    return answer as McpResult<McpApprovalRequest>;
  }

  /** `describe_tool` `{tool_name}` → description and params schema, or null when it could not be told. */
  async describeTool(name: string): Promise<McpToolDescription | null> {
    const answer = await this.call<unknown>("describe_tool", { tool_name: name });
    if (!answer.ok || typeof answer.result !== "object" || answer.result === null) return null;
    const { description, params } = answer.result as { description?: unknown; params?: unknown };
    if (typeof params !== "object" || params === null || Array.isArray(params)) return null;
    return {
      description: typeof description === "string" ? description : "",
      params: params as Record<string, unknown>,
    };
  }

  /** The original's failover: the primary once; the fallback once after a transport failure, unless in maintenance. */
  private async withFailover(
    method: string,
    urlFor: (endpoint: string) => string,
    payload: string,
    read: Interpret,
  ): Promise<McpResult> {
    const primaryUrl = urlFor(this.endpoint ?? "");
    const primary = await this.attempt(primaryUrl, payload, "primary", read);
    if (primary.kind === "answer") return primary.result;

    const fallback = this.fallbackEndpoint ? urlFor(this.fallbackEndpoint) : null;
    if (!fallback || isMaintenanceOn(this.options.maintenanceFlagPath))
      return { ok: false, error: primary.failure.message };
    this.options.onEvent?.({
      type: "failover",
      method,
      from: primaryUrl,
      to: fallback,
      reason: primary.failure.message,
    });
    const second = await this.attempt(fallback, payload, "fallback", read);
    if (second.kind === "answer") return second.result;
    return { ok: false, error: `${primary.failure.message} (fallback also failed: ${second.failure.message})` };
  }

  /**
   * The tool names the server offers (method `list_tools`), or null when it could not be asked.
   * Accepts a result that is an array of names, of `{name, …}` objects, or an object holding such an array under `tools`.
   */
  async listTools(): Promise<string[] | null> {
    const answer = await this.call<unknown>("list_tools");
    if (!answer.ok) return null;
    const raw = answer.result;
    const list: unknown = Array.isArray(raw) ? raw : (raw as { tools?: unknown } | null)?.tools;
    if (!Array.isArray(list)) return null;
    return list.flatMap((item: unknown) => {
      if (typeof item === "string") return [item];
      const name = (item as { name?: unknown } | null)?.name;
      return typeof name === "string" ? [name] : [];
    });
  }

  /** Runs one tool (the tool name is the JSON-RPC method, as gaia-mcp serves them). Never throws. */
  async run(tool: string, params: Record<string, unknown> = {}): Promise<McpToolRun> {
    const started = performance.now();
    const answer = await this.call(tool, params);
    const executionMs = Math.round(performance.now() - started);
    if (answer.ok) return { ok: true, output: answer.result, executionMs };
    const needsApproval = answer.code === MCP_APPROVAL_REQUIRED || answer.httpStatus === 403;
    return { ok: false, error: answer.error, executionMs, ...(needsApproval ? { needsApproval } : {}) };
  }

  private async attempt(
    url: string,
    payload: string,
    servedBy: "primary" | "fallback",
    read: Interpret,
  ): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: payload,
        signal: controller.signal,
      });
      const text = await response.text();
      return { kind: "answer", result: read(response.status, text, servedBy) };
    } catch (error) {
      const message = controller.signal.aborted
        ? `MCP ${url} timed out after ${this.timeoutMs} ms`
        : `MCP ${url} unreachable: ${describeError(error)}`;
      return { kind: "transport", failure: { message } };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Reads a JSON-RPC envelope out of an HTTP answer; any status is an answer (no failover), errors keep their code. */
function interpret(status: number, text: string, servedBy: "primary" | "fallback"): McpResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: `HTTP ${status}: not a JSON-RPC response (${text.slice(0, 200)})`, httpStatus: status };
  }
  const envelope = (typeof body === "object" && body !== null ? body : {}) as {
    result?: unknown;
    error?: JsonRpcErrorBody;
  };
  const httpStatus = status < 200 || status >= 300 ? { httpStatus: status } : {};
  if (envelope.error !== undefined && envelope.error !== null) {
    const code = typeof envelope.error.code === "number" ? envelope.error.code : undefined;
    const message =
      typeof envelope.error.message === "string" ? envelope.error.message : JSON.stringify(envelope.error);
    return code === undefined
      ? { ok: false, error: message, ...httpStatus }
      : { ok: false, error: message, code, ...httpStatus };
  }
  if (status < 200 || status >= 300)
    return { ok: false, error: `HTTP ${status}: ${text.slice(0, 200)}`, httpStatus: status };
  if (!("result" in envelope)) return { ok: false, error: "JSON-RPC response has neither result nor error" };
  return { ok: true, result: envelope.result, servedBy };
}

/** Reads gaia-mcp's `/request_approval` answer (plain JSON, not a JSON-RPC envelope). */
function interpretApproval(status: number, text: string, servedBy: "primary" | "fallback"): McpResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: `HTTP ${status}: not JSON (${text.slice(0, 200)})`, httpStatus: status };
  }
  const answer = (typeof body === "object" && body !== null ? body : {}) as Partial<McpApprovalRequest>;
  if (status < 200 || status >= 300 || typeof answer.action_id !== "string")
    return { ok: false, error: `HTTP ${status}: no approval request (${text.slice(0, 200)})`, httpStatus: status };
  const { action_id, challenge, proposal } = answer;
  return { ok: true, result: { action_id, challenge: String(challenge ?? ""), proposal: proposal ?? null }, servedBy };
}
