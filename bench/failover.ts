// `npm run bench:failover`: the gateway's failover measured with real processes (two gaia-cores on the bundled model
// and compiled gateways), with the ORIGINAL's retry defaults (3 attempts, 2 s then 4 s) so the comparison is honest.
// Prints a table and writes bench/results/failover.json. Not a test: it asserts nothing, it reports.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, waitForOk } from "../scripts/lib/localServices.js";
import { buildUserPacket } from "../services/web/buildPacket.js";
import { repoRoot } from "../shared/config/repoRoot.js";

const root = repoRoot();
/** The original's gateway defaults and this product's breaker defaults. */
const GATEWAY_DEFAULTS = {
  GAIA_RETRY_ATTEMPTS: "3",
  GAIA_RETRY_BASE_DELAY_MS: "2000",
  GAIA_BREAKER_THRESHOLD: "3",
  GAIA_BREAKER_HALF_OPEN_MS: "5000",
};
/** Short answers keep model time small next to the effect measured; one thread each on a small machine. */
const CORE_ENV = { GAIA_MAX_TOKENS_CAP: "8", GAIA_THREADS: "1", LOG_LEVEL: "warn" };
const OPEN_SAMPLES = Number(process.env.BENCH_FAILOVER_SAMPLES ?? 40);
const ORIGINAL_SAMPLES = Number(process.env.BENCH_FAILOVER_ORIGINAL_SAMPLES ?? 3);

interface Proc {
  name: string;
  url: string;
  port: number;
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
  return { name, url: `http://127.0.0.1:${port}`, port, child, exited };
}

async function waitHealthy(proc: Proc, timeoutMs = 120_000): Promise<void> {
  const died = () => proc.child.exitCode !== null || proc.child.signalCode !== null;
  await waitForOk(`${proc.url}/health`, timeoutMs, died, 50).catch((error: Error) => {
    throw new Error(`${proc.name} not healthy: ${error.message}`);
  });
}

async function stop(proc: Proc, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
  await proc.exited;
}

const _sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  ok: boolean;
  status: number;
  servedBy: string | null;
  ms: number;
  /** performance.now() when the answer was complete. */
  at: number;
}

let sessionCounter = 0;
/** A fresh session per request, so the prompt (and model time) stays the same size throughout. */
const nextSession = () => `bench-failover-${process.pid}-${++sessionCounter}`;

async function viaGateway(gatewayUrl: string): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await fetch(`${gatewayUrl}/process_user_input`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_input: "How are you today?", session_id: nextSession() }),
    });
    const body = (await res.json()) as { served_by?: string };
    const at = performance.now();
    return { ok: res.status === 200, status: res.status, servedBy: body.served_by ?? null, ms: at - started, at };
  } catch {
    const at = performance.now();
    return { ok: false, status: 0, servedBy: null, ms: at - started, at };
  }
}

