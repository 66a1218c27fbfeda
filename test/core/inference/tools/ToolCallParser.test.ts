import { describe, expect, it } from "@jest/globals";
import { ChatMLChatWrapper, QwenChatWrapper } from "node-llama-cpp";
import { type ToolCallEvent, ToolCallParser } from "../../../../services/core/inference/tools/ToolCallParser.js";
import { toolCallSyntaxOf } from "../../../../services/core/inference/tools/ToolCallSyntax.js";

const NAMES = ["get", "get_weather", "set_alarm"];

/** What the grammar makes a model write after the first call's prefix, for these calls. */
function written(syntax: ReturnType<typeof toolCallSyntaxOf>, calls: Array<[string, string]>): string {
  return calls
    .map(
      ([name, args], i) =>
        `${i > 0 ? syntax.betweenCalls + syntax.prefix : ""}${name}${syntax.paramsPrefix(name)}${args}${syntax.suffix(name)}`,
    )
    .join("");
}

const CALLS: Array<[string, string]> = [
  ["get_weather", '{"location":"Paris, \\"FR\\"","unit":"celsius"}'],
  ["get", "{}"],
  ["set_alarm", '{"hour":7,"days":["mon",{"nested":[1,{"x":"}"}]}]}'],
];

describe("ToolCallParser", () => {
  for (const [label, wrapper] of [
    ["Qwen", new QwenChatWrapper()],
    ["ChatML (generic ||call: syntax)", new ChatMLChatWrapper()],
  ] as const) {
    it(`reads parallel calls back in ${label}'s syntax, however the text is chunked`, () => {
      const syntax = toolCallSyntaxOf(wrapper);
      const text = written(syntax, CALLS);
      for (const size of [1, 2, 3, 7, text.length]) {
        const parser = new ToolCallParser(syntax, NAMES);
        const events: ToolCallEvent[] = [];
        for (let at = 0; at < text.length; at += size) events.push(...parser.push(text.slice(at, at + size)));
        expect(parser.finish()).toEqual(CALLS.map(([name, argumentsText]) => ({ name, argumentsText })));
        // a start event per call, in order, and the argument fragments add up to each call's arguments
        expect(events.filter((e) => e.type === "start").map((e) => (e.type === "start" ? e.name : ""))).toEqual(
          CALLS.map(([name]) => name),
        );
        CALLS.forEach(([, args], index) => {
          const fragments = events.filter((e) => e.type === "arguments" && e.index === index);
          expect(fragments.map((e) => (e.type === "arguments" ? e.text : "")).join("")).toBe(args);
        });
      }
    });
  }

  it("returns no call whose text was cut before its suffix", () => {
    const syntax = toolCallSyntaxOf(new QwenChatWrapper());
    const text = written(syntax, CALLS.slice(0, 2));
    const parser = new ToolCallParser(syntax, NAMES);
    parser.push(text.slice(0, -3));
    expect(parser.finish().map((c) => c.name)).toEqual(["get_weather"]);
  });

  it("takes the trigger from the first word of the call prefix", () => {
    expect(toolCallSyntaxOf(new QwenChatWrapper()).trigger).toBe("<tool_call>");
    expect(toolCallSyntaxOf(new ChatMLChatWrapper()).trigger).toBe("||call:");
  });
});
