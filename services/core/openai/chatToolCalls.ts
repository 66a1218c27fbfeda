import { randomBytes } from "node:crypto";
import type { ParsedToolCall, ToolCallEvent } from "../inference/tools/ToolCallParser.js";

/** An id for a tool call, as OpenAI writes them (`call_` + 24 characters). */
function newCallId(): string {
  return `call_${randomBytes(12).toString("hex")}`;
}

/**
 * The tool calls of one chat completion in OpenAI's shapes: `message.tool_calls` (or the legacy `function_call`) and,
 * streamed, `delta.tool_calls[i]` with index, id, type and name once, then argument fragments. Ids are given per call
 * index, so a stream's ids and the final answer's agree.
 */
export class ChatToolCalls {
  private readonly ids: string[] = [];

  constructor(private readonly legacy: boolean) {}

  /** The stream delta for a parser event. */
  delta(event: ToolCallEvent): Record<string, unknown> {
    if (this.legacy) {
      return event.type === "start"
        ? { function_call: { name: event.name, arguments: "" } }
        : { function_call: { arguments: event.text } };
    }
    const call =
      event.type === "start"
        ? {
            index: event.index,
            id: this.idOf(event.index),
            type: "function",
            function: { name: event.name, arguments: "" },
          }
        : { index: event.index, function: { arguments: event.text } };
    return { tool_calls: [call] };
  }

  /** The message fields for the calls the answer made (none: nothing). */
  messageFields(calls: readonly ParsedToolCall[]): Record<string, unknown> {
    if (calls.length === 0) return {};
    if (this.legacy) {
      const [first] = calls;
      return first ? { function_call: { name: first.name, arguments: first.argumentsText } } : {};
    }
    return {
      tool_calls: calls.map((c, i) => ({
        id: this.idOf(i),
        type: "function",
        function: { name: c.name, arguments: c.argumentsText },
      })),
    };
  }

  /** The finish reason when calls were made: `tool_calls`, or `function_call` for the legacy API. */
  get finishReason(): string {
    return this.legacy ? "function_call" : "tool_calls";
  }

  private idOf(index: number): string {
    this.ids[index] ??= newCallId();
    return this.ids[index];
  }
}
