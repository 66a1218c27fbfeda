// One contract, every backend: the file store and the Redis store (a real redis-server) must behave the same for
// everything the pipeline relies on. A backend is "opened" more than once to stand for a restarted core (file) or
// another replica (Redis) reading the same storage.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { FileSessionStore } from "../../../services/core/sessions/FileSessionStore.js";
import { RedisSessionStore } from "../../../services/core/sessions/RedisSessionStore.js";
import type { SessionStore, SessionTurn } from "../../../services/core/sessions/SessionStore.js";
import { TokenCountingSessionStore } from "../../../services/core/sessions/TokenCountingSessionStore.js";
import { tempDir } from "../../support/processes.js";
import { redisAvailable, redisForSuite, uniquePrefix } from "../../support/redisServer.js";
import { waitFor } from "../../support/waitFor.js";

interface Backend {
  /** A store on the backend's storage for this test (same storage on every call within one test). */
  open(): SessionStore;
}

type BackendFactory = () => Backend;

const turn = (sessionId: string, packetId: string, text = "hello", extra: Partial<SessionTurn> = {}): SessionTurn => ({
  packetId,
  sessionId,
  at: new Date().toISOString(),
  user: text,
  assistant: `answer to ${text} `,
  ...extra,
});

const opened: SessionStore[] = [];
let redisUrl = "";
let stopRedis: () => Promise<void> = async () => {};
const withRedis = redisAvailable("session store contract (redis)");

beforeAll(async () => {
  if (!withRedis) return;
  const redis = await redisForSuite();
  redisUrl = redis.url;
  stopRedis = redis.stop;
});

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await stopRedis();
});

const fileBackend: BackendFactory = () => {
  const dir = path.join(tempDir("gaia-contract-"), "sessions");
  return { open: () => remember(new FileSessionStore({ dir })) };
};

const redisBackend: BackendFactory = () => {
  const prefix = uniquePrefix("contract");
  return { open: () => remember(new RedisSessionStore({ url: redisUrl, prefix, claimPollMs: 10 })) };
};

function remember<S extends SessionStore>(store: S): S {
  opened.push(store);
  return store;
}

/** A Redis store connects in the background; the contract starts once it can be written. */
async function ready(store: SessionStore): Promise<SessionStore> {
  await waitFor("the store to become writable", () => store.health().writable, { everyMs: 10 });
  return store;
}

const backends: [string, BackendFactory, boolean][] = [
  ["file", fileBackend, true],
  ["redis", redisBackend, withRedis],
];

