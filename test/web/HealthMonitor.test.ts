// The gateway's active health check, driven by fake timers and a scripted prober (no network: the probe function is
// the seam; the real HTTP probe is exercised by the failover process tests).
import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { type HealthChange, HealthMonitor } from "../../services/web/health/HealthMonitor.js";
import type { ProbeResult } from "../../services/web/health/probeHealth.js";
import { EndpointDownError } from "../../services/web/http/index.js";

const OK: ProbeResult = { ok: true };
const TIMEOUT: ProbeResult = { ok: false, kind: "timeout", reason: "/health timed out after 1000 ms" };
const REFUSED: ProbeResult = { ok: false, kind: "refused", reason: "ECONNREFUSED: connect ECONNREFUSED" };

/** A prober whose answer per URL can be changed; each probe takes `latencyMs` of (fake) time. */
function scripted(latencyMs = 10) {
  const answers = new Map<string, ProbeResult>();
  const calls: Array<{ url: string; at: number }> = [];
  const probe = (url: string, timeoutMs: number) => {
    calls.push({ url, at: Date.now() });
    const answer = answers.get(url) ?? OK;
    const delay = answer === TIMEOUT ? timeoutMs : latencyMs;
    return new Promise<ProbeResult>((resolve) => setTimeout(() => resolve(answer), delay));
  };
  return { answers, calls, probe };
}

const P = "http://primary";
const F = "http://fallback";

let changes: HealthChange[];
let monitor: HealthMonitor | null;

function start(
  prober: ReturnType<typeof scripted>,
  options: Partial<ConstructorParameters<typeof HealthMonitor>[0]> = {},
) {
  monitor = new HealthMonitor({
    endpoints: { primary: P, fallback: F },
    probe: prober.probe,
    onChange: (c) => changes.push(c),
    ...options,
  });
  monitor.start();
  return monitor;
}

beforeEach(() => {
  jest.useFakeTimers({ now: new Date("2026-12-01T12:00:00Z") });
  changes = [];
  monitor = null;
});
afterEach(() => {
  monitor?.stop();
  jest.useRealTimers();
});

describe("HealthMonitor", () => {
  it("probes each endpoint at once and then every interval while healthy", async () => {
    const prober = scripted();
    const m = start(prober);
    await jest.advanceTimersByTimeAsync(20);
    expect(prober.calls.map((c) => c.url).sort()).toEqual([F, P]);
    await jest.advanceTimersByTimeAsync(2010 * 3);
    const primaryProbes = prober.calls.filter((c) => c.url === P);
    expect(primaryProbes).toHaveLength(4);
    expect(primaryProbes[2]!.at - primaryProbes[1]!.at).toBe(2010); // interval after the 10 ms probe
    expect(m.snapshot("primary")).toMatchObject({ state: "up", why: "answers /health" });
    expect(changes).toEqual([]);
  });

  it("marks a frozen endpoint down after two timed-out probes (the second at once), within interval + 2 timeouts", async () => {
    const prober = scripted();
    const m = start(prober);
    await jest.advanceTimersByTimeAsync(20);
    const frozenAt = Date.now();
    prober.answers.set(P, TIMEOUT);
    const signal = m.downSignal("primary");
    while (!m.isDown("primary")) await jest.advanceTimersByTimeAsync(50);
    const tookMs = Date.now() - frozenAt;
    expect(tookMs).toBeGreaterThanOrEqual(2000); // two whole timeouts
    expect(tookMs).toBeLessThanOrEqual(2000 + 2 * 1000 + 100);
    expect(m.isDown("fallback")).toBe(false);
    expect(changes).toEqual([{ endpoint: "primary", url: P, state: "down", why: TIMEOUT.reason }]);
    const snap = m.snapshot("primary");
    expect(snap).toMatchObject({ state: "down", why: TIMEOUT.reason });
    expect(Date.parse(snap?.since ?? "")).toBeGreaterThan(frozenAt);
    // requests waiting on it are told through its down signal; a fresh signal is handed out afterwards
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(EndpointDownError);
    expect(m.downSignal("primary").aborted).toBe(false);
  });

  it("a single failed probe is not enough (one slow answer on a busy host does not fail a core over)", async () => {
    const prober = scripted();
    const m = start(prober);
    await jest.advanceTimersByTimeAsync(20);
    prober.answers.set(P, TIMEOUT);
    while (prober.calls.filter((c) => c.url === P).length < 2) await jest.advanceTimersByTimeAsync(50);
    prober.answers.set(P, OK); // the probe in flight still times out; the re-probe that follows at once answers
    await jest.advanceTimersByTimeAsync(1100);
    expect(m.isDown("primary")).toBe(false);
    expect(changes).toEqual([]);
  });

  it("brings an endpoint back after two consecutive good probes", async () => {
    const prober = scripted();
    prober.answers.set(P, REFUSED);
    const m = start(prober);
    await jest.advanceTimersByTimeAsync(100);
    expect(m.isDown("primary")).toBe(true);
    prober.answers.set(P, OK);
    const backAt = Date.now();
    while (m.isDown("primary")) await jest.advanceTimersByTimeAsync(50);
    expect(Date.now() - backAt).toBeLessThanOrEqual(2000 + 100);
    expect(changes.map((c) => c.state)).toEqual(["down", "up"]);
    expect(m.snapshot("primary")).toMatchObject({ state: "up", why: "answers /health" });
  });

  it("confirmDown: a refused request plus one refused probe is down at once; a probe that answers is not", async () => {
    const prober = scripted();
    const m = start(prober);
    await jest.advanceTimersByTimeAsync(20);
    const answered = m.confirmDown("primary", "ECONNRESET");
    await jest.advanceTimersByTimeAsync(20);
    expect(await answered).toBe(false);
    expect(m.isDown("primary")).toBe(false);

    prober.answers.set(P, REFUSED);
    const before = prober.calls.length;
    const confirmations = [m.confirmDown("primary", "ECONNREFUSED"), m.confirmDown("primary", "ECONNREFUSED")];
    await jest.advanceTimersByTimeAsync(20);
    expect(await Promise.all(confirmations)).toEqual([true, true]);
    expect(prober.calls.length - before).toBe(1); // one probe for both requests
    expect(changes).toEqual([
      expect.objectContaining({
        endpoint: "primary",
        state: "down",
        why: expect.stringMatching(/^ECONNREFUSED; health probe: ECONNREFUSED/),
      }),
    ]);
  });

  it("every threshold and clock is configurable", async () => {
    const prober = scripted();
    const m = start(prober, { intervalMs: 500, timeoutMs: 200, failuresToDown: 3, successesToUp: 1 });
    await jest.advanceTimersByTimeAsync(20);
    prober.answers.set(P, TIMEOUT);
    await jest.advanceTimersByTimeAsync(500 + 200 + 200 + 10);
    expect(m.isDown("primary")).toBe(false); // two failures of three
    await jest.advanceTimersByTimeAsync(250);
    expect(m.isDown("primary")).toBe(true);
    prober.answers.set(P, OK);
    await jest.advanceTimersByTimeAsync(520);
    expect(m.isDown("primary")).toBe(false);
  });

  it("stop() ends probing", async () => {
    const prober = scripted();
    const m = start(prober);
    await jest.advanceTimersByTimeAsync(20);
    m.stop();
    const count = prober.calls.length;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(prober.calls.length).toBe(count);
  });
});
