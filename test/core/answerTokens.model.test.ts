// A session's next turn never evaluates its previous answer again: the engine returns the tokens it generated, and a
// prompt that carries them (as a stored turn does) reuses the KV cache to the end of that answer, even where the answer's
// text tokenizes to other tokens. Real LiteModel on the bundled random-weight GGUF (its answers often do not re-tokenize
// to the tokens generated; the bigram model's always do); no next-turn preparation runs here.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { PromptMessage } from "../../services/core/inference/InferenceEngine.js";
import { LiteModel } from "../../services/core/inference/LiteModel.js";
import { TINY_TEST_MODEL } from "../support/processes.js";

const SYSTEM: PromptMessage = { role: "system", content: "You are GAIA, a helpful assistant." };

describe("answer tokens kept across a session's turns", () => {
  let model: LiteModel;
  beforeAll(async () => {
    model = await LiteModel.load({
      modelPath: TINY_TEST_MODEL,
      threads: 1,
      contextSize: 1024,
      parallel: 2,
      queueSize: 4,
    });
  });
  afterAll(async () => {
    await model.dispose();
  });

  const turn = (sessionKey: string, messages: PromptMessage[], seed: number) =>
    model.generate({ sessionKey, messages, maxTokens: 48, temperature: 0.9, seed });

  /** A first answer whose text does not tokenize back to the tokens generated (the case text history gets wrong). */
  async function answerThatRetokenizesDifferently(sessionKey: string) {
    for (let seed = 1; seed <= 40; seed++) {
      const user: PromptMessage = { role: "user", content: `Tell me about the weather, please (${seed})` };
      const first = await turn(sessionKey, [SYSTEM, user], seed);
      const ids = first.answerTokens?.ids ?? [];
      expect(ids.length).toBeGreaterThan(0);
      const retokenized = model.inspector.tokenizeText(first.text, { addSpecial: false, parseSpecial: false });
      if (JSON.stringify(retokenized) !== JSON.stringify(ids)) return { user, first };
    }
    throw new Error("every answer re-tokenized to its own tokens: the test proves nothing on this model");
  }

  it("returns the generated tokens with the answer, exactly its text, named by the model's tokenizer", async () => {
    const first = await turn("t-tokens", [SYSTEM, { role: "user", content: "Hello there" }], 3);
    expect(first.answerTokens?.tokenizer).toBe(model.tokenizerId);
    expect(model.inspector.detokenize(first.answerTokens?.ids ?? [])).toBe(first.text);
    // the meter also counts a token that ended the answer (end of turn) without being part of it
    expect(first.answerTokens?.ids.length).toBeGreaterThanOrEqual(first.completionTokens - 1);
    expect(first.answerTokens?.ids.length).toBeLessThanOrEqual(first.completionTokens);
  });

  it("turn 2 sent right away evaluates only the new message, where the text history would re-read the answer", async () => {
    const { user, first } = await answerThatRetokenizesDifferently("t-warm");
    const next: PromptMessage = { role: "user", content: "And tomorrow?" };
    const withTokens: PromptMessage = { role: "assistant", content: first.text, tokens: first.answerTokens! };
    const second = await turn("t-warm", [SYSTEM, user, withTokens, next], 7);
    // every prompt token of turn 1 and every answer token it evaluated (all but a max_tokens stop's last) is reused
    const answerIds = first.answerTokens?.ids.length ?? 0;
    const evaluatedAnswer = first.stopReason === "max_tokens" ? answerIds - 1 : answerIds;
    expect(second.reusedPromptTokens).toBeGreaterThanOrEqual(first.promptTokens + evaluatedAnswer);
    const newTurnTokens = second.promptTokens - first.promptTokens - answerIds;
    expect(second.promptTokens - second.reusedPromptTokens).toBeLessThanOrEqual(newTurnTokens + 1);

    // the same history as text, on a session that holds the same turn 1: the answer is evaluated again
    await turn("t-text", [SYSTEM, user], first.completionTokens === 0 ? 1 : 0); // takes the other slot
    const textOnly = await turn("t-warm", [SYSTEM, user, { role: "assistant", content: first.text }, next], 7);
    expect(textOnly.reusedPromptTokens).toBeLessThan(first.promptTokens + evaluatedAnswer);
  });

  it("answers the same from the kept tokens on a warm slot and on a cold one (the candidate's case)", async () => {
    const { user, first } = await answerThatRetokenizesDifferently("t-same");
    const history: PromptMessage[] = [
      SYSTEM,
      user,
      { role: "assistant", content: first.text, tokens: first.answerTokens! },
      { role: "user", content: "Why?" },
    ];
    const warm = await turn("t-same", history, 11);
    await using cold = await LiteModel.load({
      modelPath: TINY_TEST_MODEL,
      threads: 1,
      contextSize: 1024,
      parallel: 1,
      queueSize: 1,
    });
    const fresh = await cold.generate({
      sessionKey: "t-same",
      messages: history,
      maxTokens: 48,
      temperature: 0.9,
      seed: 11,
    });
    expect(fresh.reusedPromptTokens).toBe(0);
    expect(fresh.promptTokens).toBe(warm.promptTokens);
    expect(warm.text).not.toBe("");
    expect(fresh.text).toBe(warm.text);
  });

  it("renders from text when the tokens are another tokenizer's", async () => {
    const history: PromptMessage[] = [
      SYSTEM,
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!", tokens: { tokenizer: "another-model", ids: [1, 2, 3] } },
      { role: "user", content: "Bye" },
    ];
    const result = await turn("t-other", history, 1);
    expect(result.promptTokens).toBe(model.countTokens(history));
  });
});
