// `npm run bench:failover`: the HA pair measured with real processes and the gateway's DEFAULT settings (health check
// every 2 s with a 1 s timeout, 2 failures down / 2 successes up; the original's 3 attempts with 2 s / 4 s backoff).
// Two gaia-cores on the bundled model that read each other's sessions, the compiled gateway in front, two clients
// holding conversations through it the whole time, while the primary is killed -9, restarted, frozen (SIGSTOP) and
// thawed. Prints a table and writes bench/results/failover.json. Not a test: it asserts nothing, it reports.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, waitForOk } from "../scripts/lib/localServices.js";
import { buildUserPacket } from "../services/web/buildPacket.js";
import { repoRoot } from "../shared/config/repoRoot.js";
import { maintenanceFlagPath } from "../shared/maintenance/MaintenanceFlag.js";

const root = repoRoot();
/** Short answers keep model time small next to the effect measured; one thread each on a small machine. */
const CORE_ENV = { GAIA_MAX_TOKENS_CAP: "8", GAIA_THREADS: "1", GAIA_EMBED_MODEL_DIR: "none", LOG_LEVEL: "warn" };
/** Turns per conversation before a client starts a new one (keeps prompts, and model time, small). */
const TURNS_PER_SESSION = 6;

interface Proc {
  name: string;
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
}

function launch(name: string, entry: string, port: number, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [path.join(root, entry)], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: "", HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", (code, signal) => {
    if (code && code !== 0 && !signal) process.stderr.write(`${name} exited with ${code}\n${stderr}\n`);
  });
  return { name, url: `http://127.0.0.1:${port}`, child, exited };
}

const alive = (p: Proc) => p.child.exitCode === null && p.child.signalCode === null;

async function waitHealthy(proc: Proc, timeoutMs = 120_000): Promise<void> {
  await waitForOk(`${proc.url}/health`, timeoutMs, () => !alive(proc), 20).catch((error: Error) => {
    throw new Error(`${proc.name} not healthy: ${error.message}`);
  });
}

interface Answer {
  ok: boolean;
  status: number;
  servedBy: string | null;
  packetId: string;
  sessionId: string;
  /** Earlier turns of this conversation that had been answered when it was sent. */
  expectedHistory: number;
  turnsVerbatim: number | null;
  sentAt: number;
  doneAt: number;
}

/** One client: a conversation through the gateway, a new one every TURNS_PER_SESSION turns. */
async function client(name: string, gatewayUrl: string, answers: Answer[], stop: () => boolean): Promise<void> {
  let session = 0;
  while (!stop()) {
    const sessionId = `bench-${name}-${process.pid}-${++session}`;
    let answered = 0;
    for (let turn = 0; turn < TURNS_PER_SESSION && !stop(); turn++) {
      const packet = buildUserPacket(`turn ${turn} of ${sessionId}`, { sessionId });
      const sentAt = performance.now();
      let answer: Answer;
      try {
        const res = await fetch(`${gatewayUrl}/process_packet`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(packet),
          signal: AbortSignal.timeout(120_000),
        });
        const body = (await res.json().catch(() => ({}))) as {
          reasoning?: { reflection_log?: Array<{ summary?: string }> };
        };
        const log = (body.reasoning?.reflection_log ?? []).map((e) => e.summary ?? "").join(" ");
        const verbatim = /turns_verbatim=(\d+)/.exec(log);
        answer = {
          ok: res.status === 200,
          status: res.status,
          servedBy: res.headers.get("x-gaia-role"),
          packetId: packet.header.packet_id,
          sessionId,
          expectedHistory: answered,
          turnsVerbatim: verbatim ? Number(verbatim[1]) : null,
          sentAt,
          doneAt: performance.now(),
        };
      } catch {
        answer = {
          ok: false,
          status: 0,
          servedBy: null,
          packetId: packet.header.packet_id,
          sessionId,
          expectedHistory: answered,
          turnsVerbatim: null,
          sentAt,
          doneAt: performance.now(),
        };
      }
      answers.push(answer);
      if (answer.ok) answered++;
    }
  }
}

