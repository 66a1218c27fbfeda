// POST /v1/completions on a real core (real app over HTTP, real bundled GGUF), driven by the official openai SDK; and
// fill-in-the-middle for real on a generated tiny model whose tokenizer has FIM tokens.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import OpenAI from "openai";
import { makeLiteModel } from "../../../models/scripts/makeLiteModel.js";
import { loadCoreConfig } from "../../../services/core/config.js";
import { type Core, createCore } from "../../../services/core/createCore.js";
import { modelId } from "../../../services/core/openai/modelId.js";
import { createLogger } from "../../../shared/logging/logger.js";
import { type Listening, listen } from "../../support/listen.js";
import { BUNDLED_LITE_MODEL, tempDir } from "../../support/processes.js";

interface Served {
  core: Core;
  server: Listening;
  client: OpenAI;
}

/** A core on `model` (no embedder: completions never read history), with its SDK client. */
async function serve(model: string, maxTokensCap = 200): Promise<Served> {
  const config = loadCoreConfig({
    GAIA_SHARED_DIR: tempDir("gaia-completions-test-"),
    GAIA_LITE_MODEL: model,
    GAIA_EMBED_MODEL_DIR: "none",
    GAIA_THREADS: "1",
    GAIA_CONTEXT_SIZE: "1024",
    GAIA_MAX_TOKENS_CAP: String(maxTokensCap),
    GAIA_PARALLEL: "2",
  });
  const core = createCore(config, createLogger({ service: "gaia-core-test", level: "silent" }));
  await core.started;
  expect(core.state.status).toBe("ready");
  const server = await listen(core.app);
  return { core, server, client: new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 }) };
}

async function stop(served: Served | undefined): Promise<void> {
  await served?.server.close();
  await served?.core.dispose();
}

