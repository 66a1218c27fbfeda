// Scale-out with real processes: three compiled cores sharing one real redis-server, the compiled gateway hashing
// sessions over them. A conversation keeps its history whichever replica answers; a packet re-sent 50 times at once
// across the replicas is one turn; /v1 conversations spread over the replicas, each keeping its own (by `user`, else by
// its system + first user message); Redis killed and restarted mid-run gives 503s, not a broken session, and the
// same core processes serve again without a restart.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Redis } from "ioredis";
import { RedisSessionStore } from "../../services/core/sessions/RedisSessionStore.js";
import { openAIAffinity } from "../../services/web/affinity/openAIAffinity.js";
import { rendezvousOrder } from "../../services/web/affinity/rendezvousOrder.js";
import { turnFacts, turnPacket } from "../fixtures/turnPackets.js";
import { type ServiceProcess, spawnCore, spawnService, tempDir } from "../support/processes.js";
import { type RedisServer, redisAvailable, startRedisServer, uniquePrefix } from "../support/redisServer.js";
import { waitFor } from "../support/waitFor.js";

const enabled = redisAvailable("scale-out replicas on Redis");
const describeRedis = enabled ? describe : describe.skip;

type Core = Awaited<ReturnType<typeof spawnCore>>;

/** How the Redis store names a session in its keys. */
const sessionHash = (sessionId: string) => createHash("sha256").update(sessionId, "utf8").digest("hex").slice(0, 32);

