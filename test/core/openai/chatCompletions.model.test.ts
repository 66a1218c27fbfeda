// The OpenAI-compatible API of a real core (real app over HTTP, real bundled GGUF), driven by the official openai SDK.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Ajv } from "ajv";
import OpenAI from "openai";
import { loadCoreConfig } from "../../../services/core/config.js";
import { type Core, createCore } from "../../../services/core/createCore.js";
import { modelId } from "../../../services/core/openai/modelId.js";
import { createLogger } from "../../../shared/logging/logger.js";
import { abortedChatStream } from "../../support/abortedChatStream.js";
import { type Listening, listen } from "../../support/listen.js";
import { BUNDLED_EMBED_MODEL_DIR, BUNDLED_LITE_MODEL, TINY_TEST_MODEL, tempDir } from "../../support/processes.js";
import { waitFor } from "../../support/waitFor.js";

const KEY = "sk-test-alpha-0123456789";
const OTHER_KEY = "sk-test-beta-9876543210";

let core: Core;
let server: Listening;
let client: OpenAI;
const logText: string[] = [];

function logLines(): Array<Record<string, unknown>> {
  return logText.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

const until = (condition: () => boolean) => waitFor("the condition", condition);

/** Completion tokens and cancelled turns so far, from the core's own /metrics (the same counters as packets). */
async function metricSum(url = server.url): Promise<{ completion: number; cancelled: number }> {
  const text = await (await fetch(`${url}/metrics`, { headers: { "x-api-key": KEY } })).text();
  const sum = (pattern: RegExp) =>
    text
      .split("\n")
      .filter((line) => pattern.test(line))
      .reduce((total, line) => total + Number(line.split(" ").at(-1)), 0);
  return {
    completion: sum(/^gaia_core_tokens_total\{direction="completion"\}/),
    cancelled: sum(/^gaia_core_turns_total\{[^}]*stop="cancelled"/),
  };
}

/** A core on `model` with this file's keys and settings, logging into {@link logText}. */
async function startCore(model: string): Promise<{ core: Core; server: Listening }> {
  const config = loadCoreConfig({
    GAIA_SHARED_DIR: tempDir("gaia-openai-test-"),
    GAIA_LITE_MODEL: model,
    GAIA_EMBED_MODEL_DIR: BUNDLED_EMBED_MODEL_DIR,
    GAIA_THREADS: "1",
    GAIA_CONTEXT_SIZE: "2048",
    GAIA_MAX_TOKENS_CAP: "1500",
    GAIA_PARALLEL: "2",
    GAIA_API_KEYS: `${KEY},${OTHER_KEY}`,
  });
  const logger = createLogger({
    service: "gaia-core-test",
    level: "debug",
    destination: { write: (line: string) => void logText.push(line) },
  });
  const started = createCore(config, logger);
  await started.started;
  expect(started.state.status).toBe("ready");
  return { core: started, server: await listen(started.app) };
}

beforeAll(async () => {
  ({ core, server } = await startCore(BUNDLED_LITE_MODEL));
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
  await core?.dispose();
});

describe("POST /v1/chat/completions with the openai SDK", () => {
  it("answers a chat completion with real token counts", async () => {
    const completion = await client.chat.completions.create({
      model: "anything",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: [{ type: "text", text: "Hello" }] },
      ],
      max_tokens: 8,
      temperature: 0,
      seed: 1,
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe(modelId(BUNDLED_LITE_MODEL));
    expect(completion.choices).toHaveLength(1);
    const [choice] = completion.choices;
    expect(choice?.message.role).toBe("assistant");
    expect(typeof choice?.message.content).toBe("string");
    expect(["stop", "length"]).toContain(choice?.finish_reason);
    const usage = completion.usage;
    expect(usage?.prompt_tokens).toBeGreaterThan(5);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeLessThanOrEqual(8);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    if (choice?.finish_reason === "length") expect(usage?.completion_tokens).toBe(8);
  });

  it("streams chunks, then the finish reason, then usage, and ends with [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: "gaia",
      messages: [{ role: "user", content: "Tell me a story" }],
      max_tokens: 12,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage?.completion_tokens).toBeGreaterThan(0);
    const finishChunk = chunks.at(-2);
    expect(["stop", "length"]).toContain(finishChunk?.choices[0]?.finish_reason);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text.length).toBeGreaterThan(0);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);

    // the raw wire format: SSE events and the closing [DONE]
    const raw = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "x", messages: [{ role: "user", content: "hi" }], max_tokens: 3, stream: true }),
    });
    expect(raw.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const body = await raw.text();
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(
      body
        .split("\n\n")
        .filter(Boolean)
        .every((e) => e.startsWith("data: ")),
    ).toBe(true);
  });

  it("enforces response_format json_schema with a grammar: the content parses and matches the schema", async () => {
    const completion = await client.chat.completions.create({
      model: "gaia",
      messages: [{ role: "user", content: "Answer in JSON" }],
      max_tokens: 200,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "verdict",
          strict: true,
          schema: {
            type: "object",
            properties: { answer: { enum: ["yes", "no"] }, sure: { type: "boolean" } },
            required: ["answer", "sure"],
            additionalProperties: false,
          },
        },
      },
    });
    const parsed = JSON.parse(completion.choices[0]?.message.content ?? "") as Record<string, unknown>;
    expect(["yes", "no"]).toContain(parsed.answer);
    expect(typeof parsed.sure).toBe("boolean");
    expect(Object.keys(parsed).sort()).toEqual(["answer", "sure"]);
  });

  it("enforces numeric ranges of a json_schema (node-llama-cpp's own schema grammar has none), over seeds", async () => {
    const schema = {
      type: "object",
      properties: {
        month: { type: "integer", minimum: 1, maximum: 12 },
        delta: { type: "integer", minimum: -40, maximum: -3 },
        ratio: { type: "number", minimum: 0, maximum: 1 },
      },
      required: ["month", "delta", "ratio"],
      additionalProperties: false,
    };
    const validate = new Ajv({ strict: false }).compile(schema);
    for (let seed = 1; seed <= 6; seed++) {
      const completion = await client.chat.completions.create({
        model: "gaia",
        messages: [{ role: "user", content: "Numbers, please" }],
        max_tokens: 200,
        seed,
        temperature: 1.5,
        response_format: { type: "json_schema", json_schema: { name: "numbers", schema } },
      });
      const content = completion.choices[0]?.message.content ?? "";
      expect(validate(JSON.parse(content))).toBe(true);
    }
  });

  it("enforces response_format json_object", async () => {
    const completion = await client.chat.completions.create({
      model: "gaia",
      messages: [{ role: "user", content: "JSON please" }],
      max_tokens: 300,
      seed: 1, // with this seed the bundled model closes the object within max_tokens: the answer is whole JSON
      response_format: { type: "json_object" },
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe("stop");
    expect(() => JSON.parse(choice?.message.content ?? "")).not.toThrow();
    expect(choice?.message.content?.trimStart().startsWith("{")).toBe(true);
  });

  it("serves a conversation's next turn from the slot that holds its prefix, even when another slot is older", async () => {
    const conversation = (topic: string): OpenAI.ChatCompletionMessageParam[] => [
      { role: "system", content: `You are an expert on ${topic}. ${"Answer carefully and in detail. ".repeat(6)}` },
      { role: "user", content: `Tell me about ${topic}.` },
    ];
    const ask = (messages: OpenAI.ChatCompletionMessageParam[]) =>
      client.chat.completions.create({ model: "gaia", messages, max_tokens: 6, temperature: 0 });
    const a = conversation("rivers");
    const b = conversation("mountains");
    await ask(a); // slot 1
    const b1 = await ask(b); // slot 2; slot 1 is now the least recently used
    const b2 = await ask([
      ...b,
      { role: "assistant", content: b1.choices[0]?.message.content ?? "" },
      { role: "user", content: "And then?" },
    ]);
    const cached = b2.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    // the whole first prompt of b is in its slot (the generation prompt's last token may merge with the answer)
    expect(cached).toBeGreaterThanOrEqual((b1.usage?.prompt_tokens ?? 0) - 2);
  });

  it("stops at a stop sequence with finish_reason stop (greedy decoding gives the same text again, so the cut is known)", async () => {
    const ask = (stop?: string[]) =>
      client.chat.completions.create({
        model: "gaia",
        messages: [{ role: "user", content: "Count to ten" }],
        max_tokens: 40,
        temperature: 0,
        seed: 3,
        ...(stop ? { stop } : {}),
      });
    const full = (await ask()).choices[0]?.message.content ?? "";
    expect(full.length).toBeGreaterThan(12);
    const stop = full.slice(8, 11);
    const cut = await ask([stop]);
    expect(cut.choices[0]?.finish_reason).toBe("stop");
    expect(cut.choices[0]?.message.content).toBe(full.slice(0, full.indexOf(stop)).trim());
  });

  it("refuses what it cannot honour with a BadRequestError naming the field", async () => {
    const refused = async (body: Record<string, unknown>) => {
      const error = await client.chat.completions
        .create({ model: "gaia", messages: [{ role: "user", content: "hi" }], ...body } as never)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      return error as InstanceType<typeof OpenAI.BadRequestError>;
    };
    expect((await refused({ n: 2 })).param).toBe("n");
    // a tool whose arguments are not an object schema (tool calling itself is tested in toolCalls.model.test.ts)
    expect(
      (await refused({ tools: [{ type: "function", function: { name: "f", parameters: { type: "string" } } }] })).param,
    ).toBe("tools[0].function.parameters");
    const image = await refused({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          ],
        },
      ],
    });
    expect(image.param).toBe("messages[0].content[1].type");
    expect(image.message).toMatch(/image_url/);
    // bounds: the same rule as packets
    expect((await refused({ max_tokens: 0 })).param).toBe("max_tokens");
    expect((await refused({ max_completion_tokens: -5 })).param).toBe("max_completion_tokens");
    expect((await refused({ temperature: -0.1 })).param).toBe("temperature");
    expect((await refused({ top_p: 0 })).param).toBe("top_p");
    expect((await refused({ top_p: 1.5 })).param).toBe("top_p");
    const tooLong = await refused({ max_tokens: 100_000 });
    expect(tooLong.code).toBe("context_length_exceeded");
    const body = (tooLong.error ?? {}) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["code", "message", "param", "type"]);
    expect(body.type).toBe("invalid_request_error");
  });

  it("answers invalid JSON and unknown /v1 paths in OpenAI's error shape", async () => {
    const bad = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    const missing = await fetch(`${server.url}/v1/nothing`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { type: string } }).error.type).toBe("not_found_error");
  });
});

