// GAIA's HA activation report, replayed on the compose stack: primary + candidate + gateway from one image; stop the
// primary and the gateway's next answer comes from the candidate; start it again and traffic returns. Plus the
// maintenance flag (set through the primary's volume, seen by the gateway) and the ha-start / ha-stop scripts.
// Timings are printed for the report, never asserted.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  BUILD_ID,
  compose,
  composeEnv,
  mustCompose,
  prepareStack,
  report,
  run,
  type StackPorts,
  serviceId,
  sleep,
  waitHealthy,
} from "./docker.js";

let ports: StackPorts;
const web = () => `http://127.0.0.1:${ports.web}`;

interface Answer {
  status: number;
  servedBy: string | null;
  ms: number;
  body: Record<string, unknown>;
}

/** One user message through the gateway, as GAIA's web UI sends it. */
async function ask(text: string): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(`${web()}/process_user_input`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user_input: text, session_id: "ct-failover" }),
    signal: AbortSignal.timeout(180_000),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return {
    status: res.status,
    servedBy: typeof body.served_by === "string" ? body.served_by : null,
    ms: Date.now() - started,
    body,
  };
}

async function health(url: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) })).json()) as Record<
    string,
    unknown
  >;
}

/** The breaker state the gateway's /health reports for one core endpoint. */
function breakerOf(gatewayHealth: Record<string, unknown>, endpoint: "primary" | "fallback"): unknown {
  const core = gatewayHealth.core as Record<string, { breaker?: unknown } | null> | undefined;
  return core?.[endpoint]?.breaker;
}

/** Polls the gateway's /health until its `maintenance` field equals `on`. */
async function gatewaySeesMaintenance(on: boolean): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 50; i++) {
    last = (await health(web())).maintenance;
    if (last === on) return;
    await sleep(200);
  }
  throw new Error(`gateway /health maintenance stayed ${String(last)}, expected ${on}`);
}

