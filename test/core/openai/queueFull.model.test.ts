// A core with one slot and no wait queue, no API keys and no embedding model: the SDK's own retry on a full queue,
// and the embeddings route without a model.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import OpenAI from "openai";
import { type Listening, listen } from "../../support/listen.js";
import { startTestCore, type TestCore } from "../../support/testCore.js";

let core: TestCore;
let server: Listening;

beforeAll(async () => {
  core = await startTestCore({ env: { GAIA_PARALLEL: "1", GAIA_QUEUE_SIZE: "0", GAIA_MAX_TOKENS_CAP: "1500" } });
  expect(core.state.status).toBe("ready");
  server = await listen(core.app);
});
afterAll(async () => {
  await server?.close();
  await core?.dispose();
});

describe("a full queue", () => {
  it("answers 503 with Retry-After, and the SDK's own retry waits that long and then succeeds", async () => {
    const busy = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const long = await busy.chat.completions.create({
      model: "gaia",
      messages: [{ role: "user", content: "Write a very long story" }],
      max_tokens: 1500,
      temperature: 1,
      stream: true,
    });
    const iterator = long[Symbol.asyncIterator]();
    await iterator.next(); // the slot is generating now

    const attempts: Array<{ status: number; retryAfter: string | null; sentAt: number; answeredAt: number }> = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const sentAt = performance.now();
      const response = await fetch(input, init);
      attempts.push({
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        sentAt,
        answeredAt: performance.now(),
      });
      if (response.status === 503) long.controller.abort(); // free the slot for the retry
      return response;
    };
    const patient = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 2, fetch: recordingFetch });
    const completion = await patient.chat.completions.create({
      model: "gaia",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 4,
    });
    expect(completion.choices).toHaveLength(1);
    expect(attempts.map((a) => a.status)).toEqual([503, 200]);
    const [first, second] = attempts;
    const retryAfterSeconds = Number(first?.retryAfter);
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // the SDK waited at least what the server asked for before trying again
    expect((second?.sentAt ?? 0) - (first?.answeredAt ?? 0)).toBeGreaterThanOrEqual(retryAfterSeconds * 1000 - 50);
  });

  it("is an OpenAI-shaped 503 naming the cause", async () => {
    const res = await fetch(`${server.url}/v1/models`);
    expect(res.status).toBe(200);
    const busy = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const long = await busy.chat.completions.create({
      model: "gaia",
      messages: [{ role: "user", content: "Write a very long story" }],
      max_tokens: 1500,
      temperature: 1,
      stream: true,
    });
    await long[Symbol.asyncIterator]().next();
    const refused = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "x", messages: [{ role: "user", content: "hi" }] }),
    });
    long.controller.abort();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    const body = (await refused.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: "server_error", code: "queue_full" });
  });
});

describe("POST /v1/embeddings without an embedding model", () => {
  it("is a clear 503 saying the service runs without one", async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const error = await client.embeddings.create({ model: "e", input: "hi" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(503);
    expect(apiError.code).toBe("embedding_model_unavailable");
    expect(apiError.message).toMatch(/without an embedding model/);
  });
});