// the bigram model may end its answer before the client aborts; the random-weight one practically never ends by itself
describe("a stream the client aborts, on a model that does not stop by itself", () => {
  let long: { core: Core; server: Listening };
  let longClient: OpenAI;
  beforeAll(async () => {
    long = await startCore(TINY_TEST_MODEL);
    longClient = new OpenAI({ baseURL: `${long.server.url}/v1`, apiKey: KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await long?.server.close();
    await long?.core.dispose();
  });

  it("stops generating when the client aborts mid-stream", async () => {
    const before = await metricSum(long.server.url);
    await abortedChatStream(longClient);
    await until(() => long.core.state.parts?.engine.load().active === 0);
    const after = await metricSum(long.server.url);
    expect(after.cancelled - before.cancelled).toBe(1);
    expect(after.completion - before.completion).toBeLessThan(1500);
    expect(logLines().some((l) => l.path === "/v1/chat/completions" && l.aborted === true)).toBe(true);
  });
});

describe("GET /v1/models and POST /v1/embeddings", () => {
  it("lists the loaded model with its context size", async () => {
    const models = await client.models.list();
    expect(models.data).toHaveLength(1);
    const model = models.data[0] as OpenAI.Model & { context_size?: number };
    expect(model.id).toBe(modelId(BUNDLED_LITE_MODEL));
    expect(model.context_size).toBe(core.state.parts?.engine.contextSize);
  });

  it("embeds text with the embedding model (the SDK's default base64 and plain floats)", async () => {
    const viaSdk = await client.embeddings.create({ model: "embed", input: ["hello there", "general kenobi"] });
    expect(viaSdk.data).toHaveLength(2);
    expect(viaSdk.data[0]?.embedding).toHaveLength(core.state.parts?.embedder?.dim ?? -1);
    const norm = Math.hypot(...(viaSdk.data[0]?.embedding ?? []));
    expect(norm).toBeCloseTo(1, 3);
    const floats = await client.embeddings.create({ model: "embed", input: "hello there", encoding_format: "float" });
    expect(floats.data[0]?.embedding[0]).toBeCloseTo(viaSdk.data[0]?.embedding[0] ?? Number.NaN, 5);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
  });
});

describe("API keys on the core", () => {
  it("refuses a wrong key with the SDK's AuthenticationError, and a missing one", async () => {
    const wrong = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "sk-wrong", maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const missing = await fetch(`${server.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("missing_api_key");
  });

  it("takes either key via Authorization: Bearer or X-Api-Key; packet routes answer 401 as problem+json", async () => {
    for (const headers of [{ authorization: `Bearer ${OTHER_KEY}` }, { "x-api-key": KEY }] as Record<
      string,
      string
    >[]) {
      expect((await fetch(`${server.url}/status`, { headers })).status).toBe(200);
    }
    for (const headers of [
      {},
      { authorization: "Bearer nope" },
      { "x-api-key": `${KEY}x` },
      { authorization: KEY },
    ] as Record<string, string>[]) {
      const res = await fetch(`${server.url}/process_packet`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: "{}",
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { "x-api-key": KEY } })).status).toBe(200);
  });

  it("refuses a packet with a negative token limit with 422 naming the field", async () => {
    const { gatewayPacket } = await import("../../fixtures/packets.js");
    const packet = gatewayPacket((p) => {
      p.context.constraints.max_tokens = -5;
    });
    const res = await fetch(`${server.url}/process_packet`, {
      method: "POST",
      headers: { "x-api-key": KEY, "content-type": "application/json" },
      body: JSON.stringify(packet),
    });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { errors: Array<{ path: string }> };
    expect(problem.errors.map((e) => e.path)).toEqual(["context.constraints.max_tokens"]);
  });

  it("says in its model-ready log line which engine build serves the model", () => {
    const ready = logLines().find((l) => l.msg === "model ready");
    expect(["prebuilt", "localBuild"]).toContain(ready?.engine_build);
  });

  it("never writes a key into the logs", () => {
    const all = logText.join("");
    expect(all.length).toBeGreaterThan(0);
    expect(logLines().some((l) => l.status === 401)).toBe(true);
    for (const key of [KEY, OTHER_KEY, "sk-wrong"]) expect(all).not.toContain(key);
  });
});
