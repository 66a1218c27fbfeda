// The pair as one service under compose: each core reads the other's volume read-only (/peer), the gateway checks
// both cores' /health. `docker kill` of gaia-core mid-conversation: the candidate answers the next turn knowing the
// earlier ones, and the restarted primary knows the candidate's turn. `docker pause` (frozen: the port still accepts
// connections): the candidate answers, and after `docker unpause` traffic returns. Timings are printed, not asserted.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { sendTurn, type TurnAnswer } from "../failover/pair.js";
import {
  compose,
  docker,
  mustCompose,
  mustDocker,
  prepareStack,
  report,
  type StackPorts,
  serviceId,
  sleep,
  waitHealthy,
  waitHttpOk,
} from "./docker.js";

let ports: StackPorts;
const web = () => `http://127.0.0.1:${ports.web}`;
const SESSION = "ct-continuity";
const answered: TurnAnswer[] = [];

async function primaryUpAtGateway(): Promise<boolean> {
  const body = (await (await fetch(`${web()}/health`, { signal: AbortSignal.timeout(5000) })).json()) as {
    core?: { primary?: { health?: { state?: string } | null } };
  };
  return body.core?.primary?.health?.state === "up";
}

/** Until a fresh turn through the gateway is served by the primary again. */
async function trafficBackOnPrimary(timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const probe = await sendTurn(web(), `ct-back-${Date.now()}`, "back?");
    expect(probe.status).toBe(200);
    if (probe.servedBy === "primary") return Date.now() - started;
    await sleep(250);
  }
  throw new Error("traffic did not return to the primary");
}

/** packet_id → times stored, read from a core's own volume inside its container. */
async function storedTurns(service: string): Promise<Map<string, number>> {
  const out = await mustCompose(
    ["exec", "-T", service, "sh", "-c", "cat /shared/sessions/*.jsonl 2>/dev/null || true"],
    ports,
  );
  const counts = new Map<string, number>();
  for (const line of out.stdout.split("\n")) {
    try {
      const record = JSON.parse(line) as { kind?: string; packet_id?: string };
      if (record.kind === "turn" && record.packet_id)
        counts.set(record.packet_id, (counts.get(record.packet_id) ?? 0) + 1);
    } catch {
      // empty or torn line
    }
  }
  return counts;
}

beforeAll(async () => {
  ports = await prepareStack();
  await mustCompose(["up", "-d", "--no-build"], ports, 600_000);
  await waitHealthy(await serviceId("gaia-web", ports));
});

afterAll(async () => {
  if (!ports) return;
  const id = await serviceId("gaia-core", ports).catch(() => null);
  if (id) await docker(["unpause", id]);
  if (process.env.GAIA_CT_LOGS === "1")
    process.stdout.write((await compose(["logs", "--no-color", "--tail", "40"], ports)).stdout);
  await compose(["down", "-v", "--remove-orphans", "-t", "10"], ports, 180_000);
});

describe("one conversation across the compose pair", () => {
  it("docker kill gaia-core mid-conversation: the candidate knows turns 1-2, the restarted primary knows turn 3", async () => {
    answered.push(await sendTurn(web(), SESSION, "My name is Ada."));
    answered.push(await sendTurn(web(), SESSION, "I live in Lisbon."));
    expect(answered.map((a) => [a.status, a.servedBy, a.turnsVerbatim])).toEqual([
      [200, "primary", 0],
      [200, "primary", 1],
    ]);

    const primaryId = await serviceId("gaia-core", ports);
    await mustDocker(["kill", primaryId]);
    const killedAt = Date.now();
    const third = await sendTurn(web(), SESSION, "Where do I live?");
    report("docker kill → candidate answer", Date.now() - killedAt);
    answered.push(third);
    expect(third).toMatchObject({ status: 200, servedBy: "candidate", turnsVerbatim: 2 });

    await mustDocker(["start", primaryId]);
    // the core's own /health, not Docker's healthcheck: on a loaded host `node -e fetch…` can itself time out
    await waitHttpOk(`http://127.0.0.1:${ports.core}/health`, 240_000);
    const healthyAt = Date.now();
    for (let i = 0; i < 120 && !(await primaryUpAtGateway()); i++) await sleep(250);
    await trafficBackOnPrimary();
    report("primary healthy → traffic back", Date.now() - healthyAt);
    const fourth = await sendTurn(web(), SESSION, "And my name?");
    answered.push(fourth);
    expect(fourth).toMatchObject({ status: 200, servedBy: "primary", turnsVerbatim: 3 });
  });

  it("docker pause gaia-core (frozen): the candidate answers; after unpause traffic returns", async () => {
    const primaryId = await serviceId("gaia-core", ports);
    await mustDocker(["pause", primaryId]);
    const pausedAt = Date.now();
    try {
      const frozen = await sendTurn(web(), SESSION, "Are you there?");
      report("docker pause → candidate answer", Date.now() - pausedAt);
      answered.push(frozen);
      expect(frozen).toMatchObject({ status: 200, servedBy: "candidate", turnsVerbatim: 4 });
    } finally {
      await mustDocker(["unpause", primaryId]);
    }
    report("unpause → traffic back on the primary", await trafficBackOnPrimary());
  });

  it("no packet_id is stored twice in either volume, and every answered turn is stored", async () => {
    const [onPrimary, onCandidate] = await Promise.all([storedTurns("gaia-core"), storedTurns("gaia-core-candidate")]);
    for (const counts of [onPrimary, onCandidate])
      for (const [packetId, count] of counts) expect({ packetId, count }).toEqual({ packetId, count: 1 });
    for (const a of answered) {
      expect({ id: a.packetId, stored: (onPrimary.get(a.packetId) ?? 0) + (onCandidate.get(a.packetId) ?? 0) }).toEqual(
        {
          id: a.packetId,
          stored: 1,
        },
      );
    }
  });
});
