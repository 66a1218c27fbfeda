// Reasoning of a Qwen3-style model, end to end through the real engine: the bundled scripted qwen3-think GGUF
// (qwen3 architecture, Qwen3-style chat template, writes "<think>\n…\n</think>\n\n" and then a bigram answer) served
// by the real app (supertest). node-llama-cpp resolves its Qwen chat wrapper, which parses the thought into a segment;
// the service drops thoughts: they never reach response.candidate, the NDJSON token stream, the session, or the
// OpenAI route's content (JSON and streamed deltas, read with the official openai client over real HTTP).

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { getLlama, JinjaTemplateChatWrapper, type Llama, LlamaLogLevel, type LlamaModel } from "node-llama-cpp";
import OpenAI from "openai";
import request from "supertest";
import { ensureBigramModel } from "../../models/scripts/bundledModels.js";
import { SCRIPTED_THOUGHT } from "../../models/scripts/makeBigramModel.js";
import { LiteModel } from "../../services/core/inference/LiteModel.js";
import { BUNDLED_QWEN3_THINK_MODEL_RELATIVE } from "../../shared/config/bundledModels.js";
import { chatStreamText } from "../support/chatStreamText.js";
import { type Listening, listen } from "../support/listen.js";
import { REPO_ROOT } from "../support/processes.js";
import { startTestCore, type TestCore } from "../support/testCore.js";

const modelPath = path.join(REPO_ROOT, BUNDLED_QWEN3_THINK_MODEL_RELATIVE);
/** Pieces of the scripted thought that no answer contains (the bigram answers never mention "the user"). */
const THOUGHT_MARKERS = ["<think>", "</think>", "the user wants", "think quietly", SCRIPTED_THOUGHT];

interface ExamplePacket {
  header: { session_id: string; packet_id: string; model: { stop?: string[] } };
}

const packet = (id: string, edit: (p: ExamplePacket) => void = () => {}) => {
  const p = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "examples/packet.json"), "utf8")) as ExamplePacket;
  p.header.session_id = `qwen3-${id}`;
  p.header.packet_id = `qwen3-${id}-1`;
  edit(p);
  return p;
};

function expectNoThought(text: string): void {
  for (const marker of THOUGHT_MARKERS) expect(text).not.toContain(marker);
}

let core: TestCore;
let server: Listening;
let openai: OpenAI;
let llama: Llama;
let model: LlamaModel;
beforeAll(async () => {
  ensureBigramModel(modelPath, "qwen3-think");
  core = await startTestCore({ env: { GAIA_LITE_MODEL: modelPath, GAIA_MAX_TOKENS_CAP: "512" } });
  expect(core.state.status).toBe("ready");
  server = await listen(core.app);
  openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
  // a second, independent load of the same file, only to render the GGUF's own Jinja template
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: 1 });
  model = await llama.loadModel({ modelPath, gpuLayers: 0 });
});
afterAll(async () => {
  await server?.close();
  await core?.dispose();
  await model?.dispose();
  await llama?.dispose();
});

const post = (body: unknown, accept = "application/json") =>
  request(core.app)
    .post("/process_packet")
    .set("Content-Type", "application/json")
    .set("Accept", accept)
    .send(JSON.stringify(body));

