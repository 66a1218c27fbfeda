// What only a shared store faces, against a real redis-server: replicas racing for one packet, arrival order across
// replicas, a replica dying with a claim, key namespacing, idle TTL, round trips, and Redis itself going away.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Redis } from "ioredis";
import { pino } from "pino";
import { RedisSessionStore, type RedisSessionStoreOptions } from "../../../services/core/sessions/RedisSessionStore.js";
import type { SessionStore, SessionTurn } from "../../../services/core/sessions/SessionStore.js";
import { SessionStoreUnavailableError } from "../../../services/core/sessions/SessionStoreUnavailableError.js";
import { type RedisServer, redisAvailable, startRedisServer, uniquePrefix } from "../../support/redisServer.js";
import { waitFor } from "../../support/waitFor.js";

const turn = (sessionId: string, packetId: string, text = "hello"): SessionTurn => ({
  packetId,
  sessionId,
  at: new Date().toISOString(),
  user: text,
  assistant: `answer to ${text}`,
});

const until = (what: string, check: () => boolean | Promise<boolean>) => waitFor(what, check, { timeoutMs: 15_000 });

const enabled = redisAvailable("RedisSessionStore (replicas, TTL, outage)");
const describeRedis = enabled ? describe : describe.skip;

describeRedis("RedisSessionStore on a real redis-server", () => {
  let server: RedisServer;
  let raw: Redis;
  const stores: SessionStore[] = [];

  const open = async (options: Partial<RedisSessionStoreOptions> & { prefix: string }) => {
    const store = new RedisSessionStore({ url: server.url, claimPollMs: 10, ...options });
    stores.push(store);
    await until("the store to connect", () => store.health().writable);
    return store;
  };

  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url);
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    raw.disconnect();
    await server.stop();
  });

  it("lets exactly one of 50 concurrent claims across two replicas answer; all others get that answer", async () => {
    const prefix = uniquePrefix("race");
    const replicas = [await open({ prefix }), await open({ prefix })];
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const store = replicas[i % 2] as SessionStore;
        const claim = await store.claim("race", "same-packet");
        if (claim.kind === "answered") return claim.turn.assistant;
        await new Promise((r) => setTimeout(r, 50)); // "inference"
        const { stored } = await store.appendTurn(turn("race", "same-packet", `from caller ${i}`));
        await claim.release();
        return stored.assistant;
      }),
    );
    expect(new Set(answers).size).toBe(1);
    expect(await replicas[0]?.load("race")).toHaveLength(1);
  });

  it("orders two packets of one session by arrival (claim), not by which replica finished first", async () => {
    const prefix = uniquePrefix("order");
    const [a, b] = [await open({ prefix }), await open({ prefix })];
    const first = await a.claim("s", "arrived-first");
    const second = await b.claim("s", "arrived-second");
    await b.appendTurn(turn("s", "arrived-second")); // the short answer finishes first
    await a.appendTurn(turn("s", "arrived-first"));
    for (const claim of [first, second]) if (claim.kind === "claimed") await claim.release();
    expect((await a.load("s")).map((t) => t.packetId)).toEqual(["arrived-first", "arrived-second"]);
  });

  it("frees the claim of a replica that died mid-answer once it expires, so another replica answers", async () => {
    const prefix = uniquePrefix("expiry");
    const dying = await open({ prefix, claimTtlMs: 300 });
    const survivor = await open({ prefix, claimTtlMs: 300 });
    expect((await dying.claim("e", "p")).kind).toBe("claimed");
    await dying.close(); // gone without releasing: nobody extends the claim any more
    const next = await survivor.claim("e", "p");
    expect(next.kind).toBe("claimed");
    if (next.kind === "claimed") await next.release();
  });

  it("keeps every key under its prefix, and another prefix sees none of it", async () => {
    const prefix = uniquePrefix("ns");
    const store = await open({ prefix });
    await store.appendTurn(turn("ns", "p1"));
    await store.attachVector("ns", "p1", [1, 2]);
    const claim = await store.claim("ns", "p2");
    const keys = await raw.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThanOrEqual(5); // turns, order, vectors, seq, claim, session index
    const all = await raw.keys("*");
    const ours = all.filter((k) => !k.startsWith("gaia-test:") || k.startsWith(prefix));
    expect(ours.sort()).toEqual(keys.sort());
    const other = await open({ prefix: uniquePrefix("ns-other") });
    expect(await other.load("ns")).toEqual([]);
    expect(await other.count()).toBe(0);
    if (claim.kind === "claimed") await claim.release();
  });

  it("lets Redis delete an idle session after the configured TTL (and keeps sessions forever by default)", async () => {
    const prefix = uniquePrefix("ttl");
    const store = await open({ prefix, sessionTtlMs: 1000 });
    await store.appendTurn(turn("idle", "p1"));
    const ttls = await Promise.all((await raw.keys(`${prefix}session:*`)).map((key) => raw.pttl(key)));
    expect(ttls.length).toBeGreaterThan(0);
    for (const ttl of ttls) expect(ttl).toBeGreaterThan(0);
    for (const ttl of ttls) expect(ttl).toBeLessThanOrEqual(1000);
    await until("the idle session to expire", async () => (await store.load("idle")).length === 0);
    expect(await store.count()).toBe(0);

    const forever = uniquePrefix("no-ttl");
    await (await open({ prefix: forever })).appendTurn(turn("kept", "p1"));
    for (const key of await raw.keys(`${forever}*`)) expect(await raw.pttl(key)).toBe(-1);
  });

  it("loads a session in one round trip", async () => {
    const prefix = uniquePrefix("rtt");
    const store = await open({ prefix });
    for (let i = 0; i < 5; i++) await store.appendTurn(turn("rtt", `p${i}`));
    await store.attachVector("rtt", "p2", [0.5]);
    await store.load("rtt"); // ioredis sends a script's source (EVAL) on its first use per connection, EVALSHA after
    const monitor = await raw.monitor();
    const commands: string[] = [];
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      if (source !== "lua") commands.push(String(args[0]).toLowerCase());
    });
    await new Promise((r) => setTimeout(r, 50));
    const turns = await store.load("rtt");
    await until("the monitor to see the load", () => commands.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    monitor.disconnect();
    expect(turns.map((t) => t.packetId)).toEqual(["p0", "p1", "p2", "p3", "p4"]);
    expect(turns[2]?.vector).toEqual([0.5]);
    expect(commands).toEqual(["evalsha"]);
  });

  it("runs its scripts again after the server forgot them (SCRIPT FLUSH: NOSCRIPT, then the source is sent)", async () => {
    const store = await open({ prefix: uniquePrefix("noscript") });
    await store.appendTurn(turn("flushed", "p1"));
    await raw.script("FLUSH");
    await store.appendTurn(turn("flushed", "p2"));
    expect((await store.load("flushed")).map((t) => t.packetId)).toEqual(["p1", "p2"]);
  });
});

