// The HA story for real: two gaia-core processes on the bundled model, the compiled gateway in front, kill -9 of the
// primary under a stream of requests, then a new primary on the same port. Needs `npm run build` and `npm run models`.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { READY_TIMEOUT_MS, type ServiceProcess, tempDir } from "../support/processes.js";
import { waitFor } from "../support/waitFor.js";
import {
  type Answer,
  ask,
  type Core,
  gatewayHealth,
  logLines,
  startCore,
  startGateway,
  turnCounts,
  waitForLog,
} from "./pair.js";

const HALF_OPEN_MS = 1500;

let primary: Core;
let candidate: Core;
let gateway: ServiceProcess;
const primaryDir = tempDir("gaia-primary-");
const candidateDir = tempDir("gaia-candidate-");
const answers: Answer[] = [];

beforeAll(async () => {
  [primary, candidate] = await Promise.all([startCore("primary", primaryDir), startCore("candidate", candidateDir)]);
  gateway = await startGateway(primary.url, candidate.url, {
    GAIA_RETRY_BASE_DELAY_MS: "100",
    GAIA_BREAKER_THRESHOLD: "3",
    GAIA_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
    // the circuit breaker on its own (no active health checks): continuity.process.test.ts covers those
    GAIA_HEALTH_INTERVAL_MS: "0",
  });
}, 2 * READY_TIMEOUT_MS);

afterAll(async () => {
  // GAIA_DEBUG_LOGS=1 prints the gateway's request and resilience lines, to see what happened on a failure
  if (process.env.GAIA_DEBUG_LOGS && gateway) {
    console.log(
      logLines(gateway)
        .filter((l) => l.event || l.status)
        .map((l) => JSON.stringify(l))
        .join("\n"),
    );
  }
  await Promise.all([gateway?.kill(), primary?.kill("SIGKILL"), candidate?.kill()]);
});

describe("gateway failover with real cores", () => {
  it("answers every one of 20 requests (2 at a time) while the primary is killed -9 partway", async () => {
    const total = 20;
    const killAfter = 6;
    let next = 0;
    let done = 0;
    let killed: Promise<unknown> | null = null;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        answers[i] = await ask(gateway.url, `message number ${i}`);
        // kill while the other worker's request is still in flight
        if (++done === killAfter) killed = primary.kill("SIGKILL");
      }
    };
    await Promise.all([worker(), worker()]);
    await killed;

    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(["primary", "candidate"]).toContain(answer.body.served_by);
      expect(typeof answer.body.response).toBe("string");
    }
    expect(answers.slice(0, killAfter - 1).every((a) => a.body.served_by === "primary")).toBe(true);
    expect(answers.slice(killAfter + 2).every((a) => a.body.served_by === "candidate")).toBe(true);
    expect(new Set(answers.map((a) => a.body.packet_id)).size).toBe(total);

    // idempotency across failover: no core recorded any packet twice, and every packet is recorded somewhere
    const onPrimary = turnCounts(primaryDir);
    const onCandidate = turnCounts(candidateDir);
    for (const counts of [onPrimary, onCandidate]) {
      for (const [packetId, count] of counts) expect({ packetId, count }).toEqual({ packetId, count: 1 });
    }
    for (const answer of answers) {
      const id = answer.body.packet_id!;
      expect((onPrimary.get(id) ?? 0) + (onCandidate.get(id) ?? 0)).toBeGreaterThanOrEqual(1);
    }
  });

  it("serves from the candidate without retry delays once the primary's breaker is open", async () => {
    const health = await gatewayHealth(gateway.url);
    expect(health.core.primary.breaker).toBe("open");

    const later = [await ask(gateway.url, "after the kill, one"), await ask(gateway.url, "after the kill, two")];
    expect(later.map((a) => a.body.served_by)).toEqual(["candidate", "candidate"]);

    for (const answer of later) {
      const id = answer.body.packet_id;
      await waitForLog(gateway, (line) => line.packet_id === id && line.msg === "request");
      const about = logLines(gateway).filter((line) => line.packet_id === id);
      // straight to the candidate: skipped by the open breaker (or, if the window had passed, one fast failed probe)
      expect(about.filter((line) => line.event === "core_failover").map((line) => line.reason)).toEqual([
        expect.stringMatching(/^(breaker_open|probe_failed)$/),
      ]);
      expect(about.some((line) => line.event === "core_retry")).toBe(false);
    }
    const lines = logLines(gateway);
    expect(
      lines.some((line) => line.event === "core_breaker" && line.state === "open" && line.endpoint === "primary"),
    ).toBe(true);
  });

  it("sends traffic back to a restarted primary after the half-open window", async () => {
    primary = await startCore("primary", primaryDir, primary.port);
    // the breaker lets one probe through once the window has passed; poll until it has closed
    const answer = await waitFor(
      "an answer from the restarted primary",
      async () => {
        const reply = await ask(gateway.url, "is the primary back?");
        expect(reply.status).toBe(200);
        return reply.body.served_by === "primary" && reply;
      },
      { timeoutMs: 20_000, everyMs: HALF_OPEN_MS / 3 },
    );
    expect(answer.body.served_by).toBe("primary");
    expect((await gatewayHealth(gateway.url)).core.primary.breaker).toBe("closed");
    expect((await ask(gateway.url, "and stays there")).body.served_by).toBe("primary");

    await waitForLog(gateway, (l) => l.event === "core_breaker" && l.state === "closed");
    const states = logLines(gateway)
      .filter((l) => l.event === "core_breaker" && l.endpoint === "primary")
      .map((l) => l.state);
    expect(states.at(-2)).toBe("half_open");
    expect(states.at(-1)).toBe("closed");
  });
});
