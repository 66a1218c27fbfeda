import type { ToolCallSyntax } from "./ToolCallSyntax.js";

/** A tool call read back from the model's text: the name and the arguments exactly as written (JSON). */
export interface ParsedToolCall {
  name: string;
  argumentsText: string;
}

/** What the parser saw in a piece of text: a call begins (its name is known), or more of its arguments were written. */
export type ToolCallEvent =
  | { type: "start"; index: number; name: string }
  | { type: "arguments"; index: number; text: string };

type Mode = "name" | "arguments" | "suffix" | "between";

/**
 * Reads tool calls out of text written under the tool-call grammar, as it streams: `name paramsPrefix {arguments}
 * suffix`, repeated with `betweenCalls prefix` between calls (the first prefix is already in the prompt). The grammar
 * guarantees the shape, so the parser only tracks where it is; a call cut off before its suffix (max tokens, time
 * budget) is not returned.
 */
export class ToolCallParser {
  private mode: Mode = "name";
  private buffer = "";
  private readonly calls: ParsedToolCall[] = [];
  private current: ParsedToolCall | null = null;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(
    private readonly syntax: ToolCallSyntax,
    private readonly names: readonly string[],
  ) {}

  /** Feeds text; returns what it completed. */
  push(text: string): ToolCallEvent[] {
    this.buffer += text;
    const events: ToolCallEvent[] = [];
    for (let progressed = true; progressed && this.buffer.length > 0; ) progressed = this.step(events);
    return events;
  }

  /** The calls whose text was complete. */
  finish(): ParsedToolCall[] {
    return [...this.calls];
  }

  private step(events: ToolCallEvent[]): boolean {
    if (this.mode === "name") return this.readName(events);
    if (this.mode === "arguments") return this.readArguments(events);
    if (this.mode === "suffix") return this.skip(this.syntax.suffix(this.current?.name ?? ""), "between", true);
    return this.skip(this.syntax.betweenCalls + this.syntax.prefix, "name", false);
  }

  private readName(events: ToolCallEvent[]): boolean {
    // the longest name first: "get" and "get_weather" are told apart by what follows the name
    const name = [...this.names]
      .sort((a, b) => b.length - a.length)
      .find((n) => this.buffer.startsWith(n + this.syntax.paramsPrefix(n)));
    if (name === undefined) return false;
    this.buffer = this.buffer.slice(name.length + this.syntax.paramsPrefix(name).length);
    this.current = { name, argumentsText: "" };
    Object.assign(this, { mode: "arguments", depth: 0, inString: false, escaped: false });
    events.push({ type: "start", index: this.calls.length, name });
    return true;
  }

  /** Follows the arguments' JSON object to its closing brace, passing its text on as it comes. */
  private readArguments(events: ToolCallEvent[]): boolean {
    const call = this.current;
    if (!call) return false;
    let end = 0;
    let complete = false;
    for (; end < this.buffer.length && !complete; end++) {
      const char = this.buffer[end];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (char === "\\") this.escaped = true;
        else if (char === '"') this.inString = false;
      } else if (char === '"') this.inString = true;
      else if (char === "{" || char === "[") this.depth++;
      else if (char === "}" || char === "]") complete = --this.depth === 0;
    }
    const text = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end);
    call.argumentsText += text;
    if (text) events.push({ type: "arguments", index: this.calls.length, text });
    if (complete) this.mode = "suffix";
    return complete;
  }

  /** Consumes a literal the grammar wrote; `closesCall` records the call once its suffix is complete. */
  private skip(literal: string, next: Mode, closesCall: boolean): boolean {
    if (this.buffer.length < literal.length) return false;
    this.buffer = this.buffer.slice(literal.length);
    if (closesCall && this.current) {
      this.calls.push(this.current);
      this.current = null;
    }
    this.mode = next;
    return true;
  }
}
