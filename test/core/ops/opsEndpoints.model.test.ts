// llama-server's ops endpoints on a real core (real app over supertest, real bundled GGUF): plain HTTP, as the
// scripts that use them send it.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import request from "supertest";
import { StubEngine } from "../../../bench/StubEngine.js";
import { loadCoreConfig } from "../../../services/core/config.js";
import { createCore } from "../../../services/core/createCore.js";
import type { InferenceEngine } from "../../../services/core/inference/InferenceEngine.js";
import { createLogger } from "../../../shared/logging/logger.js";
import { minimalPacket } from "../../fixtures/packets.js";
import { type Listening, listen } from "../../support/listen.js";
import { BUNDLED_LITE_MODEL, TINY_TEST_MODEL, tempDir } from "../../support/processes.js";
import { startTestCore, type TestCore } from "../../support/testCore.js";

const KEY = "sk-ops-test-0123456789";
const auth = { Authorization: `Bearer ${KEY}` };

let core: TestCore;
beforeAll(async () => {
  core = await startTestCore({ env: { GAIA_API_KEYS: KEY, GAIA_PARALLEL: "2" } });
  expect(core.state.status).toBe("ready");
});
afterAll(async () => {
  await core.dispose();
});

const post = (path: string, body: unknown) =>
  request(core.app).post(path).set(auth).set("Content-Type", "application/json").send(JSON.stringify(body));

describe("POST /tokenize and /detokenize", () => {
  it("tokenizes text to ids that detokenize back to the same text", async () => {
    const text = "Hello there, how are you?";
    const tokenized = await post("/tokenize", { content: text });
    expect(tokenized.status).toBe(200);
    const tokens = tokenized.body.tokens as number[];
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.every((t) => Number.isInteger(t))).toBe(true);
    const back = await post("/detokenize", { tokens });
    expect(back.status).toBe(200);
    expect(back.body).toEqual({ content: text });
  });

  it("gives pieces with with_pieces, as bytes where a token holds half a UTF-8 character", async () => {
    const res = await post("/tokenize", { content: "Hi á", with_pieces: true });
    expect(res.status).toBe(200);
    const pieces = res.body.tokens as Array<{ id: number; piece: string | number[] }>;
    // the bundled model's byte-level vocabulary splits "á" (C3 A1) into two byte tokens
    expect(pieces.slice(-2).map((p) => p.piece)).toEqual([[0xc3], [0xa1]]);
    const textPieces = pieces.filter((p) => typeof p.piece === "string").map((p) => p.piece);
    expect(textPieces.join("")).toBe("Hi ");
  });

  it("parses special tokens by default and treats them as text with parse_special false", async () => {
    const special = (await post("/tokenize", { content: "<|im_start|>" })).body.tokens as number[];
    const plain = (await post("/tokenize", { content: "<|im_start|>", parse_special: false })).body.tokens as number[];
    expect(special).toHaveLength(1);
    expect(plain.length).toBeGreaterThan(1);
  });

  it("answers a client's mistakes with 400 naming the field, never 500", async () => {
    const missing = await post("/tokenize", { text: "hi" });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ type: "invalid_request_error", param: "content" });
    const badFlag = await post("/tokenize", { content: "hi", with_pieces: "yes" });
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.error.param).toBe("with_pieces");
    const notJson = await request(core.app)
      .post("/tokenize")
      .set(auth)
      .set("Content-Type", "application/json")
      .send("{");
    expect(notJson.status).toBe(400);
    const outOfVocab = await post("/detokenize", { tokens: [1, 2, 99_999_999] });
    expect(outOfVocab.status).toBe(400);
    expect(outOfVocab.body.error.param).toBe("tokens[2]");
    expect(outOfVocab.body.error.message).toMatch(/not in the model's vocabulary/);
    const negative = await post("/detokenize", { tokens: [-1] });
    expect(negative.status).toBe(400);
    expect(negative.body.error.param).toBe("tokens[0]");
  });
});

