// The resilient client with the gateway's active health check, against real HTTP stub servers on 127.0.0.1 (each stub
// answers GET /health itself, so the real probe runs). Intervals are milliseconds; nothing asserts absolute timings.
import { afterEach, describe, expect, it } from "@jest/globals";
import { HealthMonitor } from "../../../services/web/health/HealthMonitor.js";
import { type ResilienceEvent, ResilientClient, UpstreamTimeoutError } from "../../../services/web/http/index.js";
import { freePort } from "../../support/processes.js";
import { hang, json, type StubHandler, type StubServer, startStub } from "../../support/stubServer.js";
import { waitFor } from "../../support/waitFor.js";

const BODY = JSON.stringify({ header: { packet_id: "p-1" } });
const servers: StubServer[] = [];
const monitors: HealthMonitor[] = [];

/** A core stand-in: `/health` answered by `health`, everything else by `work`. */
async function core(work: StubHandler, health: StubHandler = json(200, { status: "ready" })): Promise<StubServer> {
  const server = await startStub((req, res, body) => (req.url === "/health" ? health : work)(req, res, body));
  servers.push(server);
  return server;
}

const postsTo = (server: StubServer) => server.calls.filter((c) => c.method === "POST");

function setup(
  primaryUrl: string,
  fallbackUrl: string,
  monitorOptions: Partial<ConstructorParameters<typeof HealthMonitor>[0]> = {},
  clientOptions: Partial<ConstructorParameters<typeof ResilientClient>[0]> = {},
) {
  const events: ResilienceEvent[] = [];
  const monitor = new HealthMonitor({
    endpoints: { primary: primaryUrl, fallback: fallbackUrl },
    intervalMs: 60_000, // only the first probe and the probes requests ask for, unless a test says otherwise
    timeoutMs: 300,
    ...monitorOptions,
  });
  monitors.push(monitor);
  const client = new ResilientClient({
    primaryUrl,
    fallbackUrl,
    baseDelayMs: 20_000, // a retry would make the test time out: none of these paths may wait for one
    timeoutMs: 10_000,
    halfOpenAfterMs: 60_000,
    onEvent: (e) => events.push(e),
    health: monitor,
    ...clientOptions,
  });
  return { client, monitor, events };
}

const post = (client: ResilientClient) => client.post("/process_packet", { body: BODY, context: { packet_id: "p-1" } });

afterEach(async () => {
  for (const m of monitors.splice(0)) m.stop();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("ResilientClient with active health checks", () => {
  it("a refused connection confirmed by a refused probe fails over at once: no retry, no backoff", async () => {
    const fallback = await core(json(200, { from: "fallback" }));
    const { client, events, monitor } = setup(`http://127.0.0.1:${await freePort()}`, fallback.url);
    const served = await post(client);
    expect(served.servedBy).toBe("fallback");
    expect(events.filter((e) => e.type === "retry")).toEqual([]);
    expect(events.find((e) => e.type === "failover")).toMatchObject({ reason: "confirmed_down" });
    expect(monitor.isDown("primary")).toBe(true);
    expect(client.state().primary.health).toMatchObject({ state: "down", why: expect.stringMatching(/ECONNREFUSED/) });
    expect(client.state().failovers).toEqual({ confirmed_down: 1 });

    // known down: later requests go straight to the fallback
    expect((await post(client)).servedBy).toBe("fallback");
    expect(events.filter((e) => e.type === "failover").map((e) => (e as { reason: string }).reason)).toEqual([
      "confirmed_down",
      "marked_down",
    ]);
  });

  it("a primary marked down gets no new requests", async () => {
    const primary = await core(json(200, { from: "primary" }), json(503, { status: "unavailable" }));
    const fallback = await core(json(200, { from: "fallback" }));
    const { client, monitor } = setup(primary.url, fallback.url, { intervalMs: 20, failuresToDown: 2 });
    monitor.start();
    await waitFor("the monitor to mark the primary down", () => monitor.isDown("primary"), { everyMs: 10 });
    expect((await post(client)).servedBy).toBe("fallback");
    expect(postsTo(primary)).toHaveLength(0);
  });

  it("a request waiting on a primary that freezes is re-sent to the fallback when the primary is marked down", async () => {
    const primary = await core(hang); // accepts the request, never answers (SIGSTOP looks like this)
    const fallback = await core(json(200, { from: "fallback" }));
    const { client, monitor, events } = setup(primary.url, fallback.url, { intervalMs: 50, timeoutMs: 100 });
    monitor.start();
    await waitFor("the primary to answer /health again", () => monitor.snapshot("primary")?.why === "answers /health", {
      everyMs: 10,
    });
    const pending = post(client);
    await waitFor("one packet at the primary", () => postsTo(primary).length === 1, { everyMs: 10 });
    primary.handler = hang; // now /health hangs too
    const served = await pending;
    expect(served.servedBy).toBe("fallback");
    expect(await served.response.json()).toEqual({ from: "fallback" });
    expect(events.find((e) => e.type === "failover")).toMatchObject({ reason: "marked_down" });
  });

  it("a 503 from a core whose /health still answers keeps the original's retry with backoff", async () => {
    let calls = 0;
    const primary = await core((_req, res) =>
      ++calls === 1 ? json(503, { title: "Queue Full" })(_req, res, "") : json(200, { from: "primary" })(_req, res, ""),
    );
    const fallback = await core(json(200, { from: "fallback" }));
    const { client, events, monitor } = setup(primary.url, fallback.url, {}, { baseDelayMs: 30 });
    const served = await post(client);
    expect(served.servedBy).toBe("primary");
    expect(events.filter((e) => e.type === "retry")).toHaveLength(1);
    expect(monitor.isDown("primary")).toBe(false);
  });

  it("a 503 that /health confirms (store not writable) fails over at once", async () => {
    const primary = await core(
      json(503, { title: "Session Store Unavailable" }, { "retry-after": "5" }),
      json(503, { status: "unavailable", reason: "session store not writable: ENOSPC" }),
    );
    const fallback = await core(json(200, { from: "fallback" }));
    const { client, events } = setup(primary.url, fallback.url);
    const served = await post(client);
    expect(served.servedBy).toBe("fallback");
    expect(events.filter((e) => e.type === "retry")).toEqual([]);
    expect(client.state().primary.health?.why).toMatch(/HTTP 503; health probe: \/health answered 503 \(session store/);
  });

  it("a live but slow primary is not failed over on a timeout: its /health answers, so it is not down", async () => {
    const primary = await core(hang);
    const fallback = await core(json(200, { from: "fallback" }));
    const { client, monitor } = setup(
      primary.url,
      fallback.url,
      { intervalMs: 30, timeoutMs: 200 },
      { timeoutMs: 400 },
    );
    monitor.start();
    await expect(post(client)).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(monitor.isDown("primary")).toBe(false);
    expect(postsTo(fallback)).toHaveLength(0);
  });

  it("an NDJSON stream cut by a freeze: the body read fails with the down reason (the gateway then ends it with an error line)", async () => {
    const primary = await core((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write(`${JSON.stringify({ type: "token", value: "hel" })}\n`); // then nothing more
    });
    const fallback = await core(json(200, {}));
    const { client, monitor } = setup(primary.url, fallback.url, { intervalMs: 50, timeoutMs: 100 });
    monitor.start();
    const served = await post(client);
    expect(served.servedBy).toBe("primary");
    primary.handler = hang; // frozen: /health stops answering
    await expect(served.response.text()).rejects.toMatchObject({ name: "EndpointDownError" });
  });
});
