// Real processes for the failover tests: two gaia-cores and a gateway in front of them.
import fs from "node:fs";
import path from "node:path";
import { buildUserPacket } from "../../services/web/buildPacket.js";
import { type ServiceProcess, spawnCore, spawnService, tempDir } from "../support/processes.js";
import { waitFor } from "../support/waitFor.js";

/** Tokens per answer: keeps the tiny model's turns short so ~20 requests take seconds. */
export const CORE_ENV = { GAIA_MAX_TOKENS_CAP: "16", GAIA_EMBED_MODEL_DIR: "none", LOG_LEVEL: "warn" };

export type Core = Awaited<ReturnType<typeof spawnCore>>;

export async function startCore(
  role: "primary" | "candidate",
  sharedDir: string,
  port?: number,
  env: Record<string, string> = {},
): Promise<Core> {
  // generous: two cores load at once, next to other test files loading models on a 2-core host
  return spawnCore({ role, sharedDir, port, env: { ...CORE_ENV, ...env }, readyTimeoutMs: 150_000 });
}

/** A core that also reads its peer's sessions read-only: one conversation across the pair. */
export async function startPairedCore(
  role: "primary" | "candidate",
  sharedDir: string,
  peerSharedDir: string,
  port?: number,
  env: Record<string, string> = {},
): Promise<Core> {
  return startCore(role, sharedDir, port, { GAIA_PEER_SHARED_DIR: peerSharedDir, ...env });
}

export interface TurnAnswer {
  status: number;
  packetId: string;
  /** `X-Gaia-Role` of the core that answered, or null (an error from the gateway itself). */
  servedBy: string | null;
  /** Earlier turns the core put in the prompt verbatim (from the packet's reflection_log), or null. */
  turnsVerbatim: number | null;
  replayed: boolean;
  body: Record<string, unknown>;
  headers: Headers;
}

/** One turn of a session as a packet through the gateway's POST /process_packet (same packet_id when re-sent). */
export async function sendTurn(
  gatewayUrl: string,
  sessionId: string,
  text: string,
  packetId?: string,
): Promise<TurnAnswer> {
  const packet = buildUserPacket(text, { sessionId, ...(packetId ? { packetId } : {}) });
  const res = await fetch(`${gatewayUrl}/process_packet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(packet),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const log = ((body.reasoning as { reflection_log?: Array<{ summary?: string }> } | undefined)?.reflection_log ?? [])
    .map((entry) => entry.summary ?? "")
    .join(" ");
  const verbatim = /turns_verbatim=(\d+)/.exec(log);
  return {
    status: res.status,
    packetId: packet.header.packet_id,
    servedBy: res.headers.get("x-gaia-role"),
    turnsVerbatim: verbatim ? Number(verbatim[1]) : null,
    replayed: /replayed=true/.test(log),
    body,
    headers: res.headers,
  };
}

/** Total times each packet_id is recorded across several cores' session files. */
export function pairTurnCounts(...sharedDirs: string[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const dir of sharedDirs) {
    for (const [id, n] of turnCounts(dir)) total.set(id, (total.get(id) ?? 0) + n);
  }
  return total;
}

/** A compiled gateway in front of `primary` with `candidate` as its fallback, logging at info so events can be read. */
export async function startGateway(
  primaryUrl: string,
  candidateUrl: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  return spawnService({
    entry: "dist/services/web/main.js",
    env: {
      CORE_ENDPOINT: primaryUrl,
      CORE_FALLBACK_ENDPOINT: candidateUrl,
      GAIA_MAINTENANCE_FLAG: path.join(tempDir("gaia-web-flag-"), "ha_maintenance"),
      LOG_LEVEL: "info",
      ...env,
    },
  });
}

/** The pair under test: two cores that read each other's sessions, the compiled gateway (its defaults) in front. */
export interface Pair {
  primary: Core;
  candidate: Core;
  gateway: ServiceProcess;
}

export async function startPair(
  primaryDir: string,
  candidateDir: string,
  options: { primaryEnv?: Record<string, string> } = {},
): Promise<Pair> {
  const [primary, candidate] = await Promise.all([
    startPairedCore("primary", primaryDir, candidateDir, undefined, options.primaryEnv),
    startPairedCore("candidate", candidateDir, primaryDir),
  ]);
  return { primary, candidate, gateway: await startGateway(primary.url, candidate.url) };
}

/**
 * Stops whatever of the pair was started (a frozen primary is continued first, so it can die); with GAIA_DEBUG_LOGS
 * set, prints the gateway's log first, which is where a failover test's story is told.
 */
export async function stopPair(pair: Partial<Pair>): Promise<void> {
  const { primary, candidate, gateway } = pair;
  if (primary?.child.exitCode === null) primary.child.kill("SIGCONT");
  if (process.env.GAIA_DEBUG_LOGS && gateway)
    console.log(
      logLines(gateway)
        .map((l) => JSON.stringify(l))
        .join("\n"),
    );
  await Promise.all([gateway?.kill(), primary?.kill("SIGKILL"), candidate?.kill()]);
}

/**
 * How many times each packet_id was recorded as a turn in a core's session files, read raw from
 * `<sharedDir>/sessions/*.jsonl` (one JSON record per line; a torn last line after kill -9 is skipped).
 */
export function turnCounts(sharedDir: string): Map<string, number> {
  const counts = new Map<string, number>();
  const dir = path.join(sharedDir, "sessions");
  if (!fs.existsSync(dir)) return counts;
  for (const file of fs.readdirSync(dir)) {
    for (const line of fs.readFileSync(path.join(dir, file), "utf8").split("\n")) {
      let record: { kind?: unknown; packet_id?: unknown };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        continue;
      }
      // vector records repeat a turn's packet_id; only turns count
      if (typeof record.packet_id !== "string" || (record.kind !== undefined && record.kind !== "turn")) continue;
      counts.set(record.packet_id, (counts.get(record.packet_id) ?? 0) + 1);
    }
  }
  return counts;
}

/** The gateway's JSON log lines so far. */
export function logLines(service: ServiceProcess): Array<Record<string, unknown>> {
  return service
    .output()
    .split("\n")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** Waits (briefly) until the gateway has printed a line matching `predicate`: its stdout reaches us asynchronously. */
export async function waitForLog(
  service: ServiceProcess,
  predicate: (line: Record<string, unknown>) => boolean,
  timeoutMs = 3000,
): Promise<void> {
  await waitFor("a matching log line", () => logLines(service).some(predicate), { timeoutMs, everyMs: 25 });
}

export interface Answer {
  status: number;
  body: { response?: string; packet_id?: string; served_by?: string; detail?: string };
}

/** One `POST /process_user_input` through the gateway. */
export async function ask(gatewayUrl: string, text: string): Promise<Answer> {
  const res = await fetch(`${gatewayUrl}/process_user_input?user_input=${encodeURIComponent(text)}`, {
    method: "POST",
  });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

export async function gatewayHealth(gatewayUrl: string): Promise<{ core: { primary: { breaker: string } } }> {
  return (await (await fetch(`${gatewayUrl}/health`)).json()) as { core: { primary: { breaker: string } } };
}