describe.each(backends)("SessionStore contract: %s", (_name, backendFactory, enabled) => {
  const maybe = enabled ? it : it.skip;
  let backend: Backend;
  let store: SessionStore;

  beforeAll(async () => {
    if (!enabled) return;
    backend = backendFactory();
    store = await ready(backend.open());
  });

  maybe("is writable once ready, and an unknown session is empty", async () => {
    expect(store.health()).toMatchObject({ writable: true });
    expect(store.health().reason).toBeUndefined();
    expect(await store.load("never-seen")).toEqual([]);
  });

  maybe("keeps turns in the order they were stored, per session, with every field", async () => {
    for (let i = 0; i < 20; i++) {
      await store.appendTurn(turn("order", `p${i}`, `text ${i}`, { meta: { outcome: { n: i } } }));
      if (i % 5 === 0) await store.appendTurn(turn("other", `p${i}`));
    }
    const turns = await (await ready(backend.open())).load("order");
    expect(turns.map((t) => t.packetId)).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`));
    expect(turns[7]).toMatchObject({
      sessionId: "order",
      user: "text 7",
      assistant: "answer to text 7 ", // stored untrimmed, as generated
      meta: { outcome: { n: 7 } },
    });
    expect(typeof turns[7]?.at).toBe("string");
    expect((await store.load("other")).map((t) => t.packetId)).toEqual(["p0", "p5", "p10", "p15"]);
  });

  maybe("stores each turn's token count in its meta (counted once), read back by another instance", async () => {
    let counts = 0;
    const counting = new TokenCountingSessionStore(store, (messages) => {
      counts += 1;
      return messages.reduce((n, m) => n + m.content.length + 1, 0);
    });
    await counting.appendTurn(turn("counted", "c1", "four", { meta: { outcome: { n: 1 } } }));
    const [stored] = await (await ready(backend.open())).load("counted");
    expect(stored?.meta).toEqual({ outcome: { n: 1 }, tokens: expect.any(Number) });
    expect(stored!.meta!.tokens as number).toBeGreaterThan(0);
    expect(counts).toBe(2);
  });

  maybe("is append-only: a re-sent packet_id returns the stored turn, also from another instance", async () => {
    const first = await store.appendTurn(turn("idem", "p1", "one"));
    expect(first.duplicate).toBe(false);
    const again = await (await ready(backend.open())).appendTurn(turn("idem", "p1", "changed"));
    expect(again).toMatchObject({ duplicate: true, stored: { packetId: "p1", user: "one" } });
    expect((await store.load("idem")).map((t) => t.user)).toEqual(["one"]);
  });

  maybe("never loses or doubles a turn under concurrent appends to one session", async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.appendTurn(turn("conc", `p${i % 25}`))));
    const turns = await (await ready(backend.open())).load("conc");
    expect(turns).toHaveLength(25);
    expect(new Set(turns.map((t) => t.packetId)).size).toBe(25);
  });

  maybe("attaches a vector later, once (the first one wins), and keeps a vector given with the turn", async () => {
    await store.appendTurn(turn("vec", "late"));
    await store.appendTurn(turn("vec", "early", "x", { vector: [0.5, -0.25] }));
    expect((await store.load("vec"))[0]?.vector).toBeUndefined();
    await store.attachVector("vec", "late", [0.1, 0.2]);
    await store.attachVector("vec", "late", [0.9, 0.9]);
    await store.attachVector("vec", "no-such-packet", [1, 1]);
    const turns = await (await ready(backend.open())).load("vec");
    expect(turns.map((t) => [t.packetId, t.vector])).toEqual([
      ["late", [0.1, 0.2]],
      ["early", [0.5, -0.25]],
    ]);
  });

  maybe(
    "keeps an answer's tokens with its turn, for a reader on any store (the next prompt carries them)",
    async () => {
      const answerTokens = { tokenizer: "0123456789abcdef", ids: [5, 0, 151643] };
      await store.appendTurn(turn("tokens", "with", "a", { answerTokens }));
      await store.appendTurn(turn("tokens", "without", "b"));
      const turns = await (await ready(backend.open())).load("tokens");
      expect(turns.map((t) => [t.packetId, t.answerTokens])).toEqual([
        ["with", answerTokens],
        ["without", undefined],
      ]);
    },
  );

  maybe("replays by packet_id: a claim on an answered packet returns the stored turn", async () => {
    await store.appendTurn(turn("replay", "done", "question", { meta: { outcome: { stop_reason: "eos" } } }));
    const claim = await (await ready(backend.open())).claim("replay", "done");
    expect(claim).toMatchObject({
      kind: "answered",
      turn: { packetId: "done", user: "question", meta: { outcome: { stop_reason: "eos" } } },
    });
  });

  maybe("lets one caller claim a packet; a concurrent caller waits and gets the stored answer", async () => {
    const first = await store.claim("claim", "p");
    expect(first.kind).toBe("claimed");
    let secondSettled = false;
    const second = store.claim("claim", "p").finally(() => {
      secondSettled = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(secondSettled).toBe(false); // still waiting: the first caller has not answered
    await store.appendTurn(turn("claim", "p", "the one answer"));
    if (first.kind === "claimed") await first.release();
    expect(await second).toMatchObject({ kind: "answered", turn: { user: "the one answer" } });
  });

  maybe("hands the claim to a waiting caller when the holder releases without storing (cancelled)", async () => {
    const first = await store.claim("cancel", "p");
    const second = store.claim("cancel", "p");
    if (first.kind === "claimed") await first.release();
    const next = await second;
    expect(next.kind).toBe("claimed");
    if (next.kind === "claimed") await next.release();
  });

  maybe("stops waiting when the waiting caller's signal aborts", async () => {
    const first = await store.claim("abort", "p");
    const controller = new AbortController();
    const waiting = store.claim("abort", "p", { signal: controller.signal });
    controller.abort(new Error("client went away"));
    await expect(waiting).rejects.toThrow("client went away");
    if (first.kind === "claimed") await first.release();
  });

  maybe.each(
    ["../../etc/passwd", "with\u0000nul", "x".repeat(10_000), "", "séance-🎉", "a\nb"].map((id) => [
      JSON.stringify(id).slice(0, 24),
      id,
    ]),
  )("stores session id %s as given", async (_label, sessionId) => {
    await store.appendTurn(turn(sessionId, "p"));
    expect((await store.load(sessionId)).map((t) => t.sessionId)).toEqual([sessionId]);
  });

  maybe("counts sessions", async () => {
    const fresh = await ready(backendFactory().open());
    expect(await fresh.count()).toBe(0);
    await fresh.appendTurn(turn("c1", "p"));
    await fresh.appendTurn(turn("c2", "p"));
    await fresh.appendTurn(turn("c2", "q"));
    expect(await fresh.count()).toBe(2);
  });
});
