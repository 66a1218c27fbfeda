import type { McpApprovalRequest, McpResult, McpToolDescription } from "./McpClient.js";

/** Result of running one tool for a packet. */
export interface ToolRun {
  ok: boolean;
  output?: unknown;
  error?: string;
  executionMs: number;
  /** The tool server refused to run the tool without a human's approval. */
  needsApproval?: boolean;
}

/** The MCP tools core can see and run (McpClient, with its failover); absent when MCP_ENDPOINT is not set. */
export interface ToolRunner {
  /** Tool names, or null when no tool server answered. */
  listTools(): Promise<string[] | null>;
  /** A tool's description and params schema, or null when the server could not tell. */
  describeTool(name: string): Promise<McpToolDescription | null>;
  run(tool: string, params: Record<string, unknown>): Promise<ToolRun>;
  /** Asks the server to hold a guarded call for a human's approval. */
  requestApproval(tool: string, params: Record<string, unknown>): Promise<McpResult<McpApprovalRequest>>;
}