/** The SDK's error for a request the server refuses, or null when it was answered. */
async function refusal(request: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError> | null> {
  return request.then(
    () => null,
    (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
  );
}

/** Completion tokens so far, from the core's /metrics (the same counter as packets and chat). */
async function completionTokensCounted(url: string): Promise<number> {
  return metricSum(url, /^gaia_core_tokens_total\{direction="completion"\}/);
}

/** The sum of the core's /metrics lines that match. */
async function metricSum(url: string, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => pattern.test(line))
    .reduce((total, line) => total + Number(line.split(" ").at(-1)), 0);
}

const PROMPT = "Once upon a time there was a little girl who";

describe("POST /v1/completions on the bundled model", () => {
  let bundled: Served;
  let client: OpenAI;
  beforeAll(async () => {
    bundled = await serve(BUNDLED_LITE_MODEL);
    client = bundled.client;
  });
  afterAll(() => stop(bundled));

  it("continues a raw prompt in OpenAI's text_completion shape, with real token counts and metrics", async () => {
    const before = await completionTokensCounted(bundled.server.url);
    const completion = await client.completions.create({ model: "any", prompt: PROMPT, max_tokens: 12, seed: 5 });
    expect(completion.object).toBe("text_completion");
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.model).toBe(modelId(BUNDLED_LITE_MODEL));
    expect(completion.choices).toHaveLength(1);
    const [choice] = completion.choices;
    expect(choice?.index).toBe(0);
    expect(choice?.logprobs).toBeNull();
    expect(choice?.text.length).toBeGreaterThan(0);
    // raw text: no chat template around the prompt, nothing trimmed (a continuation starts with its space)
    expect(choice?.text).toMatch(/^\s/);
    expect(["stop", "length"]).toContain(choice?.finish_reason);
    const usage = completion.usage;
    expect(usage?.prompt_tokens).toBeGreaterThanOrEqual(9);
    expect(usage?.prompt_tokens).toBeLessThan(20); // a chat template would add its role markers and newlines
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeLessThanOrEqual(12);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    expect(await completionTokensCounted(bundled.server.url)).toBe(before + (usage?.completion_tokens ?? 0));

    // the same prompt again is served by the slot that holds it: every prompt token is cached
    const again = await client.completions.create({ model: "any", prompt: PROMPT, max_tokens: 4, seed: 5 });
    expect(again.usage?.prompt_tokens).toBe(usage?.prompt_tokens);
    expect(again.usage?.prompt_tokens_details?.cached_tokens).toBe(usage?.prompt_tokens);

    // special-token text is read as the special token, as llama-server does
    const special = await client.completions.create({ model: "any", prompt: "<|im_start|>", max_tokens: 1 });
    expect(special.usage?.prompt_tokens).toBe(1);
  });

  it("streams text_completion chunks that add up to the non-streamed text for a fixed seed, then usage and [DONE]", async () => {
    const body = { model: "gaia", prompt: PROMPT, max_tokens: 24, temperature: 0.9, seed: 11 };
    const whole = await client.completions.create(body);
    const stream = await client.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.object === "text_completion" && c.id === chunks[0]?.id)).toBe(true);
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe(whole.choices[0]?.finish_reason);
    expect(chunks.map((c) => c.choices[0]?.text ?? "").join("")).toBe(whole.choices[0]?.text);

    const raw = await fetch(`${bundled.server.url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "x", prompt: "hi", max_tokens: 3, stream: true }),
    });
    expect(raw.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect((await raw.text()).trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("answers a list of prompts with one choice per prompt, in order, and the usage of all of them", async () => {
    const ask = (prompt: string | string[]) =>
      client.completions.create({ model: "gaia", prompt, max_tokens: 6, temperature: 0 });
    const [first, second, both] = [
      await ask("The little bird"),
      await ask("A quiet boy"),
      await ask(["The little bird", "A quiet boy"]),
    ];
    expect(both.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(both.choices.map((c) => c.text)).toEqual([first.choices[0]?.text, second.choices[0]?.text]);
    expect(both.usage?.prompt_tokens).toBe((first.usage?.prompt_tokens ?? 0) + (second.usage?.prompt_tokens ?? 0));
    expect(both.usage?.completion_tokens).toBe(
      (first.usage?.completion_tokens ?? 0) + (second.usage?.completion_tokens ?? 0),
    );

    const stream = await client.completions.create({
      model: "gaia",
      prompt: ["The little bird", "A quiet boy"],
      max_tokens: 6,
      temperature: 0,
      stream: true,
    });
    const texts = ["", ""];
    const finished: number[] = [];
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        texts[c.index] += c.text;
        if (c.finish_reason) finished.push(c.index);
      }
    }
    expect(texts).toEqual(both.choices.map((c) => c.text));
    expect(finished).toEqual([0, 1]);
  });

  it("stops at a stop string with finish_reason stop, the text cut before it", async () => {
    const ask = (stopAt?: string) =>
      client.completions.create({
        model: "gaia",
        prompt: PROMPT,
        max_tokens: 40,
        temperature: 0,
        ...(stopAt ? { stop: [stopAt] } : {}),
      });
    const full = (await ask()).choices[0]?.text ?? "";
    const words = full.split(" ").filter(Boolean);
    expect(words.length).toBeGreaterThan(4);
    const stopWord = ` ${words[3]}`;
    const cut = await ask(stopWord);
    expect(cut.choices[0]?.finish_reason).toBe("stop");
    expect(cut.choices[0]?.text).toBe(full.slice(0, full.indexOf(stopWord)));
  });

  it("ends with finish_reason length at max_tokens", async () => {
    const completion = await client.completions.create({ model: "gaia", prompt: PROMPT, max_tokens: 2, seed: 1 });
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(2);
  });

  it("refuses echo, logprobs, n > 1 and a suffix (this model has no infill tokens) with a BadRequestError naming the field", async () => {
    const refused = (body: Record<string, unknown>) =>
      refusal(client.completions.create({ model: "gaia", prompt: "hi", max_tokens: 2, ...body } as never));
    for (const [field, body] of [
      ["echo", { echo: true }],
      ["logprobs", { logprobs: 2 }],
      ["n", { n: 2 }],
      ["best_of", { best_of: 3 }],
      ["suffix", { suffix: " the end." }],
      ["prompt", { prompt: [1, 2, 3] }],
      ["prompt", { prompt: "" }],
      ["prompt", { prompt: "word ".repeat(1100) }],
    ] as const) {
      const error = await refused(body);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error?.param).toBe(field);
    }
    const suffixError = await refused({ suffix: "x" });
    expect(suffixError?.message).toMatch(/suffix.*infill/);
  });

  it("answers malformed bodies with a 400 in OpenAI's error shape, never a 500", async () => {
    const bodies = [
      "{not json",
      "null",
      '"a string"',
      "[1, 2]",
      JSON.stringify({ model: "gaia" }),
      JSON.stringify({ model: "gaia", prompt: 7 }),
      JSON.stringify({ model: "gaia", prompt: [] }),
      JSON.stringify({ model: "gaia", prompt: Array.from({ length: 17 }, () => "a") }),
      JSON.stringify({ model: "gaia", prompt: "a", max_tokens: -1 }),
      JSON.stringify({ model: "gaia", prompt: "a", temperature: "hot" }),
      JSON.stringify({ model: "gaia", prompt: "a", stop: [1] }),
      JSON.stringify({ model: "gaia", prompt: "a", suffix: 3 }),
      JSON.stringify({ model: "gaia", prompt: "a", stream: "yes" }),
    ];
    for (const body of bodies) {
      const response = await fetch(`${bundled.server.url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect([body, response.status]).toEqual([body, 400]);
      const { error } = (await response.json()) as { error: { type: string; message: string } };
      expect(error.type).toBe("invalid_request_error");
    }
  });
});

