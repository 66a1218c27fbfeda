import type { Logger } from "../../../shared/logging/logger.js";
import {
  type InjectedToolResult,
  type ReflectionLine,
  reflection,
  type ToolRoutingRecord,
} from "./ToolRoutingRecord.js";
import type { ToolRun, ToolRunner } from "./ToolRunner.js";

/** What running the chosen tool added to the packet. */
export type Execution = Pick<ToolRoutingRecord, "tool_calls" | "injected"> & {
  state: Pick<ToolRoutingRecord["state"], "execution_status" | "execution_result">;
  reflection: ReflectionLine;
};

function asText(output: unknown): string {
  return typeof output === "string" ? output : (JSON.stringify(output ?? null) ?? "null");
}

/**
 * Runs the tool through the MCP client (with its failover). A tool gaia-mcp guards is not run: its call goes to
 * `/request_approval` and the packet says `awaiting_approval`. A failure of any kind is a result, never a throw.
 */
export async function executeTool(
  runner: ToolRunner,
  tool: string,
  params: Record<string, unknown>,
  logger?: Logger,
): Promise<Execution> {
  const run = await runner.run(tool, params);
  logger?.info({ tool, ok: run.ok, needs_approval: run.needsApproval ?? false, ms: run.executionMs }, "tool call");
  if (run.needsApproval) return awaitApproval(runner, tool, params, run);
  const executionMs = Math.round(run.executionMs);
  const status = run.ok ? "executed" : "failed";
  const injected: InjectedToolResult = run.ok
    ? { tool, status, text: asText(run.output), output: run.output ?? null }
    : { tool, status, text: run.error ?? "unknown error", output: { error: run.error ?? "unknown error" } };
  return {
    state: {
      execution_status: status,
      execution_result: {
        success: run.ok,
        output: run.ok ? (run.output ?? null) : null,
        error: run.ok ? null : (run.error ?? "unknown error"),
        execution_time_ms: executionMs,
      },
    },
    tool_calls: [{ name: tool, args: params, dry_run: false }],
    injected,
    reflection: reflection(
      "tool_execution",
      run.ok ? `${tool} executed in ${executionMs} ms` : `${tool} failed after ${executionMs} ms: ${run.error}`,
    ),
  };
}

/** gaia-mcp refused the guarded tool: ask it to hold the call for a human, and report what the approval needs. */
async function awaitApproval(
  runner: ToolRunner,
  tool: string,
  params: Record<string, unknown>,
  refused: ToolRun,
): Promise<Execution> {
  const approval = await runner.requestApproval(tool, params);
  const executionMs = Math.round(refused.executionMs);
  if (!approval.ok) {
    const error = `${tool} requires approval, and requesting it failed: ${approval.error}`;
    return {
      state: {
        execution_status: "failed",
        execution_result: { success: false, output: null, error, execution_time_ms: executionMs },
      },
      tool_calls: [],
      injected: { tool, status: "failed", text: error, output: { error } },
      reflection: reflection("tool_approval", error),
    };
  }
  const { action_id, challenge, proposal } = approval.result;
  const output = { pending_approval: true, action_id, challenge, proposal, tool_name: tool };
  const error = `'${tool}' requires approval. Challenge: ${challenge}`;
  return {
    state: {
      execution_status: "awaiting_approval",
      execution_result: { success: false, output, error, execution_time_ms: executionMs },
    },
    tool_calls: [],
    injected: { tool, status: "awaiting_approval", text: `not executed; approval ${action_id} pending`, output },
    reflection: reflection(
      "tool_approval",
      `${tool} is guarded: not executed; approval requested (action ${action_id})`,
    ),
  };
}
