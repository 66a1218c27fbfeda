// KV-cache reuse across a session's turns, on the real bundled GGUF through the real app: the second turn evaluates only
// what the first left out, and the answer never depends on whether the cache was hit.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import request from "supertest";
import type { LiteModel } from "../../services/core/inference/LiteModel.js";
import { sessionFileName } from "../../services/core/sessions/sessionFileName.js";
import type { CognitionPacket } from "../../shared/packet/index.js";
import {
  sharedDirWithSessionPrefix,
  type TurnFacts,
  type TurnSpec,
  turnFacts,
  turnPacket,
} from "../fixtures/turnPackets.js";
import { startTestCore, type TestCore } from "../support/testCore.js";

const ENV = { GAIA_MAX_TOKENS_CAP: "32" };

async function post(core: TestCore, packet: CognitionPacket): Promise<TurnFacts> {
  const res = await request(core.app)
    .post("/process_packet")
    .set("Content-Type", "application/json")
    .send(JSON.stringify(packet));
  expect(res.status).toBe(200);
  return turnFacts(res.body);
}

/**
 * The answer a core that never saw this session gives for the same packet, with the same stored history
 * (the warm core's session file, cut to the first `turnsBefore` turns).
 */
async function freshAnswer(warm: TestCore, spec: TurnSpec, turnsBefore: number): Promise<TurnFacts> {
  const sharedDir = sharedDirWithSessionPrefix(
    path.join(warm.config.sharedDir, "sessions", sessionFileName(spec.sessionId)),
    turnsBefore,
  );
  const fresh = await startTestCore({ sharedDir, env: { ...ENV, GAIA_PARALLEL: "1" } });
  try {
    expect(fresh.state.status).toBe("ready");
    return await post(fresh, turnPacket(spec));
  } finally {
    await fresh.dispose();
  }
}

describe("a session's second turn reuses its KV prefix", () => {
  let core: TestCore;
  beforeAll(async () => {
    core = await startTestCore({ env: { ...ENV, GAIA_PARALLEL: "2" } });
  });
  afterAll(async () => {
    await core.dispose();
  });

  it("turn 1 on a fresh core evaluates every token; turn 2 reuses at least the whole turn-1 prompt", async () => {
    const base = { sessionId: "kv-reuse", temperature: 0.8, seed: 11 };
    const first = await post(
      core,
      turnPacket({ ...base, packetId: "kv-1", prompt: "Hello there, how are you today?" }),
    );
    const second = await post(
      core,
      turnPacket({ ...base, packetId: "kv-2", prompt: "Tell me more about the weather" }),
    );
    expect(first.answer).not.toBe(""); // turn 1 must be history for turn 2 (empty answers are not replayed)
    expect(first.kvReusedTokens).toBe(0);
    expect(second.kvReusedTokens).toBeGreaterThan(0);
    expect(second.summary).toMatch(/turns_verbatim=1/);
    // system message, turn-1 user message and turn-1 answer are in the cache (the answer's prefix was prepared after
    // turn 1): only the new user message and the generation prompt are evaluated
    expect(second.kvReusedTokens).toBeGreaterThanOrEqual(first.promptTokens - 1);
    const newMessageTokens = core.state.parts!.engine.countTokens([
      { role: "user", content: "Tell me more about the weather" },
    ]);
    expect(second.promptTokens - second.kvReusedTokens).toBeLessThanOrEqual(newMessageTokens + 1);
  });

  it("prepares the next turn as the history will render it, even when turn 1 carried client context blocks", async () => {
    const base = { sessionId: "kv-context", temperature: 0.8, seed: 5 };
    const withData = turnPacket({ ...base, packetId: "ctx-1", prompt: "Summarise the data" });
    withData.content.data_fields.push({
      key: "weather",
      value: "sunny and warm",
      type: null,
      source: null,
      vector_refs: [],
    });
    await post(core, withData);
    const second = await post(core, turnPacket({ ...base, packetId: "ctx-2", prompt: "Thanks" }));
    const newMessageTokens = core.state.parts!.engine.countTokens([{ role: "user", content: "Thanks" }]);
    expect(second.promptTokens - second.kvReusedTokens).toBeLessThanOrEqual(newMessageTokens + 1);
  });

  it("keeps each answer's generated tokens in the session file, exactly the stored answer's text", async () => {
    const base = { sessionId: "kv-tokens", temperature: 0.8, seed: 9 };
    const first = await post(core, turnPacket({ ...base, packetId: "tok-1", prompt: "Hello there" }));
    const file = path.join(core.config.sharedDir, "sessions", sessionFileName(base.sessionId));
    const [record] = fs
      .readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { assistant: string; answer_tokens?: { tokenizer: string; ids: number[] } });
    const engine = core.state.parts!.engine as LiteModel;
    expect(record?.answer_tokens?.tokenizer).toBe(engine.tokenizerId);
    expect(engine.inspector.detokenize(record?.answer_tokens?.ids ?? [])).toBe(record?.assistant);
    expect(record?.assistant.trim()).toBe(first.answer);
  });

  it("the warm turn-2 answer equals a fresh core's answer for the same history (temperature 0, fixed seed)", async () => {
    const base = { sessionId: "kv-determinism", seed: 3 };
    await post(core, turnPacket({ ...base, packetId: "det-1", prompt: "What is a cat?", temperature: 0.8 }));
    const turn2: TurnSpec = { ...base, packetId: "det-2", prompt: "And a dog?", temperature: 0 };
    const warm = await post(core, turnPacket(turn2));
    const fresh = await freshAnswer(core, turn2, 1);
    expect(warm.kvReusedTokens).toBeGreaterThan(0);
    expect(fresh.kvReusedTokens).toBe(0);
    expect(fresh.promptTokens).toBe(warm.promptTokens);
    // non-empty, or equal answers would prove nothing
    expect(warm.answer).not.toBe("");
    expect(warm.answer).toBe(fresh.answer);
    expect(warm.completionTokens).toBe(fresh.completionTokens);
  });
});

