// Hidden reasoning on /v1/chat/completions with a stub engine that splits "<think>" tags across chunks at awkward
// places (the route's own text handling, through the official SDK over real HTTP); the real-engine case with the
// scripted Qwen3-style GGUF is in test/core/qwen3Thoughts.model.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import express from "express";
import OpenAI from "openai";
import { CoreState, type ReadyParts } from "../../../services/core/CoreState.js";
import type { GenerationRequest, InferenceEngine } from "../../../services/core/inference/InferenceEngine.js";
import { chatCompletionsRouter } from "../../../services/core/openai/chatCompletionsRoute.js";
import { openAIErrorMiddleware } from "../../../services/core/openai/openAIErrors.js";
import { createLogger } from "../../../shared/logging/logger.js";
import { chatStreamText } from "../../support/chatStreamText.js";
import { type Listening, listen } from "../../support/listen.js";

const PIECES = ["<th", "ink>\nThe user greets me; ", "be brief.\n</thi", "nk>\n\n", "Hello", " there!"];

const stubEngine: InferenceEngine = {
  contextSize: 512,
  modelName: "stub",
  countTokens: (messages) => messages.reduce((n, m) => n + m.content.split(/\s+/).length, 0) + 3,
  async generate(request: GenerationRequest) {
    for (const piece of PIECES) request.onTextChunk?.(piece);
    return {
      text: PIECES.join(""),
      stopReason: "eos",
      promptTokens: 7,
      reusedPromptTokens: 0,
      completionTokens: PIECES.length,
      queuedMs: 0,
      timeToFirstTokenMs: 1,
      generationMs: 2,
    };
  },
  load: () => ({ active: 0, waiting: 0, capacity: 1, slots: 1 }),
  dispose: async () => undefined,
  countPromptTokens: () => 1,
  complete: () => Promise.reject(new Error("not used by these tests")),
};

let server: Listening;
let client: OpenAI;

beforeAll(async () => {
  const state = new CoreState();
  state.markReady({ engine: stubEngine } as unknown as ReadyParts); // only the engine is read by this route
  const app = express();
  app.use(
    chatCompletionsRouter(
      { state, maxTokensCap: 64, model: "stub", buildId: "b", reasoningFormat: "none" },
      express.json(),
    ),
  );
  app.use(openAIErrorMiddleware(createLogger({ service: "t", level: "silent" }), () => null));
  server = await listen(app);
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
});

describe("reasoning blocks (Qwen3-style <think>)", () => {
  it("keeps the thoughts out of content", async () => {
    const completion = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.choices[0]?.message.content).toBe("Hello there!");
  });

  it("keeps them out of the streamed deltas too, even when a tag is split across chunks", async () => {
    const stream = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello there!");
  });

  it("returns them as reasoning_content with reasoning_format deepseek, whole and streamed", async () => {
    const body = { model: "m", messages: [{ role: "user", content: "hi" }], reasoning_format: "deepseek" };
    const completion = (await client.chat.completions.create(body as never)) as OpenAI.ChatCompletion;
    const message = completion.choices[0]?.message as { content: string; reasoning_content?: string };
    expect(message.content).toBe("Hello there!");
    expect(message.reasoning_content).toBe("The user greets me; be brief.");

    const stream = await client.chat.completions.create({ ...body, stream: true } as never);
    const { content, reasoning } = await chatStreamText(stream);
    expect(content).toBe("Hello there!");
    expect(reasoning.trim()).toBe("The user greets me; be brief.");
  });
});