describe("POST /apply-template", () => {
  const messages = [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Say hi." },
  ];

  it("renders the messages with the model's chat template, ending where the answer starts", async () => {
    const res = await post("/apply-template", { messages });
    expect(res.status).toBe(200);
    const prompt = res.body.prompt as string;
    expect(prompt).toContain("<|im_start|>system\nYou are terse.<|im_end|>");
    expect(prompt).toContain("<|im_start|>user\nSay hi.<|im_end|>");
    expect(prompt.endsWith("<|im_start|>assistant\n")).toBe(true);
  });

  it("is exactly the prompt a chat completion evaluates (same token count)", async () => {
    const prompt = (await post("/apply-template", { messages })).body.prompt as string;
    const tokens = (await post("/tokenize", { content: prompt })).body.tokens as number[];
    const chat = await post("/v1/chat/completions", { model: "any", messages, max_tokens: 2 });
    expect(chat.status).toBe(200);
    expect(tokens.length).toBe(chat.body.usage.prompt_tokens);
  });

  it("renders tool calls and their results as a chat completion would", async () => {
    const res = await post("/apply-template", {
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "forecast", arguments: '{"days":2}' } }],
        },
        { role: "tool", tool_call_id: "c1", content: "sunny, 21 degrees" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.prompt).toContain("sunny, 21 degrees");
    const unknownCall = await post("/apply-template", {
      messages: [{ role: "tool", tool_call_id: "nope", content: "x" }],
    });
    expect(unknownCall.status).toBe(400);
    expect(unknownCall.body.error.param).toBe("messages[0].tool_call_id");
  });

  it("refuses a body without messages with 400", async () => {
    const res = await post("/apply-template", { messages: [] });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe("messages");
  });
});

describe("GET /props and GET /slots", () => {
  it("describes model, context, slots, chat template and build in llama-server's fields", async () => {
    const res = await request(core.app).get("/props").set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      total_slots: 2,
      model_path: BUNDLED_LITE_MODEL,
      model_alias: "gaia-lite-bigram",
      modalities: { vision: false },
      is_sleeping: false,
      default_generation_settings: {
        n_ctx: core.state.parts?.engine.contextSize,
        params: { top_k: 40, min_p: 0.05, n_predict: 24 },
      },
    });
    expect(res.body.chat_template).toMatch(/^\{% for message in messages %\}/);
    expect(res.body.build_info).toContain(core.buildId);
  });

  it("shows per slot the session it holds, the start of its text, tokens cached and last use", async () => {
    const before = Date.now();
    const packet = minimalPacket();
    const answered = await request(core.app)
      .post("/process_packet")
      .set(auth)
      .set("Content-Type", "application/json")
      .send(JSON.stringify(packet));
    expect(answered.status).toBe(200);
    const res = await request(core.app).get("/slots").set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(2);
    expect(res.body.map((s: { id: number }) => s.id)).toEqual([0, 1]);
    const held = (res.body as Array<Record<string, unknown>>).find((s) => s.session === packet.header.session_id);
    expect(held).toBeDefined();
    expect(held).toMatchObject({ is_processing: false, n_ctx: core.state.parts?.engine.contextSize });
    expect(held?.tokens_cached as number).toBeGreaterThan(48);
    // a prefix of the cached text, cut short: never the whole prompt
    expect(held?.prompt).toMatch(/^(<\|endoftext\|>)?<\|im_start\|>system\nYou are GAIA/);
    expect(String(held?.prompt).endsWith("…")).toBe(true);
    expect(String(held?.prompt).length).toBeLessThanOrEqual(121);
    expect(Date.parse(String(held?.last_used))).toBeGreaterThanOrEqual(before - 1000);
  });

  it("needs the API key like every route but /health", async () => {
    for (const path of ["/props", "/slots"]) expect((await request(core.app).get(path)).status).toBe(401);
    for (const path of ["/tokenize", "/detokenize", "/apply-template"])
      expect((await request(core.app).post(path).send({})).status).toBe(401);
  });
});