async function direct(coreUrl: string): Promise<Answer> {
  const packet = buildUserPacket("How are you today?", { sessionId: nextSession() });
  const started = performance.now();
  const res = await fetch(`${coreUrl}/process_packet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(packet),
  });
  await res.json();
  const at = performance.now();
  return { ok: res.status === 200, status: res.status, servedBy: res.headers.get("x-gaia-role"), ms: at - started, at };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Sends requests through the gateway from `workers` loops until `until()` says stop (or 90 s pass); returns every answer. */
async function stream(gatewayUrl: string, workers: number, until: (answers: Answer[]) => boolean): Promise<Answer[]> {
  const answers: Answer[] = [];
  const deadline = performance.now() + 90_000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!until(answers)) {
        if (performance.now() > deadline) throw new Error("gave up after 90 s: the expected answer never came");
        answers.push(await viaGateway(gatewayUrl));
      }
    }),
  );
  return answers;
}

async function main(): Promise<void> {
  for (const entry of ["dist/services/core/main.js", "dist/services/web/main.js"]) {
    if (!fs.existsSync(path.join(root, entry))) throw new Error(`missing ${entry}: run npm run build`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-bench-failover-"));
  const primaryDir = path.join(dataDir, "primary");
  const candidateDir = path.join(dataDir, "candidate");
  const [primaryPort, candidatePort, gatewayPort, originalGatewayPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const flag = path.join(primaryDir, "ha_maintenance");
  const coreEnv = (role: string, dir: string) => ({ ...CORE_ENV, GAIA_ROLE: role, GAIA_SHARED_DIR: dir });
  let primary = launch("primary", "dist/services/core/main.js", primaryPort, coreEnv("primary", primaryDir));
  const candidate = launch(
    "candidate",
    "dist/services/core/main.js",
    candidatePort,
    coreEnv("candidate", candidateDir),
  );
  const gatewayEnv = {
    CORE_ENDPOINT: primary.url,
    CORE_FALLBACK_ENDPOINT: candidate.url,
    GAIA_MAINTENANCE_FLAG: flag,
    LOG_LEVEL: "warn",
  };
  const gateway = launch("gateway", "dist/services/web/main.js", gatewayPort, { ...gatewayEnv, ...GATEWAY_DEFAULTS });
  // the original had no breaker: a threshold it never reaches gives its behaviour, 2 s + 4 s of backoff per request
  const originalGateway = launch("gateway-no-breaker", "dist/services/web/main.js", originalGatewayPort, {
    ...gatewayEnv,
    ...GATEWAY_DEFAULTS,
    GAIA_BREAKER_THRESHOLD: "1000000000",
  });
  const procs = () => [primary, candidate, gateway, originalGateway];
  const cleanup = async () => {
    await Promise.all(procs().map((p) => stop(p, "SIGKILL")));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));

  try {
    await Promise.all(procs().map((p) => waitHealthy(p)));
    process.stdout.write("processes ready; warming up\n");
    for (let i = 0; i < 5; i++) {
      await viaGateway(gateway.url);
      await direct(candidate.url);
    }

    // 1. kill -9 the primary under a stream of requests (2 at a time)
    process.stdout.write("killing the primary (kill -9) under load\n");
    let killedAt = Infinity;
    const killStream = stream(gateway.url, 2, (answers) => {
      if (killedAt === Infinity && answers.length >= 6) {
        killedAt = performance.now();
        primary.child.kill("SIGKILL");
      }
      return answers.filter((a) => a.at > killedAt && a.servedBy === "candidate").length >= 6;
    });
    const killAnswers = await killStream;
    await primary.exited;
    const firstCandidate = Math.min(...killAnswers.filter((a) => a.servedBy === "candidate").map((a) => a.at));
    const deathToCandidateMs = firstCandidate - killedAt;

    // 2. breaker open: gateway → candidate vs straight to the candidate, interleaved so drift hits both equally
    process.stdout.write(
      `breaker open: ${OPEN_SAMPLES} requests through the gateway and ${OPEN_SAMPLES} straight to the candidate\n`,
    );
    const health = (await (await fetch(`${gateway.url}/health`)).json()) as { core: { primary: { breaker: string } } };
    const throughGateway: Answer[] = [];
    const straight: Answer[] = [];
    for (let i = 0; i < OPEN_SAMPLES; i++) {
      straight.push(await direct(candidate.url));
      throughGateway.push(await viaGateway(gateway.url));
    }

    // 3. the original's behaviour (no breaker): every request pays the full backoff before failing over
    process.stdout.write(`no breaker (the original's behaviour): ${ORIGINAL_SAMPLES} requests\n`);
    const original: Answer[] = [];
    for (let i = 0; i < ORIGINAL_SAMPLES; i++) original.push(await viaGateway(originalGateway.url));

    // 4. restart the primary on the same port: how long until traffic is back on it
    process.stdout.write("restarting the primary on the same port\n");
    const restartedAt = performance.now();
    primary = launch("primary", "dist/services/core/main.js", primaryPort, coreEnv("primary", primaryDir));
    let readyAt = Infinity;
    void waitHealthy(primary).then(
      () => (readyAt = performance.now()),
      (error: unknown) => process.stderr.write(`restarted primary never became healthy: ${String(error)}\n`),
    );
    const backStream = await stream(gateway.url, 1, (answers) => answers.some((a) => a.servedBy === "primary"));
    const backAt = Math.min(...backStream.filter((a) => a.servedBy === "primary").map((a) => a.at));

    const all = [...killAnswers, ...throughGateway, ...original, ...backStream];
    const lost = all.filter((a) => !a.ok);
    const gw = throughGateway.map((a) => a.ms);
    const dc = straight.map((a) => a.ms);
    const paired = gw.map((ms, i) => ms - dc[i]!);
    const originalAdded = original.map((a) => a.ms - percentile(dc, 50));
    const results = {
      date: new Date().toISOString(),
      machine: { cpus: os.availableParallelism(), node: process.version },
      settings: { ...GATEWAY_DEFAULTS, ...CORE_ENV, samples_open: OPEN_SAMPLES, samples_original: ORIGINAL_SAMPLES },
      breaker_state_after_kill: health.core.primary.breaker,
      breaker_open: {
        gateway_ms: { p50: round(percentile(gw, 50)), p95: round(percentile(gw, 95)) },
        direct_candidate_ms: { p50: round(percentile(dc, 50)), p95: round(percentile(dc, 95)) },
        added_ms: {
          p50: round(percentile(gw, 50) - percentile(dc, 50)),
          p95: round(percentile(gw, 95) - percentile(dc, 95)),
        },
        // each gateway request minus the direct request just before it: includes both requests' model-time noise
        paired_added_ms: { p50: round(percentile(paired, 50)), p95: round(percentile(paired, 95)) },
        served_by_candidate: throughGateway.filter((a) => a.servedBy === "candidate").length,
      },
      original_no_breaker: {
        added_ms_per_request: originalAdded.map((x) => round(x)),
        added_ms_p50: round(percentile(originalAdded, 50)),
      },
      kill9: { death_to_first_candidate_answer_ms: round(deathToCandidateMs), requests: killAnswers.length },
      restart: {
        restart_to_traffic_on_primary_ms: round(backAt - restartedAt),
        primary_ready_to_traffic_on_primary_ms: round(backAt - readyAt),
        requests: backStream.length,
      },
      requests_total: all.length,
      requests_lost: lost.length,
      lost_statuses: lost.map((a) => a.status),
    };

    const rows: Array<[string, string]> = [
      ["breaker state after kill -9", results.breaker_state_after_kill],
      [
        "breaker open: via gateway p50 / p95",
        `${results.breaker_open.gateway_ms.p50} / ${results.breaker_open.gateway_ms.p95} ms`,
      ],
      [
        "direct to candidate p50 / p95",
        `${results.breaker_open.direct_candidate_ms.p50} / ${results.breaker_open.direct_candidate_ms.p95} ms`,
      ],
      [
        "added latency, breaker open p50 / p95",
        `${results.breaker_open.added_ms.p50} / ${results.breaker_open.added_ms.p95} ms  (target ≤ 50)`,
      ],
      [
        "  same, paired per request p50 / p95",
        `${results.breaker_open.paired_added_ms.p50} / ${results.breaker_open.paired_added_ms.p95} ms`,
      ],
      ["added latency, no breaker (original)", `${results.original_no_breaker.added_ms_p50} ms per request`],
      ["kill -9 → first candidate answer", `${results.kill9.death_to_first_candidate_answer_ms} ms`],
      ["primary restart → traffic on primary", `${results.restart.restart_to_traffic_on_primary_ms} ms`],
      [
        "primary ready → traffic on primary",
        `${results.restart.primary_ready_to_traffic_on_primary_ms} ms  (half-open window ${GATEWAY_DEFAULTS.GAIA_BREAKER_HALF_OPEN_MS} ms)`,
      ],
      ["requests lost", `${results.requests_lost} of ${results.requests_total}  (target 0)`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(
      `\nfailover (original defaults: 3 attempts, 2 s / 4 s backoff; breaker 3 failures, 5 s half-open)\n`,
    );
    for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
    process.stdout.write(
      `\nOnce the breaker is open a request to a dead primary costs ${results.breaker_open.added_ms.p50} ms extra (p50) instead of ` +
        `${round(results.original_no_breaker.added_ms_p50 / 1000, 2)} s of backoff with the original's retry-only client ` +
        `(${round(results.original_no_breaker.added_ms_p50 / Math.max(results.breaker_open.added_ms.p50, 0.1), 0)}× less).\n`,
    );
    const out = path.join(root, "bench/results/failover.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`wrote ${path.relative(root, out)}\n`);
  } finally {
    await cleanup();
  }
}

await main();
