import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import request from "supertest";
import { gatewayPacket } from "../fixtures/packets.js";
import { BUNDLED_EMBED_MODEL_DIR, tempDir } from "../support/processes.js";
import { startTestCore, type TestCore } from "../support/testCore.js";

const cores: TestCore[] = [];
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.dispose()));
});
async function core(options: Parameters<typeof startTestCore>[0]) {
  const started = await startTestCore(options);
  cores.push(started);
  return started;
}

const packet = (sessionId: string, packetId: string, prompt: string) =>
  gatewayPacket((p) => {
    p.header.session_id = sessionId;
    p.header.packet_id = packetId;
    p.header.model.temperature = 0.8;
    p.header.model.seed = 3;
    p.content.original_prompt = prompt;
    p.content.data_fields = [];
  });
const ask = (c: TestCore, body: unknown) =>
  request(c.app).post("/process_packet").set("Content-Type", "application/json").send(JSON.stringify(body));
const lastReflection = (res: request.Response) => res.body.reasoning.reflection_log.at(-1).summary as string;

const TOPICS = [
  "I love my cat and my dog, they are good pets",
  "what pizza recipe should I cook for dinner tonight",
  "will it rain tomorrow, what is the weather forecast",
  "how do I fix this javascript bug in my code",
  "I want to travel to paris by train next week",
];

/** A copy of the bundled embedding fixture with one file replaced. */
function brokenFixture(file: string, content: string | null): string {
  const dir = path.join(tempDir("gaia-embed-broken-"), "embed-fixture");
  fs.cpSync(BUNDLED_EMBED_MODEL_DIR, dir, { recursive: true });
  if (content === null) fs.rmSync(path.join(dir, file));
  else fs.writeFileSync(path.join(dir, file), content);
  return dir;
}

describe("semantic mode (the generated embedding fixture, no mocks)", () => {
  it("recalls the lexically related old turn, not unrelated ones, and lists it in relevant_history_snippet", async () => {
    const c = await core({ semantic: true, env: { GAIA_HISTORY_RECENT_TURNS: "1", GAIA_HISTORY_RECALL_TOP_K: "1" } });
    expect((await request(c.app).get("/health")).body).toMatchObject({
      history_mode: "semantic",
      history_mode_reason: null,
    });
    for (const [i, topic] of TOPICS.entries()) expect((await ask(c, packet("s", `t${i}`, topic))).status).toBe(200);
    const res = await ask(c, packet("s", "q", "is the weather sunny or cold today, any rain"));
    expect(res.status).toBe(200);
    expect(lastReflection(res)).toMatch(/history_mode=semantic/);
    expect(lastReflection(res)).toMatch(/turns_recalled=1/);
    const recalled = res.body.context.relevant_history_snippet as { id: string; role: string; summary: string }[];
    expect(recalled.map((s) => s.id)).toEqual(["t2"]);
    expect(recalled[0]!.summary).toMatch(/weather forecast/);
    // vectors are stored with the turns, once
    const stored = await c.store.load("s");
    expect(stored.every((t) => Array.isArray(t.vector) && t.vector.length > 0)).toBe(true);
  });

  it("keeps answering when embedding fails mid-request: that request uses full history", async () => {
    const c = await core({ semantic: true });
    expect((await ask(c, packet("e", "e1", "hello there"))).status).toBe(200);
    await c.state.parts!.history.dispose(); // the embedder now rejects every call, as a crashed runtime would
    const res = await ask(c, packet("e", "e2", "and again"));
    expect(res.status).toBe(200);
    expect(lastReflection(res)).toMatch(/history_mode=full/);
    expect(lastReflection(res)).toMatch(/embedding failed/);
    expect((await c.store.load("e")).map((t) => t.packetId)).toEqual(["e1", "e2"]);
  });
});

describe("full-history mode: every failure is a reason, never an error", () => {
  const cases: [string, () => string, RegExp][] = [
    ["not configured", () => "none", /none/],
    ["folder missing", () => path.join(tempDir(), "no-such-model"), /no-such-model/],
    ["config.json missing", () => brokenFixture("config.json", null), /config\.json/],
    ["config.json corrupt", () => brokenFixture("config.json", "{not json"), /config\.json/],
    ["tokenizer.json corrupt", () => brokenFixture("tokenizer.json", "[]"), /tokenizer/],
    ["ONNX garbage", () => brokenFixture("onnx/model.onnx", "garbage bytes"), /onnx|session|protobuf/i],
  ];
  it.each(cases)("%s → full mode with the reason on /health, and a 200 answer", async (_name, dir, reason) => {
    const c = await core({ env: { GAIA_EMBED_MODEL_DIR: dir() } });
    const health = (await request(c.app).get("/health")).body as { history_mode: string; history_mode_reason: string };
    expect(health.history_mode).toBe("full");
    expect(health.history_mode_reason).toMatch(reason);
    const res = await ask(c, packet("f", "f1", "hello"));
    expect(res.status).toBe(200);
    expect(lastReflection(res)).toMatch(/history_mode=full/);
  });

  it("carries the whole session in full mode", async () => {
    const c = await core({});
    for (const [i, topic] of TOPICS.entries()) await ask(c, packet("w", `w${i}`, topic));
    const res = await ask(c, packet("w", "wq", "and the weather?"));
    expect(lastReflection(res)).toMatch(new RegExp(`turns_verbatim=${TOPICS.length};`));
  });
});

describe("switching modes keeps history", () => {
  it("a session written in full mode is recalled in semantic mode, and still whole in full mode again", async () => {
    const sharedDir = tempDir("gaia-modes-");
    const full = await core({ sharedDir });
    for (const [i, topic] of TOPICS.entries()) expect((await ask(full, packet("m", `m${i}`, topic))).status).toBe(200);
    await full.dispose();
    cores.splice(cores.indexOf(full), 1);

    const semantic = await core({
      sharedDir,
      semantic: true,
      env: { GAIA_HISTORY_RECENT_TURNS: "1", GAIA_HISTORY_RECALL_TOP_K: "1" },
    });
    const res = await ask(semantic, packet("m", "mq", "what pizza should I cook for dinner"));
    expect(res.status).toBe(200);
    expect(res.body.context.relevant_history_snippet.map((s: { id: string }) => s.id)).toEqual(["m1"]);
    await semantic.dispose();
    cores.splice(cores.indexOf(semantic), 1);

    const fullAgain = await core({ sharedDir });
    const again = await ask(fullAgain, packet("m", "mq2", "thanks"));
    expect(lastReflection(again)).toMatch(new RegExp(`turns_verbatim=${TOPICS.length + 1};`));
    expect((await fullAgain.store.load("m")).map((t) => t.packetId)).toEqual([
      ...TOPICS.map((_, i) => `m${i}`),
      "mq",
      "mq2",
    ]);
  });
});