describe("fill-in-the-middle on a model whose tokenizer has FIM tokens", () => {
  let fim: Served;
  beforeAll(async () => {
    const file = path.join(tempDir("gaia-fim-model-"), "tiny-fim.gguf");
    makeLiteModel({ outPath: file, infill: true });
    fim = await serve(file, 1000);
  });
  afterAll(() => stop(fim));

  it("fills the gap between prompt and suffix with node-llama-cpp's infill layout", async () => {
    const prefix = "def add(a, b):\n    ";
    const suffix = "\n\nprint(add(1, 2))\n";
    const count = async (prompt: string) =>
      (await fim.client.completions.create({ model: "gaia", prompt, max_tokens: 1, temperature: 0 })).usage
        ?.prompt_tokens ?? 0;
    const [prefixTokens, suffixTokens] = [await count(prefix), await count(suffix)];
    const ask = () =>
      fim.client.completions.create({ model: "gaia", prompt: prefix, suffix, max_tokens: 8, temperature: 0 });
    const filled = await ask();
    expect(filled.choices[0]?.text.length).toBeGreaterThan(0);
    expect(filled.usage?.completion_tokens).toBeGreaterThan(0);
    // <|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|>
    expect(filled.usage?.prompt_tokens).toBe(prefixTokens + suffixTokens + 3);
    // the layout counted is the one the sequence holds: asked again, every prompt token is cached
    const again = await ask();
    expect(again.usage?.prompt_tokens_details?.cached_tokens).toBe(filled.usage?.prompt_tokens);
    expect(again.choices[0]?.text).toBe(filled.choices[0]?.text);

    // what Continue's autocomplete posts for a Qwen2.5-Coder model: the FIM template filled in by the client (its
    // special-token text read as the FIM tokens), nine stop strings, streamed; the same tokens, so the same text
    const continueStream = await fim.client.completions.create({
      model: "qwen2.5-coder",
      prompt: `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`,
      max_tokens: 8,
      temperature: 0,
      stop: [
        "<|endoftext|>",
        "<|fim_prefix|>",
        "<|fim_middle|>",
        "<|fim_suffix|>",
        "<|fim_pad|>",
        "<|repo_name|>",
        "<|file_sep|>",
        "<|im_start|>",
        "<|im_end|>",
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    let continued = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of continueStream) {
      continued += chunk.choices[0]?.text ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(usage?.prompt_tokens).toBe(filled.usage?.prompt_tokens);
    expect(continued).toBe(filled.choices[0]?.text);
  });

  it("shares the slots with chat: a greedy chat answer is the same before and after completions used both slots (this model attends to its whole context)", async () => {
    const chat = async () =>
      (
        await fim.client.chat.completions.create({
          model: "gaia",
          messages: [{ role: "user", content: "Tell me about the fox" }],
          max_tokens: 12,
          temperature: 0,
        })
      ).choices[0]?.message.content;
    const before = await chat();
    await Promise.all([
      fim.client.completions.create({ model: "gaia", prompt: "<|im_start|>user\nTell me", max_tokens: 8 }),
      fim.client.completions.create({ model: "gaia", prompt: PROMPT, suffix: " the end.", max_tokens: 8 }),
    ]);
    expect(await chat()).toBe(before);
  });

  // the random-weight model practically never ends by itself, so the stream is still running when the client leaves
  it("stops generating when the client aborts a stream mid-way (a turn counted as cancelled)", async () => {
    const cancelled = /^gaia_core_turns_total\{[^}]*stop="cancelled"/;
    const [cancelledBefore, tokensBefore] = [
      await metricSum(fim.server.url, cancelled),
      await completionTokensCounted(fim.server.url),
    ];
    const stream = await fim.client.completions.create({
      model: "gaia",
      prompt: "def main():\n",
      suffix: "\n",
      max_tokens: 900,
      temperature: 1,
      stream: true,
    });
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.text) received++;
      if (received >= 2) break; // leaving the loop aborts the request
    }
    const deadline = Date.now() + 10_000;
    while ((await metricSum(fim.server.url, cancelled)) === cancelledBefore && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(await metricSum(fim.server.url, cancelled)).toBe(cancelledBefore + 1);
    expect((await completionTokensCounted(fim.server.url)) - tokensBefore).toBeLessThan(900);
  });
});
