/** Result of running one tool for a packet. */
export interface ToolRun {
  ok: boolean;
  output?: unknown;
  error?: string;
  executionMs: number;
}

/** The MCP tools core can see and run; absent when MCP_ENDPOINT is not set. */
export interface ToolRunner {
  /** Tool names, or null when no tool server answered. */
  listTools(): Promise<string[] | null>;
  run(tool: string, params: Record<string, unknown>): Promise<ToolRun>;
}
