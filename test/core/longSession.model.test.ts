// A long full-history session (defect 8) on the real bundled GGUF through the real app: the work per packet is
// bounded by the prompt budget, not by the session's length, and the kept window of history stays put for a while so
// the KV cache is reused. Measured by what is tokenized (a counter), never by time.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import request from "supertest";
import type { SessionTurn } from "../../services/core/sessions/SessionStore.js";
import { type TurnFacts, turnFacts, turnPacket } from "../fixtures/turnPackets.js";
import { startTestCore, type TestCore } from "../support/testCore.js";

let core: TestCore;
/** Tokens counted (tokenized by countTokens) since the last reset. */
let tokenized = 0;
beforeAll(async () => {
  core = await startTestCore({ env: { GAIA_CONTEXT_SIZE: "2048", GAIA_MAX_TOKENS_CAP: "4" } });
  expect(core.state.status).toBe("ready");
  expect(core.state.parts!.history.mode).toBe("full");
  const engine = core.state.parts!.engine;
  const count = engine.countTokens.bind(engine);
  engine.countTokens = (messages) => {
    const n = count(messages);
    tokenized += n;
    return n;
  };
});
afterAll(async () => {
  await core.dispose();
});

/** A long turn (`length` words each of user text and answer, ~7 tokens a word), for the session store. */
function longTurn(sessionId: string, i: number, length = 60): SessionTurn {
  const words = (prefix: string) => Array.from({ length }, (_, w) => `${prefix}${i}w${w}`).join(" ");
  return { packetId: `seed-${i}`, sessionId, at: new Date().toISOString(), user: words("q"), assistant: words("a") };
}

async function seed(sessionId: string, turns: number, length?: number): Promise<void> {
  for (let i = 0; i < turns; i++) await core.store.appendTurn(longTurn(sessionId, i, length));
}

async function post(
  sessionId: string,
  packetId: string,
  prompt = "And then?",
): Promise<TurnFacts & { tokenized: number }> {
  tokenized = 0;
  const res = await request(core.app)
    .post("/process_packet")
    .set("Content-Type", "application/json")
    .send(JSON.stringify(turnPacket({ sessionId, packetId, prompt, temperature: 0 })));
  expect(res.status).toBe(200);
  return { ...turnFacts(res.body), tokenized };
}

describe("full-history mode over a long session", () => {
  it("tokenizes about as much per packet at 400 stored turns as at 40, bounded by the context", async () => {
    await seed("long-40", 40);
    await seed("long-400", 400);
    const short = await post("long-40", "p-40");
    const long = await post("long-400", "p-400");
    expect(short.summary).toMatch(/history_mode=full/);
    // the prompt is at the budget in both: only what can fit is counted, whatever the session holds
    const bound = 4 * core.config.contextSize;
    expect(short.tokenized).toBeLessThan(bound);
    expect(long.tokenized).toBeLessThan(bound);
    expect(long.tokenized).toBeLessThan(2 * short.tokenized);
  });

  it("stores each new turn with its token count, so the next packets read it instead of counting", async () => {
    const first = await post("long-400", "p-401");
    const turns = await core.store.load("long-400");
    const stored = turns.find((t) => t.packetId === "p-401");
    expect(stored?.meta?.tokens).toEqual(expect.any(Number));
    expect(stored!.meta!.tokens as number).toBeGreaterThan(0);
    expect(first.tokenized).toBeGreaterThan(0);
  });

  it("keeps the window's start for consecutive packets, so most next turns reuse the KV prefix", async () => {
    await seed("long-window", 200, 10);
    // each new turn is about as long as a stored one, so it pushes an old turn out of the budget
    const prompt = longTurn("long-window", 999, 20).user;
    const facts: TurnFacts[] = [];
    for (let i = 0; i < 7; i++) facts.push(await post("long-window", `w-${i}`, prompt));
    const verbatim = (f: TurnFacts) => Number(/turns_verbatim=(\d+)/.exec(f.summary)?.[1]);
    expect(verbatim(facts[0]!)).toBeGreaterThan(0);
    // dropping the oldest turn on every packet would change the prompt right after the system message every time
    const reused = facts.slice(1).filter((f) => f.kvReusedTokens > f.promptTokens / 2);
    expect(reused.length).toBeGreaterThanOrEqual(3);
  });
});