describeRedis("RedisSessionStore while Redis is down", () => {
  let server: RedisServer;
  let store: RedisSessionStore;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = await startRedisServer({ appendOnly: true });
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    store = new RedisSessionStore({ url: server.url, prefix: uniquePrefix("down"), logger });
    await until("the store to connect", () => store.health().writable);
  });

  afterAll(async () => {
    await store.close();
    await server.stop();
  });

  it("fails fast with the cause, reports unwritable, logs once, and comes back by itself with its data", async () => {
    for (let i = 0; i < 3; i++) await store.appendTurn(turn("kept", `p${i}`));
    await server.kill();
    await until("health to report the outage", () => !store.health().writable);
    expect(store.health()).toMatchObject({ writable: false, reason: expect.any(String), since: expect.any(String) });

    const failures = await Promise.allSettled(Array.from({ length: 10 }, () => store.load("kept")));
    for (const failure of failures) {
      expect(failure.status).toBe("rejected");
      const error = (failure as PromiseRejectedResult).reason as SessionStoreUnavailableError;
      expect(error).toBeInstanceOf(SessionStoreUnavailableError);
      expect(error.store).toMatch(/^redis 127\.0\.0\.1:\d+$/);
      expect(error.retryAfterSeconds).toBeGreaterThan(0);
    }
    await expect(store.appendTurn(turn("kept", "while-down"))).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await expect(store.claim("kept", "while-down")).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    const outageLines = lines.filter((l) => l.msg === "session store unavailable; reconnecting with backoff");
    expect(outageLines).toHaveLength(1);

    await server.restart();
    await until("the store to reconnect by itself", () => store.health().writable);
    expect(store.health()).toEqual({ writable: true, store: expect.stringMatching(/^redis 127\.0\.0\.1:\d+$/) });
    expect(lines.filter((l) => l.msg === "session store reachable again")).toHaveLength(1);
    expect((await store.load("kept")).map((t) => t.packetId)).toEqual(["p0", "p1", "p2"]);
    expect((await store.appendTurn(turn("kept", "after"))).duplicate).toBe(false);
    expect((await store.load("kept")).map((t) => t.packetId)).toEqual(["p0", "p1", "p2", "after"]);
  });
});