/** How many times each packet_id is recorded as a turn in a core's session files (torn lines skipped). */
function turnCounts(sharedDir: string, into: Map<string, number>): void {
  const dir = path.join(sharedDir, "sessions");
  if (!fs.existsSync(dir)) return;
  for (const file of fs.readdirSync(dir)) {
    for (const line of fs.readFileSync(path.join(dir, file), "utf8").split("\n")) {
      try {
        const record = JSON.parse(line) as { kind?: unknown; packet_id?: unknown };
        if (record.kind === "turn" && typeof record.packet_id === "string")
          into.set(record.packet_id, (into.get(record.packet_id) ?? 0) + 1);
      } catch {
        // torn or empty line
      }
    }
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`gave up after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const round = (x: number) => Math.round(x);

async function main(): Promise<void> {
  for (const entry of ["dist/services/core/main.js", "dist/services/web/main.js"]) {
    if (!fs.existsSync(path.join(root, entry))) throw new Error(`missing ${entry}: run npm run build`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-bench-failover-"));
  const primaryDir = path.join(dataDir, "primary");
  const candidateDir = path.join(dataDir, "candidate");
  const [primaryPort, candidatePort, gatewayPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const coreEnv = (role: string, dir: string, peer: string) => ({
    ...CORE_ENV,
    GAIA_ROLE: role,
    GAIA_SHARED_DIR: dir,
    GAIA_PEER_SHARED_DIR: peer,
  });
  const startPrimary = () =>
    launch("primary", "dist/services/core/main.js", primaryPort, coreEnv("primary", primaryDir, candidateDir));
  let primary = startPrimary();
  const candidate = launch(
    "candidate",
    "dist/services/core/main.js",
    candidatePort,
    coreEnv("candidate", candidateDir, primaryDir),
  );
  // every gateway setting at its default: only the endpoints and the flag location are given
  const gateway = launch("gateway", "dist/services/web/main.js", gatewayPort, {
    CORE_ENDPOINT: primary.url,
    CORE_FALLBACK_ENDPOINT: candidate.url,
    GAIA_MAINTENANCE_FLAG: maintenanceFlagPath(primaryDir),
    LOG_LEVEL: "warn",
  });
  const procs = () => [primary, candidate, gateway];
  const cleanup = async () => {
    for (const p of procs()) {
      if (alive(p)) {
        p.child.kill("SIGCONT");
        p.child.kill("SIGKILL");
      }
    }
    await Promise.all(procs().map((p) => p.exited));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));

  try {
    await Promise.all(procs().map((p) => waitHealthy(p)));
    const answers: Answer[] = [];
    let stopping = false;
    const clients = [
      client("a", gateway.url, answers, () => stopping),
      client("b", gateway.url, answers, () => stopping),
    ];
    const firstAfter = (t: number, role: string) =>
      Math.min(...answers.filter((a) => a.ok && a.servedBy === role && a.sentAt >= t).map((a) => a.doneAt));
    const firstDoneAfter = (t: number, role: string) =>
      Math.min(...answers.filter((a) => a.ok && a.servedBy === role && a.doneAt > t).map((a) => a.doneAt));
    const servedSince = (t: number, role: string) =>
      answers.filter((a) => a.ok && a.servedBy === role && a.sentAt >= t).length;
    await until(() => servedSince(0, "primary") >= 8, "warm-up answers from the primary");

    process.stdout.write("kill -9 the primary under load\n");
    const killedAt = performance.now();
    primary.child.kill("SIGKILL");
    await primary.exited;
    await until(() => servedSince(killedAt, "candidate") >= 4, "answers from the candidate after the kill");
    const killToCandidate = firstDoneAfter(killedAt, "candidate") - killedAt;

    process.stdout.write("restart the primary on the same port\n");
    primary = startPrimary();
    await waitHealthy(primary);
    const restartedHealthyAt = performance.now();
    await until(() => servedSince(restartedHealthyAt, "primary") >= 2, "traffic back on the restarted primary");
    const restartBack = firstAfter(restartedHealthyAt, "primary") - restartedHealthyAt;
    await until(() => servedSince(restartedHealthyAt, "primary") >= 6, "steady traffic on the primary");

    process.stdout.write("freeze the primary (SIGSTOP) under load\n");
    const frozenAt = performance.now();
    primary.child.kill("SIGSTOP");
    await until(() => servedSince(frozenAt, "candidate") >= 4, "answers from the candidate after the freeze");
    const freezeToCandidate = firstDoneAfter(frozenAt, "candidate") - frozenAt;

    process.stdout.write("thaw the primary (SIGCONT)\n");
    primary.child.kill("SIGCONT");
    const thawedAt = performance.now();
    await until(() => servedSince(thawedAt, "primary") >= 2, "traffic back on the thawed primary");
    const thawBack = firstAfter(thawedAt, "primary") - thawedAt;

    stopping = true;
    await Promise.all(clients);
    const stored = new Map<string, number>();
    turnCounts(primaryDir, stored);
    turnCounts(candidateDir, stored);
    const ok = answers.filter((a) => a.ok);
    const lost = answers.filter((a) => !a.ok);
    const turnsLost = ok.filter((a) => !stored.has(a.packetId)).length;
    const historyMissing = ok.reduce(
      (sum, a) => sum + Math.max(0, a.expectedHistory - (a.turnsVerbatim ?? a.expectedHistory)),
      0,
    );
    const duplicatedIds = [...stored].filter(([, n]) => n > 1).map(([id]) => id);
    const duplicated = duplicatedIds.length;
    const onPrimary = new Map<string, number>();
    turnCounts(primaryDir, onPrimary);
    const duplicates = duplicatedIds.map((id) => ({
      packet_id: id,
      on_primary: onPrimary.get(id) ?? 0,
      answers: answers
        .filter((a) => a.packetId === id)
        .map((a) => ({ served_by: a.servedBy, sent_ms: round(a.sentAt), done_ms: round(a.doneAt) })),
    }));

    const results = {
      date: new Date().toISOString(),
      machine: { cpus: os.availableParallelism(), loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) },
      settings: { gateway: "defaults (health 2000/1000 ms, 2 down / 2 up; 3 attempts, 2 s / 4 s)", ...CORE_ENV },
      kill_to_first_candidate_answer_ms: round(killToCandidate),
      freeze_to_first_candidate_answer_ms: round(freezeToCandidate),
      restarted_primary_healthy_to_traffic_back_ms: round(restartBack),
      thawed_primary_to_traffic_back_ms: round(thawBack),
      requests_total: answers.length,
      requests_lost: lost.length,
      lost_statuses: lost.map((a) => a.status),
      turns_lost: turnsLost,
      history_turns_missing: historyMissing,
      turns_duplicated: duplicated,
      duplicates,
      events_ms: {
        killed: round(killedAt),
        restarted_healthy: round(restartedHealthyAt),
        frozen: round(frozenAt),
        thawed: round(thawedAt),
      },
    };
    const rows: Array<[string, string]> = [
      ["kill -9 → first candidate answer", `${results.kill_to_first_candidate_answer_ms} ms  (target ≤ 1000)`],
      ["SIGSTOP → first candidate answer", `${results.freeze_to_first_candidate_answer_ms} ms  (target ≤ 5000)`],
      [
        "primary back (restarted, healthy) → traffic back",
        `${results.restarted_primary_healthy_to_traffic_back_ms} ms  (target ≤ 5000)`,
      ],
      ["primary back (SIGCONT) → traffic back", `${results.thawed_primary_to_traffic_back_ms} ms  (target ≤ 5000)`],
      ["requests lost", `${results.requests_lost} of ${results.requests_total}  (target 0)`],
      ["turns lost (answered, stored nowhere)", `${results.turns_lost}  (target 0)`],
      ["history turns missing from prompts", `${results.history_turns_missing}  (target 0)`],
      ["turns duplicated (one packet_id stored twice)", `${results.turns_duplicated}  (target 0)`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\nfailover with the gateway's defaults, 2 clients in conversation throughout\n`);
    for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
    process.stdout.write(`  (load average ${results.machine.loadavg.join(" ")} on ${results.machine.cpus} CPUs)\n`);
    const out = path.join(root, "bench/results/failover.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`wrote ${path.relative(root, out)}\n`);
  } finally {
    await cleanup();
  }
}

await main();
