// A frozen primary (SIGSTOP: it still accepts TCP connections, answers nothing) under a stream of requests, with the
// gateway's default health checks (every 2 s, 1 s timeout, 2 failures): the requests waiting on it are re-sent to the
// candidate, later ones skip it, and after SIGCONT traffic returns. Every request is answered; no turn is stored twice.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type ServiceProcess, tempDir } from "../support/processes.js";
import { waitFor } from "../support/waitFor.js";
import {
  type Core,
  logLines,
  pairTurnCounts,
  sendTurn,
  startPair,
  stopPair,
  type TurnAnswer,
  waitForLog,
} from "./pair.js";

/** The gateway's defaults, stated so the bound below is relative to them. */
const INTERVAL_MS = 2000;
const TIMEOUT_MS = 1000;
const FAILURES = 2;

let primary: Core;
let candidate: Core;
let gateway: ServiceProcess;
const primaryDir = tempDir("gaia-primary-");
const candidateDir = tempDir("gaia-candidate-");

interface Timed extends TurnAnswer {
  sentAt: number;
  doneAt: number;
}

beforeAll(async () => {
  ({ primary, candidate, gateway } = await startPair(primaryDir, candidateDir));
}, 320_000);

afterAll(() => stopPair({ primary, candidate, gateway }));

describe("frozen primary (SIGSTOP)", () => {
  it("is failed over within the health-check window under load, and traffic returns after SIGCONT", async () => {
    const answers: Timed[] = [];
    let frozenAt = Number.POSITIVE_INFINITY;
    let stop = false;
    let n = 0;
    const worker = async (name: string) => {
      while (!stop) {
        const sentAt = Date.now();
        const answer = await sendTurn(gateway.url, `freeze-${name}`, `message ${n++}`);
        answers.push({ ...answer, sentAt, doneAt: Date.now() });
      }
    };
    const workers = [worker("a"), worker("b")];
    await waitFor("4 answers from the primary", () => answers.filter((a) => a.servedBy === "primary").length >= 4, {
      timeoutMs: 30_000,
    });

    primary.child.kill("SIGSTOP");
    frozenAt = Date.now();
    await waitFor(
      "3 answers from the candidate after the freeze",
      () => answers.filter((a) => a.sentAt > frozenAt && a.servedBy === "candidate").length >= 3,
      { timeoutMs: 30_000, everyMs: 50 },
    );
    const firstCandidate = Math.min(
      ...answers.filter((a) => a.doneAt > frozenAt && a.servedBy === "candidate").map((a) => a.doneAt),
    );
    // marked down after one interval and FAILURES probe timeouts at most; generous slack for model time on a busy host
    expect(firstCandidate - frozenAt).toBeLessThan(INTERVAL_MS + FAILURES * TIMEOUT_MS + 5000);
    await waitForLog(gateway, (l) => l.event === "core_health" && l.state === "down");
    const down = logLines(gateway).find((l) => l.event === "core_health" && l.state === "down");
    expect(down).toMatchObject({ endpoint: "primary", why: expect.stringMatching(/timed out/) });
    // at least one request was waiting on the frozen primary and was re-sent, the rest skipped it
    expect(logLines(gateway).some((l) => l.event === "core_failover" && l.reason === "marked_down")).toBe(true);

    primary.child.kill("SIGCONT");
    const thawedAt = Date.now();
    await waitFor(
      "an answer from the thawed primary",
      () => answers.some((a) => a.sentAt > thawedAt && a.servedBy === "primary"),
      { timeoutMs: 30_000, everyMs: 50 },
    );
    stop = true;
    await Promise.all(workers);

    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const counts = pairTurnCounts(primaryDir, candidateDir);
    for (const [packetId, count] of counts) expect({ packetId, count }).toEqual({ packetId, count: 1 });
    for (const a of answers) expect(counts.get(a.packetId)).toBe(1);
  }, 240_000);
});