/** An ops script (scripts/*.sh) run against this test's compose project. */
async function script(name: string, args: readonly string[] = []) {
  const result = await run("bash", [`scripts/${name}`, ...args], { env: composeEnv(ports), timeoutMs: 300_000 });
  if (result.code !== 0)
    throw new Error(`${name} ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  ports = await prepareStack();
});

afterAll(async () => {
  if (!ports) return;
  const logs = await compose(["logs", "--no-color", "--tail", "15"], ports);
  if (process.env.GAIA_CT_LOGS === "1") process.stdout.write(logs.stdout);
  await compose(["down", "-v", "--remove-orphans", "-t", "10"], ports, 180_000);
});

describe("compose pair + gateway", () => {
  it("comes up healthy: both cores (service_healthy), then the gateway", async () => {
    const started = Date.now();
    await mustCompose(["up", "-d", "--no-build"], ports, 600_000);
    await waitHealthy(await serviceId("gaia-web", ports));
    report("time to healthy (compose up → all three healthy)", Date.now() - started);

    const [primary, candidate, gateway] = await Promise.all([
      health(`http://127.0.0.1:${ports.core}`),
      health(`http://127.0.0.1:${ports.candidate}`),
      health(web()),
    ]);
    expect(primary).toMatchObject({
      status: "ready",
      role: "primary",
      build_id: BUILD_ID,
      shared_dir: "/shared",
      maintenance: false,
    });
    expect(candidate).toMatchObject({ status: "ready", role: "candidate", build_id: BUILD_ID, shared_dir: "/shared" });
    expect(gateway).toMatchObject({ status: "healthy", service: "gaia-web", maintenance: false });
  });

  it("answers a message through the gateway from the primary", async () => {
    const answer = await ask("Hello GAIA");
    expect(answer).toMatchObject({ status: 200, servedBy: "primary" });
    expect(typeof answer.body.response).toBe("string");
    report("first answer through the gateway", answer.ms);
  });

  it("ha-maintenance.sh writes the flag into the primary's volume, and the gateway sees it", async () => {
    expect(await script("ha-maintenance.sh", ["on"])).toMatch(/maintenance: on/);
    await gatewaySeesMaintenance(true);
    expect((await health(`http://127.0.0.1:${ports.core}`)).maintenance).toBe(true);
    // the candidate has its own volume: production's flag is not its business
    expect((await health(`http://127.0.0.1:${ports.candidate}`)).maintenance).toBe(false);
    expect(await script("ha-maintenance.sh", ["status"])).toMatch(/^maintenance: on/);
    expect(await script("ha-maintenance.sh", ["off"])).toMatch(/maintenance: off/);
    await gatewaySeesMaintenance(false);
    expect((await script("ha-maintenance.sh", ["status"])).trim()).toBe("maintenance: off");
  });

  it("with gaia-core stopped, the next message is answered by the candidate", async () => {
    const stop = await mustCompose(["stop", "gaia-core"], ports, 120_000);
    report("docker-compose stop gaia-core (drain + exit)", stop.ms);

    const first = await ask("Are you still there?");
    expect(first).toMatchObject({ status: 200, servedBy: "candidate" });
    report("failover: first answer after the primary stopped (retries + fallback)", first.ms);
    // the gateway's health check has the primary down: later requests go straight to the candidate
    const core = (await health(web())).core as { primary?: { health?: { state?: string } } } | undefined;
    expect(core?.primary?.health?.state).toBe("down");

    const second = await ask("And now?");
    expect(second).toMatchObject({ status: 200, servedBy: "candidate" });
    report("failover: next answer (primary known down, straight to the candidate)", second.ms);
  });

  it("after gaia-core starts again, traffic returns to the primary", async () => {
    const started = Date.now();
    await mustCompose(["start", "gaia-core"], ports, 120_000);
    await waitHealthy(await serviceId("gaia-core", ports));
    report("recovery: gaia-core healthy again after start", Date.now() - started);

    const backAt = Date.now();
    const servedBy: string[] = [];
    let answer: Answer | undefined;
    for (let i = 0; i < 60; i++) {
      answer = await ask(`Back? (${i})`);
      expect(answer.status).toBe(200); // no error while the breaker probes the primary again
      servedBy.push(String(answer.servedBy));
      if (answer.servedBy === "primary") break;
      await sleep(500);
    }
    expect(answer?.servedBy).toBe("primary");
    report(`recovery: traffic back on the primary after healthy (${servedBy.join(" → ")})`, Date.now() - backAt);
    expect(breakerOf(await health(web()), "primary")).toBe("closed");
    report("recovery: start → first answer from the primary", Date.now() - started);
  });

  it("ha-stop.sh removes the candidate (the gateway keeps serving) and ha-start.sh brings it back healthy", async () => {
    expect(await script("ha-stop.sh")).toMatch(/gaia-core-candidate stopped and removed/);
    expect((await compose(["ps", "-q", "gaia-core-candidate"], ports)).stdout.trim()).toBe("");
    expect(await ask("Only the primary now")).toMatchObject({ status: 200, servedBy: "primary" });

    const started = Date.now();
    expect(await script("ha-start.sh")).toMatch(/gaia-core-candidate is healthy after/);
    report("ha-start.sh: candidate up and healthy", Date.now() - started);
    expect(await health(`http://127.0.0.1:${ports.candidate}`)).toMatchObject({ status: "ready", role: "candidate" });
  });

  it("in maintenance mode the gateway does not fail over; turning it off (primary down) restores failover", async () => {
    await script("ha-maintenance.sh", ["on"]);
    await gatewaySeesMaintenance(true);
    await mustCompose(["stop", "gaia-core"], ports, 120_000);

    const refused = await ask("Anyone?");
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(refused.servedBy).toBeNull();

    // gaia-core is stopped: the script reaches its volume through a one-off container of the same service
    expect(await script("ha-maintenance.sh", ["off"])).toMatch(/maintenance: off/);
    await gatewaySeesMaintenance(false);
    expect(await ask("Anyone now?")).toMatchObject({ status: 200, servedBy: "candidate" });
  });
});
