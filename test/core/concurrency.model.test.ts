// Several packets at once on the real bundled GGUF, over real HTTP on 127.0.0.1: sessions stay separate, a full queue
// answers 503 + Retry-After, /health is not stalled by a long turn, and a client that goes away cancels its generation.

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { CognitionPacket } from "../../shared/packet/index.js";
import { type TurnSpec, turnFacts, turnPacket } from "../fixtures/turnPackets.js";
import { TINY_TEST_MODEL } from "../support/processes.js";
import { startTestCore, type TestCore } from "../support/testCore.js";
import { waitFor } from "../support/waitFor.js";

interface Served {
  core: TestCore;
  server: Server;
  url: string;
}

async function serve(env: Record<string, string>): Promise<Served> {
  const core = await startTestCore({ env });
  expect(core.state.status).toBe("ready");
  const server = await new Promise<Server>((resolve) => {
    const s = core.app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return { core, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stop(served: Served | undefined): Promise<void> {
  if (!served) return;
  served.server.closeAllConnections();
  await new Promise<void>((resolve) => served.server.close(() => resolve()));
  await served.core.dispose();
}

const postPacket = (url: string, packet: CognitionPacket, init: { ndjson?: boolean; signal?: AbortSignal } = {}) =>
  fetch(`${url}/process_packet`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(init.ndjson ? { Accept: "application/x-ndjson" } : {}) },
    body: JSON.stringify(packet),
    ...(init.signal ? { signal: init.signal } : {}),
  });

interface Queue {
  active: number;
  waiting: number;
  capacity: number;
}

async function queueOf(url: string): Promise<Queue> {
  const res = await fetch(`${url}/health`);
  return ((await res.json()) as { queue: Queue }).queue;
}

/** Polls /health until the queue matches; these waits bound a poll loop, they assert nothing about speed. */
async function waitForQueue(url: string, matches: (q: Queue) => boolean, what: string): Promise<void> {
  await waitFor(`the queue: ${what}`, async () => matches(await queueOf(url)), { timeoutMs: 30_000, everyMs: 2 });
}

/** Reads an NDJSON response until the first token line; returns the reader to continue or cancel. */
async function untilFirstToken(res: Response): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before any token: ${text}`);
    text += decoder.decode(value, { stream: true });
    if (text.split("\n").some((line) => line.startsWith('{"type":"token"'))) return reader;
  }
}

/**
 * A turn that generates for a long time on the tiny random-weight model: greedy decoding (temperature 0) loops on
 * repeated text rather than ending, and the cap allows up to half the 2048-token context.
 */
const LONG_ENV = { GAIA_LITE_MODEL: TINY_TEST_MODEL, GAIA_MAX_TOKENS_CAP: "1024", GAIA_CONTEXT_SIZE: "2048" };
const longTurn = (sessionId: string, packetId: string, maxTokens = 1024): TurnSpec => ({
  sessionId,
  packetId,
  prompt: "Tell me a very long story about the sea",
  temperature: 0,
  maxTokens,
});

describe("several sessions at once (GAIA_PARALLEL=2)", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve({ GAIA_PARALLEL: "2", GAIA_QUEUE_SIZE: "16", GAIA_MAX_TOKENS_CAP: "16" });
  });
  afterAll(async () => {
    await stop(served);
  });

  it("answers every packet 200 and each session's file gets exactly its own turns", async () => {
    const sessions = ["conc-a", "conc-b", "conc-c", "conc-d", "conc-e"];
    const prompt = (s: string, turn: number) => `Turn ${turn} of ${s}: say something`;
    for (const turn of [1, 2]) {
      const responses = await Promise.all(
        sessions.map((s) =>
          postPacket(
            served.url,
            turnPacket({ sessionId: s, packetId: `${s}-${turn}`, prompt: prompt(s, turn), temperature: 0.8 }),
          ),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(sessions.map(() => 200));
      const bodies = await Promise.all(responses.map((r) => r.json()));
      for (const [i, body] of bodies.entries()) {
        expect((body as CognitionPacket).header.session_id).toBe(sessions[i]);
        expect(turnFacts(body).summary).toMatch(new RegExp(`turns_verbatim=${turn - 1}`));
      }
    }
    for (const s of sessions) {
      const turns = await served.core.store.load(s);
      expect(turns.map((t) => [t.packetId, t.user])).toEqual([
        [`${s}-1`, prompt(s, 1)],
        [`${s}-2`, prompt(s, 2)],
      ]);
    }
  });

  it("stores one turn when the same packet is sent several times at once", async () => {
    const packet = turnPacket({ sessionId: "conc-dup", packetId: "dup-1", prompt: "Once only", temperature: 0.8 });
    const responses = await Promise.all([1, 2, 3].map(() => postPacket(served.url, packet)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const answers = await Promise.all(
      responses.map(async (r) => ((await r.json()) as CognitionPacket).response.candidate),
    );
    expect(new Set(answers).size).toBe(1);
    expect((await served.core.store.load("conc-dup")).map((t) => t.packetId)).toEqual(["dup-1"]);
  });
});

describe("one sequence, one waiting place (GAIA_PARALLEL=1, GAIA_QUEUE_SIZE=1), long turns", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve({ ...LONG_ENV, GAIA_PARALLEL: "1", GAIA_QUEUE_SIZE: "1" });
  });
  afterAll(async () => {
    await stop(served);
  });

  it("answers a third concurrent packet 503 with Retry-After and problem+json", async () => {
    const { url } = served;
    const firstClient = new AbortController();
    const secondClient = new AbortController();
    const first = await postPacket(url, turnPacket(longTurn("full-1", "full-1-p")), {
      ndjson: true,
      signal: firstClient.signal,
    });
    await untilFirstToken(first); // generating
    const second = postPacket(url, turnPacket(longTurn("full-2", "full-2-p")), { signal: secondClient.signal }).catch(
      () => null,
    );
    await waitForQueue(url, (q) => q.active === 1 && q.waiting === 1, "one generating, one waiting");
    const third = await postPacket(url, turnPacket(longTurn("full-3", "full-3-p")));
    expect(third.status).toBe(503);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(third.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(await third.json()).toMatchObject({ status: 503, title: "Queue Full" });
    expect(await served.core.store.load("full-3")).toEqual([]);
    // the waiting client gives up, then the generating one: both are cancelled, nothing is stored, the queue empties
    secondClient.abort();
    await waitForQueue(url, (q) => q.active === 1 && q.waiting === 0, "the waiter removed");
    firstClient.abort();
    await second;
    await waitForQueue(url, (q) => q.active === 0 && q.waiting === 0, "the slot freed");
    expect(await served.core.store.load("full-1")).toEqual([]);
    expect(await served.core.store.load("full-2")).toEqual([]);
  });

  it("answers /health while a long turn is generating (before that turn completes)", async () => {
    const { url } = served;
    const order: string[] = [];
    const generating = postPacket(url, turnPacket(longTurn("health-long", "health-long-p", 400)), {
      ndjson: true,
    }).then(async (res) => {
      const reader = await untilFirstToken(res);
      order.push("first token");
      while (!(await reader.read()).done) {
        /* drain */
      }
      order.push("turn complete");
      return res.status;
    });
    await waitForQueue(url, (q) => q.active === 1, "the long turn generating");
    await waitFor("the first token", () => order.includes("first token"), { everyMs: 1 });
    const health = await fetch(`${url}/health`);
    order.push("health answered");
    expect(health.status).toBe(200);
    expect(await generating).toBe(200);
    expect(order).toEqual(["first token", "health answered", "turn complete"]);
    const stored = await served.core.store.load("health-long");
    expect(stored).toHaveLength(1);
    expect(stored[0]!.meta).toMatchObject({ outcome: { stop_reason: "max_tokens" } }); // it really was long
  });

  it("cancels generation when the client disconnects mid-stream, and frees the slot", async () => {
    const { url } = served;
    const client = new AbortController();
    const res = await postPacket(url, turnPacket(longTurn("gone", "gone-p")), { ndjson: true, signal: client.signal });
    await untilFirstToken(res);
    client.abort(); // the socket closes mid-stream
    await waitForQueue(url, (q) => q.active === 0 && q.waiting === 0, "the slot freed");
    expect(await served.core.store.load("gone")).toEqual([]); // no turn for the cancelled packet
    const next = await postPacket(
      url,
      turnPacket({ sessionId: "gone", packetId: "after-p", prompt: "Still there?", temperature: 0.8, maxTokens: 8 }),
    );
    expect(next.status).toBe(200);
    expect((await served.core.store.load("gone")).map((t) => t.packetId)).toEqual(["after-p"]);
  });

  it("answers a copy that waited on a packet whose first client left mid-stream (the copy generates it itself)", async () => {
    const { url } = served;
    const first = new AbortController();
    const packet = turnPacket(longTurn("left", "left-p", 64));
    const res = await postPacket(url, packet, { ndjson: true, signal: first.signal });
    await untilFirstToken(res);
    const copy = postPacket(url, packet); // the same packet_id while the first is still generating
    await waitForQueue(url, (q) => q.active === 1, "the first copy generating");
    first.abort();
    const answered = await copy;
    expect(answered.status).toBe(200);
    const completed = (await answered.json()) as CognitionPacket;
    expect(completed.status.state).toBe("completed");
    expect((await served.core.store.load("left")).map((t) => t.packetId)).toEqual(["left-p"]);
  });
});