describe("a Qwen3-style thinking model behind /process_packet", () => {
  it("is served with node-llama-cpp's Qwen wrapper, and the prompt renders exactly as the GGUF's template", () => {
    const engine = core.state.parts?.engine;
    expect(engine).toBeInstanceOf(LiteModel);
    expect((engine as LiteModel).chatWrapperName).toBe("Qwen");
    const messages = [
      { role: "system", content: "You are GAIA." },
      { role: "user", content: "Hello GAIA, tell me a short story about a fox." },
      { role: "assistant", content: "Once upon a time, there was a fox." },
      { role: "user", content: "And then?" },
    ] as const;
    const template = model.fileInfo.metadata.tokenizer.chat_template;
    expect(template).toContain("<think>");
    const jinja = new JinjaTemplateChatWrapper({ template: template ?? "", tokenizer: model.tokenizer });
    const rendered = jinja.generateContextState({
      chatHistory: [
        ...messages.map((m) =>
          m.role === "assistant"
            ? { type: "model" as const, response: [m.content] }
            : { type: m.role, text: m.content },
        ),
        { type: "model" as const, response: [] },
      ],
    }).contextText;
    expect(rendered.toString()).toContain("<|im_start|>user\nAnd then?<|im_end|>\n<|im_start|>assistant\n");
    expect((engine as LiteModel).countTokens(messages)).toBe(rendered.tokenize(model.tokenizer).length);
  });

  it("drops the thought from response.candidate and the stored turn; the answer ends with <|im_end|>", async () => {
    const res = await post(packet("json"));
    expect(res.status).toBe(200);
    const answer: string = res.body.response.candidate;
    expect(answer.length).toBeGreaterThan(0);
    expectNoThought(answer);
    expect(answer).toBe(answer.trim()); // the "\n\n" after </think> is not part of the answer
    const summary: string = res.body.reasoning.reflection_log.at(-1).summary;
    expect(summary).toContain("stop=eos");
    // the thought was generated (it costs tokens) but is not in the answer
    const answerTokens = model.tokenize(answer).length;
    expect(res.body.metrics.token_usage.completion_tokens).toBeGreaterThan(answerTokens + 3);
    expect(res.body.metrics.token_usage.completion_tokens).toBeLessThan(64);
    expectNoThought(JSON.stringify(res.body));
    const turns = await core.store.load("qwen3-json");
    expect(turns).toHaveLength(1);
    expectNoThought(turns[0]?.assistant ?? "<think>");
    expect(turns[0]?.assistant.trim()).toBe(answer);
  });

  it("never streams the thought: NDJSON token lines carry only the answer", async () => {
    const res = await post(packet("ndjson"), "application/x-ndjson");
    expect(res.status).toBe(200);
    const events = res.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const tokens = events.filter((e) => e.type === "token").map((e) => e.value as string);
    expect(tokens.length).toBeGreaterThan(1);
    for (const token of tokens) expectNoThought(token);
    const final = events.at(-1);
    expect(final.type).toBe("packet");
    expect(tokens.join("").trim()).toBe(final.value.response.candidate);
    expectNoThought(JSON.stringify(final.value));
  });

  it("ends the answer at a client's stop sequence, even one the thought contains", async () => {
    // same seed, same sampled tokens (a bigram model does not look at the prompt): the second answer must stop
    // where the first one has the stop string
    const first = await post(packet("stop-a"));
    const answer: string = first.body.response.candidate;
    // a word of the answer that the thought has too: node-llama-cpp's own stop triggers would fire inside the
    // thought and leave an empty answer; the service matches stop strings against the answer only
    const stop = answer
      .split(/\s+/)
      .slice(1)
      .map((w) => ` ${w}`)
      .find((w) => SCRIPTED_THOUGHT.includes(w));
    expect(stop).toBeDefined();
    const second = await post(
      packet("stop-b", (p) => {
        p.header.model.stop = [stop ?? ""];
      }),
    );
    expect(second.status).toBe(200);
    expect(second.body.reasoning.reflection_log.at(-1).summary).toContain("stop=stop_sequence");
    const cut = answer.indexOf(stop ?? "");
    expect(cut).toBeGreaterThan(0);
    expect(second.body.response.candidate).toBe(answer.slice(0, cut).trim());
    expectNoThought(second.body.response.candidate);
  });

  it("streams nothing of the stop string or after it", async () => {
    const res = await post(
      packet("stop-ndjson", (p) => {
        p.header.model.stop = [" the"];
      }),
      "application/x-ndjson",
    );
    const events = res.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const streamed = events
      .filter((e) => e.type === "token")
      .map((e) => e.value as string)
      .join("");
    const final = events.at(-1).value;
    expect(streamed).not.toContain(" the");
    expect(streamed.trim()).toBe(final.response.candidate);
    expect(final.response.candidate.length).toBeGreaterThan(0);
  });

  it("keeps the thought out of the OpenAI route's content, whole and streamed", async () => {
    const messages = [{ role: "user" as const, content: "Hello GAIA, tell me a short story about a fox." }];
    // a fixed seed: an unseeded bigram answer is occasionally longer than max_tokens
    const completion = await openai.chat.completions.create({ model: "gaia", messages, max_tokens: 64, seed: 1 });
    const content = completion.choices[0]?.message.content ?? "<think>";
    expect(content.length).toBeGreaterThan(0);
    expectNoThought(content);
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    // the thought was generated (it is counted) but is not in the content
    expect(completion.usage?.completion_tokens ?? 0).toBeGreaterThan(model.tokenize(content).length + 3);

    const stream = await openai.chat.completions.create({ model: "gaia", messages, max_tokens: 64, stream: true });
    let streamed = "";
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.content ?? "";
      expectNoThought(delta);
      streamed += delta;
    }
    expect(streamed.trim().length).toBeGreaterThan(0);
    expectNoThought(streamed);
  });

  it("returns the thought as reasoning_content with reasoning_format deepseek, never in content", async () => {
    const messages = [{ role: "user" as const, content: "Hello GAIA, tell me a short story about a fox." }];
    const body = { model: "gaia", messages, max_tokens: 64, reasoning_format: "deepseek" };
    for (let seed = 1; seed <= 3; seed++) {
      const completion = (await openai.chat.completions.create({ ...body, seed } as never)) as OpenAI.ChatCompletion;
      const message = completion.choices[0]?.message as { content: string | null; reasoning_content?: string };
      expect(message.reasoning_content).toBe(SCRIPTED_THOUGHT);
      expectNoThought(message.content ?? "");
    }
    const stream = await openai.chat.completions.create({ ...body, stream: true } as never);
    const { content, reasoning } = await chatStreamText(stream);
    expect(reasoning.trim()).toBe(SCRIPTED_THOUGHT);
    expectNoThought(content);
    expect(content.trim().length).toBeGreaterThan(0);
  });

  it("reasoning_effort none (or enable_thinking false) opens the answer with an empty thought: none is returned", async () => {
    const messages = [{ role: "user" as const, content: "Hello GAIA." }];
    for (const extra of [{ reasoning_effort: "none" }, { chat_template_kwargs: { enable_thinking: false } }]) {
      const body = { model: "gaia", messages, max_tokens: 64, seed: 4, reasoning_format: "deepseek", ...extra };
      const completion = (await openai.chat.completions.create(body as never)) as OpenAI.ChatCompletion;
      const message = completion.choices[0]?.message as { content: string | null; reasoning_content?: string };
      expect(message.reasoning_content ?? "").toBe("");
      expectNoThought(message.content ?? "");
    }
  });
});
