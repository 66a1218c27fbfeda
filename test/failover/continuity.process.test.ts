// One conversation across the pair, with real processes: two gaia-cores that read each other's session files
// read-only, the compiled gateway (default health checks) in front. The primary is killed -9 mid-conversation: the
// candidate answers the next turn knowing the earlier ones; the restarted primary then knows the candidate's turn.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type ServiceProcess, tempDir } from "../support/processes.js";
import { waitFor } from "../support/waitFor.js";
import { type Core, pairTurnCounts, sendTurn, startPair, startPairedCore, stopPair, type TurnAnswer } from "./pair.js";

let primary: Core;
let candidate: Core;
let gateway: ServiceProcess;
const primaryDir = tempDir("gaia-primary-");
const candidateDir = tempDir("gaia-candidate-");
const SESSION = "continuity";
const answers: TurnAnswer[] = [];

beforeAll(async () => {
  ({ primary, candidate, gateway } = await startPair(primaryDir, candidateDir));
}, 320_000);

afterAll(() => stopPair({ primary, candidate, gateway }));

describe("session continuity across the pair", () => {
  it("the candidate answers turn 3 with turns 1-2 after the primary is killed -9", async () => {
    answers.push(await sendTurn(gateway.url, SESSION, "My name is Ada."));
    answers.push(await sendTurn(gateway.url, SESSION, "I live in Lisbon."));
    expect(answers.map((a) => [a.status, a.servedBy, a.turnsVerbatim])).toEqual([
      [200, "primary", 0],
      [200, "primary", 1],
    ]);

    // killed under load: another session's turn is in flight when the signal lands
    const inFlight = sendTurn(gateway.url, "bystander", "Tell me a long story.");
    await new Promise((r) => setTimeout(r, 30));
    await primary.kill("SIGKILL");
    const third = await sendTurn(gateway.url, SESSION, "Where do I live?");
    answers.push(third);
    expect(third).toMatchObject({ status: 200, servedBy: "candidate", turnsVerbatim: 2, replayed: false });
    expect((await inFlight).status).toBe(200);

    // a retry of turn 3 (same packet_id) is answered once: replayed, not a new turn
    const retry = await sendTurn(gateway.url, SESSION, "Where do I live?", third.packetId);
    expect(retry).toMatchObject({ status: 200, replayed: true });
  }, 240_000);

  it("after the primary restarts it knows the candidate's turn, and no packet_id is stored twice", async () => {
    primary = await startPairedCore("primary", primaryDir, candidateDir, primary.port);
    // the gateway's health check brings the primary back (2 good probes, 2 s apart by default)
    await waitFor(
      "the gateway to see the primary up",
      async () => {
        const res = await fetch(`${gateway.url}/health`);
        const body = (await res.json()) as { core: { primary: { health: { state: string } | null } } };
        return body.core.primary.health?.state === "up";
      },
      { timeoutMs: 30_000, everyMs: 100 },
    );
    await waitFor(
      "a turn the primary answers",
      // a fresh turn each time: only the one the primary answers is checked
      async () => (await sendTurn(gateway.url, `probe-${Date.now()}`, "Are you back?")).servedBy === "primary",
      { timeoutMs: 20_000, everyMs: 100 },
    );
    const turn4 = await sendTurn(gateway.url, SESSION, "And my name?");
    expect(turn4).toMatchObject({ status: 200, servedBy: "primary", turnsVerbatim: 3 });

    const counts = pairTurnCounts(primaryDir, candidateDir);
    for (const [packetId, count] of counts) expect({ packetId, count }).toEqual({ packetId, count: 1 });
    for (const a of [...answers, turn4]) expect(counts.get(a.packetId)).toBe(1);
  }, 240_000);
});
