import { type ChatWrapper, LlamaText } from "node-llama-cpp";

/**
 * How the loaded model writes a tool call, read from node-llama-cpp's chat wrapper for its template (Qwen's
 * `<tool_call>\n{"name": "…", "arguments": …}\n</tool_call>`, Llama 3.x, Functionary, the generic `||call:` syntax):
 * the literal text around a call's name and arguments, so a grammar can force it and a parser can read it back.
 */
export interface ToolCallSyntax {
  /** Text that opens a call, up to its name. */
  prefix: string;
  /** Text between a call's name and its arguments (`{{functionName}}` already replaced). */
  paramsPrefix(name: string): string;
  /** Text that closes a call (`{{functionName}}` already replaced). */
  suffix(name: string): string;
  /** Text between two calls of one answer. */
  betweenCalls: string;
  /** The start of `prefix` that tells, while the model writes freely, that it began a call (`<tool_call>`, `||call:`). */
  trigger: string;
}

const textOf = (value: string | LlamaText | undefined): string =>
  value === undefined ? "" : typeof value === "string" ? value : LlamaText(value).toString();

/** The chat wrapper's tool-call syntax. */
export function toolCallSyntaxOf(wrapper: ChatWrapper): ToolCallSyntax {
  const { call, parallelism } = wrapper.settings.functions;
  const prefix = textOf(call.prefix);
  const paramsPrefix = textOf(call.paramsPrefix);
  const suffix = textOf(call.suffix);
  const trimmed = prefix.trimStart();
  // the first word of the prefix: `<tool_call>` of `<tool_call>\n{"name": "`, `||call:` of `||call: `
  const trigger = /^[^\s{"]+/.exec(trimmed)?.[0] ?? trimmed;
  return {
    prefix,
    paramsPrefix: (name) => paramsPrefix.replaceAll("{{functionName}}", name),
    suffix: (name) => suffix.replaceAll("{{functionName}}", name),
    betweenCalls: textOf(parallelism?.call.betweenCalls),
    trigger,
  };
}
