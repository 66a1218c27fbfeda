/**
 * The tool half of a chat completion request: `tools` / `tool_choice` / `parallel_tool_calls` (and the legacy
 * `functions` / `function_call`) become the engine's ToolUse, and a conversation's assistant tool calls and tool
 * results become prompt messages the model's template renders. Every client mistake is a 400 naming the field.
 */
import { OpenAIError } from "../../../shared/openai/OpenAIError.js";
import { jsonSchemaRules, UnsupportedSchemaError } from "../inference/grammar/jsonSchemaGrammar.js";
import type { PromptMessage, PromptToolCall, ToolDefinition, ToolUse } from "../inference/InferenceEngine.js";
import { type ChatCompletionRequest, contentText } from "./chatCompletionRequest.js";

const invalid = (param: string, message: string) =>
  new OpenAIError(400, message, "invalid_request_error", param, "invalid_value");

/** True when the request uses the legacy `functions` API: the answer then says `function_call`, not `tool_calls`. */
export function usesLegacyFunctions(request: ChatCompletionRequest): boolean {
  return !request.tools?.length && Boolean(request.functions?.length);
}

/** The offered tools, each checked: arguments an object schema the grammar can express. */
function toolDefinitions(request: ChatCompletionRequest): ToolDefinition[] {
  const legacy = usesLegacyFunctions(request);
  const functions = legacy ? (request.functions ?? []) : (request.tools ?? []).map((t) => t.function);
  const field = legacy ? "functions" : "tools";
  const seen = new Set<string>();
  return functions.map((f, i) => {
    const param = legacy ? `functions[${i}].parameters` : `tools[${i}].function.parameters`;
    if (seen.has(f.name)) throw invalid(`${field}[${i}]`, `Tool names must be unique: "${f.name}" is offered twice.`);
    seen.add(f.name);
    const parameters = f.parameters ?? { type: "object", properties: {} };
    if (parameters.type !== "object")
      throw invalid(param, `${param} must be a JSON Schema of type "object" (a tool's arguments are an object).`);
    try {
      jsonSchemaRules(parameters, "check-");
    } catch (error) {
      if (!(error instanceof UnsupportedSchemaError)) throw error;
      throw invalid(param, `${param}${error.path ? `.${error.path}` : ""}: ${error.message}`);
    }
    return { name: f.name, ...(f.description ? { description: f.description } : {}), parameters };
  });
}

/** What the engine is asked to do with tools; null when none are offered or the choice is `none`. */
export function toolUseOf(request: ChatCompletionRequest): ToolUse | null {
  const tools = toolDefinitions(request);
  const legacy = usesLegacyFunctions(request);
  const raw = legacy ? request.function_call : request.tool_choice;
  const field = legacy ? "function_call" : "tool_choice";
  if (tools.length === 0) {
    if (raw && raw !== "none" && raw !== "auto")
      throw invalid(field, `${field} names a tool, but no tools are offered.`);
    return null;
  }
  if (raw === "none") return null;
  const named = typeof raw === "object" && raw !== null ? choiceName(raw) : null;
  if (named !== null && !tools.some((t) => t.name === named))
    throw invalid(field, `${field} names "${named}", which is not among the offered tools.`);
  return {
    tools,
    choice: named !== null ? { name: named } : raw === "required" ? "required" : "auto",
    // a legacy request makes one call, as OpenAI's functions API did
    parallel: !legacy && request.parallel_tool_calls !== false,
  };
}

/** The tool a choice object names: `{type: "function", function: {name}}`, or legacy `{name}`. */
function choiceName(choice: object): string {
  const named = choice as { function?: { name?: unknown }; name?: unknown };
  return String(named.function?.name ?? named.name ?? "");
}

function parsedArguments(text: string, param: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(param, `${param} is not valid JSON.`);
  }
}

/** The conversation as prompt messages; tool results must answer a call made earlier in it. */
export function promptMessagesOf(request: ChatCompletionRequest): PromptMessage[] {
  const calls = new Map<string, PromptToolCall>();
  let legacyCalls = 0;
  return request.messages.map((m, i): PromptMessage => {
    if (m.role === "assistant") {
      const toolCalls = (m.tool_calls ?? []).map((c, j) => {
        const call = {
          id: c.id,
          name: c.function.name,
          arguments: parsedArguments(c.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`),
        };
        calls.set(c.id, call);
        return call;
      });
      if (m.function_call) {
        const id = `legacy-${legacyCalls++}`;
        const args = parsedArguments(m.function_call.arguments, `messages[${i}].function_call.arguments`);
        const call = { id, name: m.function_call.name, arguments: args };
        calls.set(id, call);
        toolCalls.push(call);
      }
      return { role: "assistant", content: contentText(m.content), ...(toolCalls.length ? { toolCalls } : {}) };
    }
    if (m.role === "tool") {
      if (!calls.has(m.tool_call_id))
        throw invalid(`messages[${i}].tool_call_id`, `No earlier assistant tool call has the id "${m.tool_call_id}".`);
      return { role: "tool", content: contentText(m.content), toolCallId: m.tool_call_id };
    }
    if (m.role === "function") {
      const call = [...calls.values()].reverse().find((c) => c.name === m.name && c.id.startsWith("legacy-"));
      if (!call) throw invalid(`messages[${i}].name`, `No earlier assistant function_call is named "${m.name}".`);
      return { role: "tool", content: contentText(m.content), toolCallId: call.id };
    }
    return { role: m.role === "developer" ? "system" : m.role, content: contentText(m.content) };
  });
}
