import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import {
  type ResilienceEvent,
  ResilientClient,
  type ResilientClientOptions,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from "../../../services/web/http/index.js";
import { freePort, tempDir } from "../../support/processes.js";
import { dropConnection, hang, json, type StubServer, sequence, startStub } from "../../support/stubServer.js";

const BODY = JSON.stringify({ header: { packet_id: "p-1" } });
const servers: StubServer[] = [];

async function stub(...args: Parameters<typeof startStub>): Promise<StubServer> {
  const server = await startStub(...args);
  servers.push(server);
  return server;
}

/** A URL nothing listens on: connection refused. */
async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

function client(options: ResilientClientOptions & { events?: ResilienceEvent[] }): ResilientClient {
  const events = options.events;
  return new ResilientClient({
    baseDelayMs: 5,
    timeoutMs: 2000,
    halfOpenAfterMs: 60_000,
    onEvent: events ? (event) => events.push(event) : undefined,
    ...options,
  });
}

const post = (c: ResilientClient, signal?: AbortSignal) =>
  c.post("/process_packet", { body: BODY, signal, context: { packet_id: "p-1" } });

afterEach(async () => {
  jest.useRealTimers();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// Backoff delays, breaker windows and timeouts run on jest's fake clock (setTimeout and Date), so the tests step
// through the configured intervals exactly instead of sleeping; the sockets stay real, so I/O still needs real turns.
const realSetTimeout = globalThis.setTimeout;
const ioTurn = () => new Promise<void>((resolve) => realSetTimeout(resolve, 5));

function useFakeClock(): void {
  jest.useFakeTimers({
    doNotFake: [
      "nextTick",
      "setImmediate",
      "clearImmediate",
      "queueMicrotask",
      "setInterval",
      "clearInterval",
      "hrtime",
      "performance",
    ],
  });
}

/** Lets real I/O run until `condition` holds (fake time stands still meanwhile). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await ioTurn();
  if (!condition()) throw new Error(`never happened: ${what}`);
}

/** Awaits `promise` while firing the timers that fall due without time passing (a backoff skipped to 0 ms). */
async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 2000 && !done; i++) {
    jest.advanceTimersByTime(0);
    await ioTurn();
  }
  return promise;
}

const retries = (events: ResilienceEvent[]) =>
  events.flatMap((e) => (e.type === "retry" ? [[e.attempt, e.delayMs]] : []));

describe("ResilientClient: the original's retry semantics", () => {
  it("succeeds on the first try with exactly one call", async () => {
    const primary = await stub(json(200, { ok: true }));
    const fallback = await stub(json(200, { from: "fallback" }));
    const served = await post(client({ primaryUrl: primary.url, fallbackUrl: fallback.url }));
    expect(served.servedBy).toBe("primary");
    expect(await served.response.json()).toEqual({ ok: true });
    expect(primary.calls).toHaveLength(1);
    expect(primary.calls[0]!.path).toBe("/process_packet");
    expect(primary.calls[0]!.body).toBe(BODY);
    expect(primary.calls[0]!.headers["content-type"]).toBe("application/json");
    expect(fallback.calls).toHaveLength(0);
  });

  it("retries 503s and dropped connections, then succeeds on the primary", async () => {
    const primary = await stub(sequence(json(503, { title: "loading" }), dropConnection, json(200, { ok: true })));
    const served = await post(client({ primaryUrl: primary.url }));
    expect(served.servedBy).toBe("primary");
    expect(served.response.status).toBe(200);
    expect(primary.calls).toHaveLength(3);
  });

  it("waits baseDelay * 2**(n-1) between attempts (the original's 2 s, 4 s) and sends nothing earlier", async () => {
    useFakeClock();
    const events: ResilienceEvent[] = [];
    const primary = await stub(json(503, {}));
    const outcome = post(client({ primaryUrl: primary.url, baseDelayMs: 2000, events })).catch((e: unknown) => e);
    await until(() => retries(events).length === 1, "the first retry is scheduled");
    expect(primary.calls).toHaveLength(1);
    jest.advanceTimersByTime(1999);
    await ioTurn();
    expect(primary.calls).toHaveLength(1);
    jest.advanceTimersByTime(1);
    await until(() => retries(events).length === 2, "the second attempt fails and the next retry is scheduled");
    expect(primary.calls).toHaveLength(2);
    jest.advanceTimersByTime(3999);
    await ioTurn();
    expect(primary.calls).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(await outcome).toBeInstanceOf(UpstreamUnavailableError);
    expect(primary.calls).toHaveLength(3);
    expect(retries(events)).toEqual([
      [1, 2000],
      [2, 4000],
    ]);
    expect(events.every((e) => e.type !== "retry" || e.context.packet_id === "p-1")).toBe(true);
  });

  it("never retries nor fails over on a timeout (slow is not down)", async () => {
    const primary = await stub(hang);
    const fallback = await stub(json(200, {}));
    useFakeClock();
    const outcome = post(client({ primaryUrl: primary.url, fallbackUrl: fallback.url, timeoutMs: 300_000 })).catch(
      (e: unknown) => e,
    );
    await until(() => primary.calls.length === 1, "the primary gets the request");
    jest.advanceTimersByTime(300_000); // the original's 300 s: the answer is late, not missing
    const error = await outcome;
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect((error as Error).message).toContain(primary.url);
    expect(primary.calls).toHaveLength(1);
    expect(fallback.calls).toHaveLength(0);
  });

  it("fails over after three 503s (the original's bug, fixed)", async () => {
    const events: ResilienceEvent[] = [];
    const primary = await stub(json(503, { title: "busy" }, { "retry-after": "1" }));
    const fallback = await stub(json(200, { from: "fallback" }));
    const served = await post(
      client({ primaryUrl: primary.url, fallbackUrl: fallback.url, breakerThreshold: 10, events }),
    );
    expect(served.servedBy).toBe("fallback");
    expect(await served.response.json()).toEqual({ from: "fallback" });
    expect(primary.calls).toHaveLength(3);
    expect(fallback.calls).toHaveLength(1);
    expect(fallback.calls[0]!.body).toBe(BODY);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "failover", reason: "exhausted", primaryError: "HTTP 503" }),
    );
  });

  it("fails over after connection refused on every attempt", async () => {
    const fallback = await stub(json(200, { from: "fallback" }));
    const served = await post(client({ primaryUrl: await deadUrl(), fallbackUrl: fallback.url }));
    expect(served.servedBy).toBe("fallback");
    expect(fallback.calls).toHaveLength(1);
  });

  it.each([500, 422, 404])("returns a %i as is: no retry, no failover", async (status) => {
    const primary = await stub(json(status, { title: "nope" }));
    const fallback = await stub(json(200, {}));
    const served = await post(client({ primaryUrl: primary.url, fallbackUrl: fallback.url }));
    expect(served.servedBy).toBe("primary");
    expect(served.response.status).toBe(status);
    expect(await served.response.json()).toEqual({ title: "nope" });
    expect(primary.calls).toHaveLength(1);
    expect(fallback.calls).toHaveLength(0);
  });

  it("does not fail over in maintenance mode, and the flag is read fresh each request", async () => {
    const dir = tempDir("gaia-maint-");
    const flag = path.join(dir, "ha_maintenance");
    fs.writeFileSync(flag, "");
    const primary = await stub(json(503, {}));
    const fallback = await stub(json(200, {}));
    const c = client({
      primaryUrl: primary.url,
      fallbackUrl: fallback.url,
      maintenanceFlagPath: flag,
      breakerThreshold: 10,
    });
    await expect(post(c)).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(primary.calls).toHaveLength(3);
    expect(fallback.calls).toHaveLength(0);
    expect(c.state().maintenance).toBe(true);

    fs.rmSync(flag);
    expect((await post(c)).servedBy).toBe("fallback");
    expect(c.state().maintenance).toBe(false);
  });

  it("with no fallback configured, surfaces the primary's connection error", async () => {
    const primaryUrl = await deadUrl();
    const error = await post(client({ primaryUrl })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as Error).message).toContain(primaryUrl);
    expect((error as Error).message).toContain("ECONNREFUSED");
    expect((error as UpstreamUnavailableError).fallback).toBeNull();
  });

  it("when the fallback also fails, surfaces the PRIMARY's error", async () => {
    const primaryUrl = await deadUrl();
    const fallback = await stub(json(503, {}));
    const error = (await post(client({ primaryUrl, fallbackUrl: fallback.url })).catch(
      (e: unknown) => e,
    )) as UpstreamUnavailableError;
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error.message.startsWith(`POST ${primaryUrl}/process_packet failed: connect ECONNREFUSED`)).toBe(true);
    expect(error.message).toContain(`fallback ${fallback.url}/process_packet also failed: HTTP 503`);
    expect(error.primary.kind).toBe("connection");
    expect(error.fallback?.failure).toMatchObject({ kind: "status", status: 503 });
    expect(fallback.calls).toHaveLength(1);
  });

  it("uses a 503's Retry-After only to shorten the backoff", async () => {
    const events: ResilienceEvent[] = [];
    const primary = await stub(
      sequence(json(503, {}, { "retry-after": "0" }), json(503, {}, { "retry-after": "120" }), json(200, {})),
    );
    await post(client({ primaryUrl: primary.url, baseDelayMs: 20, events }));
    expect(events.flatMap((e) => (e.type === "retry" ? [e.delayMs] : []))).toEqual([0, 40]);
  });

  it("stops at once when the caller aborts: no retry, no failover", async () => {
    const primary = await stub(hang);
    const fallback = await stub(json(200, {}));
    const controller = new AbortController();
    const pending = post(client({ primaryUrl: primary.url, fallbackUrl: fallback.url }), controller.signal);
    await until(() => primary.calls.length === 1, "the primary gets the request");
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(primary.calls).toHaveLength(1);
    expect(fallback.calls).toHaveLength(0);
  });

  it("returns the Response as soon as headers arrive, so a stream can be piped", async () => {
    let finish: () => void = () => undefined;
    const primary = await stub((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write('{"type":"token","value":"a"}\n');
      finish = () => res.end('{"type":"packet","value":{}}\n');
    });
    const served = await post(client({ primaryUrl: primary.url }));
    const reader = served.response.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('{"type":"token","value":"a"}\n');
    finish();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += Buffer.from(chunk.value).toString();
    expect(rest).toBe('{"type":"packet","value":{}}\n');
  });
});

