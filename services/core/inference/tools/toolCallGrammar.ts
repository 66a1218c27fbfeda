import { jsonSchemaRules } from "../grammar/jsonSchemaGrammar.js";
import type { ToolDefinition } from "../InferenceEngine.js";
import type { ToolCallSyntax } from "./ToolCallSyntax.js";

/** Most calls one answer may make when parallel calls are allowed. */
export const MAX_PARALLEL_CALLS = 8;

/** A GBNF string literal. */
export function gbnfLiteral(text: string): string {
  const escaped = [...text]
    .map((char) => {
      if (char === '"' || char === "\\") return `\\${char}`;
      if (char === "\n") return "\\n";
      if (char === "\r") return "\\r";
      if (char === "\t") return "\\t";
      const code = char.codePointAt(0) ?? 0;
      return code < 0x20 ? `\\x${code.toString(16).padStart(2, "0")}` : char;
    })
    .join("");
  return `"${escaped}"`;
}

/**
 * The grammar for what the model writes after the first call's prefix: one call (or up to {@link MAX_PARALLEL_CALLS}
 * with `parallel`), each naming one of `tools` with arguments that match its `parameters` schema, in the model's own
 * tool-call syntax. Throws UnsupportedSchemaError (with the path inside the schema) for a schema no grammar can express.
 */
export function toolCallGrammar(syntax: ToolCallSyntax, tools: readonly ToolDefinition[], parallel: boolean): string {
  const rules: string[] = [];
  const alternatives = tools.map((tool, i) => {
    const args = jsonSchemaRules(tool.parameters, `t${i}-`);
    rules.push(...args.rules);
    const rule = `tool-${i}`;
    rules.push(
      `${rule} ::= ${gbnfLiteral(tool.name + syntax.paramsPrefix(tool.name))} ${args.root} ${gbnfLiteral(syntax.suffix(tool.name))}`,
    );
    return rule;
  });
  const call = `call ::= ${alternatives.join(" | ")}`;
  const root = parallel
    ? `root ::= call (${gbnfLiteral(syntax.betweenCalls + syntax.prefix)} call){0,${MAX_PARALLEL_CALLS - 1}}`
    : "root ::= call";
  return [root, call, ...rules].join("\n");
}
