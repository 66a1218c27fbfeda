import { describe, expect, it } from "@jest/globals";
import { removeHiddenReasoning } from "../../../services/core/text/hiddenReasoning.js";
import { ThinkTagStreamFilter } from "../../../services/core/text/ThinkTagStreamFilter.js";

describe("removeHiddenReasoning (the original's _strip_think_tags_robust, whitespace kept)", () => {
  it.each([
    ["<think>plan</think>Hello", "Hello"],
    ["<thinking>a\nb</thinking>\n\nHi there", "Hi there"],
    ["Answer <think>hidden", "Answer "],
    ["</think>Stray close", "Stray close"],
    ["<THINK>x</THINK>Case", "Case"],
    ["<reflection>r</reflection><analysis>a</analysis>Done", "Done"],
    ["<think>everything hidden</think>", ""],
    ["a < b and <b>bold</b>", "a < b and <b>bold</b>"],
    ["  padded  ", "  padded  "],
  ])("%j → %j", (input, expected) => {
    expect(removeHiddenReasoning(input)).toBe(expected);
  });
});

describe("ThinkTagStreamFilter", () => {
  const run = (chunks: string[]) => {
    const filter = new ThinkTagStreamFilter();
    return chunks.map((c) => filter.push(c)).join("") + filter.end();
  };

  it("drops hidden blocks split across chunks", () => {
    expect(run(["Hel", "lo <th", "ink>sec", "ret</thi", "nk> world"])).toBe("Hello  world");
  });

  it("passes ordinary angle brackets through", () => {
    expect(run(["1 <", " 2 and <b", ">x</b>"])).toBe("1 < 2 and <b>x</b>");
  });

  it("keeps an unclosed block hidden to the end", () => {
    expect(run(["ok <think>never closed"])).toBe("ok ");
  });

  it("drops stray closing tags", () => {
    expect(run(["</think>", "visible"])).toBe("visible");
  });

  it("agrees with removeHiddenReasoning on whole texts", () => {
    for (const text of [
      "<think>a</think>b",
      "x<reasoning>y</reasoning>z",
      "plain text",
      "<scratchpad>s</scratchpad>",
    ]) {
      expect(run([...text])).toBe(removeHiddenReasoning(text));
    }
  });
});