/** A primary that drops every connection, a healthy fallback, and a client whose breaker opens on one failure. */
async function downPrimaryWithBreaker(events?: ResilienceEvent[]) {
  const primary = await stub(dropConnection);
  const fallback = await stub(json(200, { from: "fallback" }));
  const c = client({
    primaryUrl: primary.url,
    fallbackUrl: fallback.url,
    maxAttempts: 1,
    breakerThreshold: 1,
    halfOpenAfterMs: 5000,
    ...(events ? { events } : {}),
  });
  return { primary, fallback, c };
}

describe("ResilientClient: circuit breaker", () => {
  it("opens after N consecutive failures, then skips the primary with no backoff", async () => {
    useFakeClock();
    const events: ResilienceEvent[] = [];
    const primary = await stub(json(503, {}));
    const fallback = await stub(json(200, { from: "fallback" }));
    const c = client({
      primaryUrl: primary.url,
      fallbackUrl: fallback.url,
      baseDelayMs: 1000,
      breakerThreshold: 2,
      events,
    });

    // threshold 2 < 3 attempts: the breaker opens after the 2nd call, and the 3rd is skipped without a 2 s wait
    const first = post(c);
    await until(() => retries(events).length === 1, "the first retry is scheduled");
    jest.advanceTimersByTime(1000);
    expect((await settle(first)).servedBy).toBe("fallback");
    expect(primary.calls).toHaveLength(2);
    expect(events.filter((e) => e.type === "retry")).toHaveLength(1);
    expect(events).toContainEqual({
      type: "breaker",
      endpoint: "primary",
      url: primary.url,
      state: "open",
      reason: "HTTP 503",
    });
    expect(c.state().primary).toMatchObject({ breaker: "open", consecutive_failures: 2 });

    const served = await post(c);
    expect(served.servedBy).toBe("fallback");
    expect(primary.calls).toHaveLength(2); // zero primary calls while open
    expect(events.filter((e) => e.type === "retry")).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: "failover", reason: "breaker_open" });
  });

  it("half-opens after the window, lets one probe through, and closes when the primary is back", async () => {
    useFakeClock();
    const events: ResilienceEvent[] = [];
    const { primary, c } = await downPrimaryWithBreaker(events);

    expect((await post(c)).servedBy).toBe("fallback");
    expect(primary.calls).toHaveLength(1);
    expect(c.state().primary.breaker).toBe("open");

    jest.advanceTimersByTime(4999); // window not over: the primary is skipped
    expect((await post(c)).servedBy).toBe("fallback");
    expect(primary.calls).toHaveLength(1);

    // still down at the first probe: one call, straight back to open and to the fallback
    jest.advanceTimersByTime(1);
    expect((await post(c)).servedBy).toBe("fallback");
    expect(primary.calls).toHaveLength(2);
    expect(c.state().primary.breaker).toBe("open");
    expect(events.at(-1)).toMatchObject({ type: "failover", reason: "probe_failed" });

    primary.handler = json(200, { from: "primary" });
    jest.advanceTimersByTime(4999); // a new window started with the failed probe
    expect((await post(c)).servedBy).toBe("fallback");
    expect(primary.calls).toHaveLength(2);

    jest.advanceTimersByTime(1);
    const served = await post(c);
    expect(served.servedBy).toBe("primary");
    expect(await served.response.json()).toEqual({ from: "primary" });
    expect(c.state().primary).toMatchObject({ breaker: "closed", consecutive_failures: 0 });
    expect(events.filter((e) => e.type === "breaker").map((e) => (e.type === "breaker" ? e.state : ""))).toEqual([
      "open",
      "half_open",
      "open",
      "half_open",
      "closed",
    ]);
  });

  it("sends other requests to the fallback while a probe is in flight", async () => {
    useFakeClock();
    const { primary, c } = await downPrimaryWithBreaker();
    await post(c);
    jest.advanceTimersByTime(5000);
    let release: () => void = () => undefined;
    primary.handler = (_req, res) => (release = () => json(200, { from: "primary" })(_req, res, ""));
    const probe = post(c);
    await until(() => primary.calls.length === 2, "the probe reaches the primary");
    expect(c.state().primary.breaker).toBe("half_open");
    const during = await post(c);
    expect(during.servedBy).toBe("fallback");
    expect(primary.calls).toHaveLength(2);
    release();
    expect((await probe).servedBy).toBe("primary");
    expect(c.state().primary.breaker).toBe("closed");
  });

  it("does not count timeouts against the breaker", async () => {
    const primary = await stub(hang);
    const fallback = await stub(json(200, {}));
    useFakeClock();
    const c = client({ primaryUrl: primary.url, fallbackUrl: fallback.url, timeoutMs: 10_000, breakerThreshold: 1 });
    for (const n of [1, 2]) {
      const outcome = post(c).catch((e: unknown) => e);
      await until(() => primary.calls.length === n, `request ${n} reaches the primary`);
      jest.advanceTimersByTime(10_000);
      expect(await outcome).toBeInstanceOf(UpstreamTimeoutError);
    }
    expect(c.state().primary.breaker).toBe("closed");
    expect(primary.calls).toHaveLength(2);
    expect(fallback.calls).toHaveLength(0);
  });

  it("in maintenance, tries the primary with retries even when its breaker is open", async () => {
    const dir = tempDir("gaia-maint-");
    const flag = path.join(dir, "ha_maintenance");
    const primary = await stub(json(503, {}));
    const fallback = await stub(json(200, {}));
    const c = client({
      primaryUrl: primary.url,
      fallbackUrl: fallback.url,
      maintenanceFlagPath: flag,
      breakerThreshold: 1,
    });
    await post(c);
    expect(c.state().primary.breaker).toBe("open");
    expect(primary.calls).toHaveLength(1);

    fs.writeFileSync(flag, "");
    primary.handler = sequence(json(503, {}), json(200, { from: "primary" }));
    const served = await post(c);
    expect(served.servedBy).toBe("primary");
    expect(primary.calls).toHaveLength(3);
    expect(fallback.calls).toHaveLength(1);
  });

  it("reports both endpoints in state()", async () => {
    const primary = await stub(json(200, {}));
    const fallback = await stub(json(200, {}));
    const c = client({ primaryUrl: `${primary.url}/`, fallbackUrl: fallback.url });
    await post(c);
    const state = c.state();
    expect(state.primary).toMatchObject({
      url: primary.url,
      breaker: "closed",
      consecutive_failures: 0,
      last_failure: null,
    });
    expect(typeof state.primary.last_success).toBe("string");
    expect(state.fallback).toMatchObject({ url: fallback.url, breaker: "closed", last_success: null });
    expect(state.maintenance).toBe(false);
  });
});