describeRedis("three core replicas on one Redis behind the gateway", () => {
  let redis: RedisServer;
  let cores: Core[] = [];
  let gateway: ServiceProcess;
  let store: RedisSessionStore;
  let raw: Redis;
  const prefix = uniquePrefix("replicas");

  beforeAll(async () => {
    redis = await startRedisServer({ appendOnly: true });
    const env = {
      GAIA_SESSION_STORE: redis.url,
      GAIA_REDIS_PREFIX: prefix,
      GAIA_MAX_TOKENS_CAP: "8",
      GAIA_EMBED_MODEL_DIR: "none",
      LOG_LEVEL: "warn",
    };
    // three models loading at once on a busy machine: generous, and every started core is kept for afterAll
    const started = await Promise.allSettled([0, 1, 2].map(() => spawnCore({ env, readyTimeoutMs: 120_000 })));
    cores = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    gateway = await spawnService({
      entry: "dist/services/web/main.js",
      env: {
        CORE_ENDPOINTS: cores.map((c) => c.url).join(","),
        GAIA_MAINTENANCE_FLAG: `${tempDir("gaia-web-flag-")}/ha_maintenance`,
        GAIA_RETRY_BASE_DELAY_MS: "50",
        GAIA_BREAKER_HALF_OPEN_MS: "200",
        LOG_LEVEL: "warn",
      },
    });
    store = new RedisSessionStore({ url: redis.url, prefix });
    raw = new Redis(redis.url);
  }, 300_000);

  afterAll(async () => {
    await store?.close();
    raw?.disconnect();
    await gateway?.kill();
    await Promise.all(cores.map((c) => c.kill()));
    await redis?.stop();
  });

  const post = (url: string, packet: unknown) =>
    fetch(`${url}/process_packet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(packet),
    });

  const turn = (sessionId: string, packetId: string, prompt = `say ${packetId}`) =>
    turnPacket({ sessionId, packetId, prompt, temperature: 0, maxTokens: 8 });

  const verbatim = (summary: string) => Number(/turns_verbatim=(\d+)/.exec(summary)?.[1] ?? "-1");

  it("keeps a conversation's whole history when its turns land on different replicas", async () => {
    const session = "across-replicas";
    const preferred = rendezvousOrder(
      session,
      cores.map((c) => c.url),
    )[0];
    const first = await post(gateway.url, turn(session, "t1"));
    expect(first.status).toBe(200);
    expect(first.headers.get("x-gaia-upstream")).toBe(preferred);
    const second = await post(gateway.url, turn(session, "t2"));
    expect(second.headers.get("x-gaia-upstream")).toBe(preferred); // affinity: same replica, warm KV cache
    expect(verbatim(turnFacts(await second.json()).summary)).toBe(1);

    const others = cores.filter((c) => c.url !== preferred);
    const third = await post(others[0]?.url as string, turn(session, "t3"));
    expect(third.status).toBe(200);
    expect(verbatim(turnFacts(await third.json()).summary)).toBe(2);
    const fourth = await post(others[1]?.url as string, turn(session, "t4"));
    expect(verbatim(turnFacts(await fourth.json()).summary)).toBe(3);
    const fifth = await post(gateway.url, turn(session, "t5"));
    expect(verbatim(turnFacts(await fifth.json()).summary)).toBe(4);

    expect((await store.load(session)).map((t) => t.packetId)).toEqual(["t1", "t2", "t3", "t4", "t5"]);
  });

  /** A /v1 chat completion through the gateway: which replica answered it. */
  const chat = async (request: Record<string, unknown>) => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gaia", max_tokens: 2, temperature: 0, ...request }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    return res.headers.get("x-gaia-upstream");
  };

  it("spreads /v1 conversations over the replicas, and each conversation keeps its replica", async () => {
    const urls = cores.map((c) => c.url);
    const system = { role: "system", content: "You are GAIA." };
    const opening = (i: number) => [system, { role: "user", content: `conversation ${i}: hello` }];
    const preferredOf = (i: number) =>
      rendezvousOrder(openAIAffinity(Buffer.from(JSON.stringify({ messages: opening(i) })))?.key ?? "", urls)[0];
    // one conversation per replica, picked by where the gateway should send each
    const picked = urls.map((url) => Array.from({ length: 200 }, (_, i) => i).find((i) => preferredOf(i) === url));
    expect(picked).not.toContain(undefined);
    for (const i of picked as number[]) {
      const first = await chat({ messages: opening(i) });
      expect(first).toBe(preferredOf(i));
      const later = [...opening(i), { role: "assistant", content: "Hi." }, { role: "user", content: "and then?" }];
      expect(await chat({ messages: later })).toBe(first); // the next turn finds the same replica
    }
  });

  it("sends every /v1 request of one `user` to one replica, whatever the conversation", async () => {
    const urls = cores.map((c) => c.url);
    const expected = rendezvousOrder(
      openAIAffinity(Buffer.from(JSON.stringify({ user: "alice" })))?.key ?? "",
      urls,
    )[0];
    for (const content of ["first topic", "second topic", "third topic"])
      expect(await chat({ user: "alice", messages: [{ role: "user", content }] })).toBe(expected);
  });

  it("stores one turn for 50 concurrent re-sends of one packet_id across replicas, all with that answer", async () => {
    const packet = turn("resend-storm", "only-once");
    const targets = [...cores.map((c) => c.url), gateway.url];
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post(targets[i % targets.length] as string, packet)),
    );
    const bodies = await Promise.all(
      responses.map(async (r) => ({ status: r.status, answer: turnFacts(await r.json()).answer })),
    );
    expect(bodies.map((b) => b.status)).toEqual(Array(50).fill(200));
    expect(new Set(bodies.map((b) => b.answer)).size).toBe(1);
    const stored = await store.load("resend-storm");
    expect(stored.map((t) => t.packetId)).toEqual(["only-once"]);
    expect(stored[0]?.assistant.trim()).toBe(bodies[0]?.answer);
  });

  it("lands two packets of one session sent to two replicas, in order of arrival", async () => {
    const session = "two-at-once";
    const [a, b] = cores;
    const first = post(
      a?.url as string,
      turnPacket({ sessionId: session, packetId: "first", prompt: "a longer one", temperature: 0, maxTokens: 8 }),
    );
    // the second is sent once the first has claimed its packet_id on its replica (it has arrived)
    await waitFor(
      "the first packet's claim",
      async () => (await raw.keys(`${prefix}session:${sessionHash(session)}:claim:*`)).length > 0,
      { everyMs: 5 },
    );
    const second = post(
      b?.url as string,
      turnPacket({ sessionId: session, packetId: "second", prompt: "short", temperature: 0, maxTokens: 1 }),
    );
    expect([(await first).status, (await second).status]).toEqual([200, 200]);
    expect((await store.load(session)).map((t) => t.packetId)).toEqual(["first", "second"]);
  });

  it("answers 503 while Redis is down, keeps the session intact, and serves again without restarting", async () => {
    const session = "outage";
    for (const id of ["o1", "o2"]) expect((await post(gateway.url, turn(session, id))).status).toBe(200);
    const pids = cores.map((c) => c.child.pid);

    await redis.kill();
    const direct = await post(cores[0]?.url as string, turn(session, "o3"));
    expect(direct.status).toBe(503);
    expect(Number(direct.headers.get("retry-after"))).toBeGreaterThan(0);
    const problem = (await direct.json()) as { title: string; store: string; reason: string };
    expect(problem.title).toBe("Session Store Unavailable");
    expect(problem.store).toMatch(/^redis 127\.0\.0\.1:\d+$/);
    for (const core of cores) {
      const health = await fetch(`${core.url}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: "unavailable", session_store: { writable: false } });
    }
    expect((await post(gateway.url, turn(session, "o3"))).status).toBe(503); // every replica says so: nowhere to go

    await redis.restart();
    for (const core of cores) {
      await waitFor(`${core.url} ready again`, async () => (await fetch(`${core.url}/health`)).status === 200, {
        timeoutMs: 20_000,
        everyMs: 100,
      });
    }
    // the gateway's breakers close after their half-open probe
    const resumed = await waitFor(
      "the gateway to serve again",
      async () => {
        const res = await post(gateway.url, turn(session, "o3"));
        return res.status === 200 && res;
      },
      { everyMs: 250 },
    );
    expect(resumed.status).toBe(200);
    expect(verbatim(turnFacts(await resumed.json()).summary)).toBe(2);
    expect((await store.load(session)).map((t) => t.packetId)).toEqual(["o1", "o2", "o3"]);
    expect(cores.map((c) => c.child.pid)).toEqual(pids);
    for (const core of cores) {
      expect(core.child.exitCode).toBeNull();
      const outageLines = core
        .output()
        .split("\n")
        .filter((l) => l.includes("session store unavailable"));
      expect(outageLines).toHaveLength(1); // once per outage, not once per request
    }
  });
});