describe("with one sequence (GAIA_PARALLEL=1), interleaved sessions evict each other", () => {
  let core: TestCore;
  beforeAll(async () => {
    core = await startTestCore({ env: { ...ENV, GAIA_PARALLEL: "1" } });
  });
  afterAll(async () => {
    await core.dispose();
  });

  it("falls back to fresh evaluation and still answers exactly as a fresh core", async () => {
    // different personas: the system prompts differ after a few tokens, so an evicted session shares almost nothing
    const a = { sessionId: "evict-a", personaId: "alice", temperature: 0, seed: 5 };
    const b = { sessionId: "evict-b", personaId: "bob", temperature: 0, seed: 5 };
    const a1 = await post(core, turnPacket({ ...a, packetId: "a1", prompt: "Say something nice", temperature: 0.8 }));
    const b1 = await post(core, turnPacket({ ...b, packetId: "b1", prompt: "What is a cat?", temperature: 0.8 }));
    const a2Spec: TurnSpec = { ...a, packetId: "a2", prompt: "Why?" };
    const a2 = await post(core, turnPacket(a2Spec));
    const b2Spec: TurnSpec = { ...b, packetId: "b2", prompt: "And a dog?" };
    const b2 = await post(core, turnPacket(b2Spec));
    expect(a1.answer).not.toBe("");
    expect(b1.answer).not.toBe("");
    // the other session took the only sequence: at most the shared opening of the system message was reused
    expect(a2.kvReusedTokens).toBeLessThan(a1.promptTokens / 4);
    expect(b2.kvReusedTokens).toBeLessThan(b1.promptTokens / 4);
    expect(a2.summary).toMatch(/turns_verbatim=1/);
    // answers do not depend on the eviction
    for (const [spec, warm] of [
      [a2Spec, a2],
      [b2Spec, b2],
    ] as const) {
      const fresh = await freshAnswer(core, spec, 1);
      expect(warm.answer).not.toBe("");
      expect(warm.answer).toBe(fresh.answer);
      expect(warm.completionTokens).toBe(fresh.completionTokens);
    }
    // and once a session keeps the sequence, its next turn is warm again
    const b3 = await post(core, turnPacket({ ...b, packetId: "b3", prompt: "Thanks" }));
    expect(b3.kvReusedTokens).toBeGreaterThanOrEqual(b2.promptTokens - 1);
  });
});