describe("while the model loads, and without a tokenizer", () => {
  const configFor = () =>
    loadCoreConfig({
      GAIA_SHARED_DIR: tempDir("gaia-ops-test-"),
      GAIA_LITE_MODEL: BUNDLED_LITE_MODEL,
      GAIA_EMBED_MODEL_DIR: "none",
    });
  const logger = createLogger({ service: "gaia-core-test", level: "silent" });
  const calls = [
    (app: Parameters<typeof request>[0]) => request(app).post("/tokenize").send({ content: "hi" }),
    (app: Parameters<typeof request>[0]) =>
      request(app)
        .post("/detokenize")
        .send({ tokens: [1] }),
    (app: Parameters<typeof request>[0]) =>
      request(app)
        .post("/apply-template")
        .send({ messages: [{ role: "user", content: "hi" }] }),
    (app: Parameters<typeof request>[0]) => request(app).get("/props"),
    (app: Parameters<typeof request>[0]) => request(app).get("/slots"),
  ];

  it("answers 503 with Retry-After while loading, like the other model routes", async () => {
    let fail!: (error: Error) => void;
    const loading = new Promise<InferenceEngine>((_resolve, reject) => (fail = reject));
    const pending = createCore(configFor(), logger, { loadEngine: () => loading });
    try {
      for (const call of calls) {
        const res = await call(pending.app);
        expect(res.status).toBe(503);
        expect(res.headers["retry-after"]).toBeDefined();
        expect(res.body.error.message).toMatch(/loading its model/);
      }
    } finally {
      fail(new Error("test over"));
      await pending.dispose();
    }
  });

  it("answers 503 naming the fault when the engine has no tokenizer to inspect", async () => {
    const stub = createCore(configFor(), logger, { loadEngine: async () => new StubEngine() });
    await stub.started;
    try {
      for (const call of calls) {
        const res = await call(stub.app);
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe("inspector_unavailable");
      }
    } finally {
      await stub.dispose();
    }
  });
});

describe("GET /slots during a generation", () => {
  it("shows the slot a streamed answer is being generated in as processing, and idle again after", async () => {
    // the random-weight model practically never ends by itself: the answer is still streaming while we look
    const busy = await startTestCore({
      env: { GAIA_LITE_MODEL: TINY_TEST_MODEL, GAIA_MAX_TOKENS_CAP: "1500", GAIA_PARALLEL: "1" },
    });
    let server: Listening | undefined;
    const stop = new AbortController();
    try {
      server = await listen(busy.app);
      const res = await fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "any", messages: [{ role: "user", content: "Go on" }], stream: true }),
        signal: stop.signal,
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read(); // the first chunk: generation has started
      const during = (await request(busy.app).get("/slots")).body as Array<Record<string, unknown>>;
      const working = during.filter((s) => s.is_processing === true);
      expect(working).toHaveLength(1);
      expect(String(working[0]?.session)).toMatch(/^v1:/);
      expect(working[0]?.next_token).toMatchObject({ has_next_token: true });
      // llama-server's load-balancer probe: every slot busy is a 503
      const full = await request(busy.app).get("/slots").query({ fail_on_no_slot: "1" });
      expect(full.status).toBe(503);
      expect(full.body.error.code).toBe("no_slot_available");
      stop.abort();
      await reader.cancel().catch(() => undefined);
      const deadline = Date.now() + 10_000;
      let after = during;
      while (after.some((s) => s.is_processing === true) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        after = (await request(busy.app).get("/slots")).body as Array<Record<string, unknown>>;
      }
      expect(after.every((s) => s.is_processing === false)).toBe(true);
      expect((await request(busy.app).get("/slots").query({ fail_on_no_slot: "1" })).status).toBe(200);
    } finally {
      stop.abort();
      await server?.close();
      await busy.dispose();
    }
  });
});
