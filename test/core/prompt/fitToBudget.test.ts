import { describe, expect, it } from "@jest/globals";
import type { PromptMessage } from "../../../services/core/inference/InferenceEngine.js";
import { fitToBudget } from "../../../services/core/prompt/fitToBudget.js";
import type { PromptParts } from "../../../services/core/prompt/PromptParts.js";
import { PromptTooLongError } from "../../../services/core/prompt/PromptTooLongError.js";
import { renderPrompt } from "../../../services/core/prompt/renderPrompt.js";

/** A word counter stands in for the model's tokenizer: the budget logic only needs a monotonic count. */
const words = (messages: readonly PromptMessage[]) =>
  messages.reduce((n, m) => n + m.content.split(/\s+/).filter(Boolean).length + 2, 0);
const turn = (i: number) => ({
  packetId: `p${i}`,
  sessionId: "s",
  at: "",
  user: `question ${i} a b c`,
  assistant: `answer ${i} d e f`,
});
const parts = (over: Partial<PromptParts> = {}): PromptParts => ({
  system: "You are GAIA.",
  history: Array.from({ length: 10 }, (_, i) => turn(i)),
  recalled: [],
  contextBlocks: [],
  userText: "the question",
  ...over,
});

describe("fitToBudget", () => {
  it("keeps everything when it fits", () => {
    const fitted = fitToBudget(parts(), { contextSize: 1000, maxTokens: 100, countTokens: words });
    expect(fitted.parts.history).toHaveLength(10);
    expect(fitted.droppedHistory).toBe(0);
    expect(fitted.promptTokens).toBe(words(fitted.messages));
  });

  it("drops the oldest turns first, never the system message or the user's text", () => {
    const fitted = fitToBudget(parts(), { contextSize: 80, maxTokens: 20, countTokens: words });
    expect(fitted.promptTokens).toBeLessThanOrEqual(60);
    expect(fitted.parts.history.at(-1)!.packetId).toBe("p9");
    expect(fitted.parts.history[0]!.packetId).not.toBe("p0");
    expect(fitted.messages[0]).toEqual({ role: "system", content: "You are GAIA." });
    expect(fitted.messages.at(-1)!.content).toMatch(/the question$/);
    // newest first: whatever is kept is a suffix of the history
    const kept = fitted.parts.history.map((t) => t.packetId);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => `p${10 - kept.length + i}`));
  });

  it("drops recalled turns after the verbatim history, least similar first", () => {
    const recalled = [
      { turn: turn(100), similarity: 0.9 },
      { turn: turn(101), similarity: 0.2 },
    ];
    const full = words(renderPrompt(parts({ history: [], recalled })));
    const fitted = fitToBudget(parts({ recalled }), { contextSize: full - 1 + 10, maxTokens: 10, countTokens: words });
    expect(fitted.parts.history).toHaveLength(0);
    expect(fitted.parts.recalled.map((r) => r.turn.packetId)).toEqual(["p100"]);
  });

  it("rejects with PromptTooLongError when the system message and user's text alone do not fit", () => {
    let error: unknown;
    try {
      fitToBudget(parts({ userText: "w ".repeat(500) }), { contextSize: 200, maxTokens: 50, countTokens: words });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PromptTooLongError);
    expect(error).toMatchObject({ availableTokens: 150, contextSize: 200, maxTokens: 50 });
    expect((error as PromptTooLongError).promptTokens).toBeGreaterThan(150);
    expect(error).not.toHaveProperty("status");
  });

  it("reads stored turn counts and tokenizes O(turns that fit), not the whole session", () => {
    const long = Array.from({ length: 5000 }, (_, i) => ({ ...turn(i), meta: { tokens: 12 } }));
    let counted = 0;
    const counting = (messages: readonly PromptMessage[]) => {
      counted += messages.length;
      return words(messages);
    };
    const fitted = fitToBudget(parts({ history: long }), { contextSize: 300, maxTokens: 20, countTokens: counting });
    expect(fitted.promptTokens).toBeLessThanOrEqual(280);
    expect(fitted.parts.history.at(-1)!.packetId).toBe("p4999");
    // the base prompt and the fitted prompt: messages counted are bounded by what fits, whatever the session holds
    expect(counted).toBeLessThan(4 * (fitted.parts.history.length * 2 + 2));
  });

  it("keeps the window's start while a growing session still fits from it", () => {
    const fitFrom = (n: number) =>
      fitToBudget(parts({ history: Array.from({ length: n }, (_, i) => turn(i)) }), {
        contextSize: 200,
        maxTokens: 20,
        countTokens: words,
      }).parts.history[0]!.packetId;
    const starts = Array.from({ length: 12 }, (_, i) => fitFrom(100 + i));
    // one turn more per packet: the oldest kept turn changes on a few packets, not on every one
    const changes = starts.filter((s, i) => i > 0 && s !== starts[i - 1]).length;
    expect(changes).toBeLessThanOrEqual(starts.length / 2);
  });
});
