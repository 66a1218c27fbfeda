import { describeBuffers, type EngineFacts } from "./engineFacts.js";
import type { ConcurrentResult, PeerRun, SingleSlotResult } from "./peerBench.js";
import { ratio } from "./stats.js";

/** One line of the gaia-core vs llama-server table: both figures, gaia-core ÷ llama-server, and the target. */
export interface PeerRow {
  metric: string;
  threads: number;
  /** Each side's ggml CPU variant, `gaia-core / llama-server` (`?` where unknown). */
  variants: string;
  unit: string;
  gaia: number | null;
  llamaServer: number | null;
  ratio: number | null;
  target?: string;
  /** Undefined: not judged (informational, not measured, or not comparable). false also for a side that did not run. */
  pass?: boolean;
  /** Why the two figures are not compared (the sides ran on different CPU variants, or could not be pinned). */
  notComparable?: string;
  /** Which side did not run: the row fails. */
  failed?: string;
  note?: string;
}

const MB = 1024 * 1024;
/** Peak RSS may exceed llama-server's by this much (the JS runtime, HTTP stack and session store). */
export const RSS_ALLOWANCE_MB = 150;

/** The CPU variant both sides were to be pinned to, and why that was impossible (null: pinned, or no pin wanted). */
export interface PinState {
  variant: string | null;
  problem: string | null;
}

/**
 * Null when two sides ran like with like (the same CPU variant, pinned where a pin was wanted), else why their figures
 * must not be compared.
 */
export function notComparableReason(gaia: string | null, llamaServer: string | null, pin: PinState): string | null {
  if (pin.variant && pin.problem) return `cannot pin both to ${pin.variant}: ${pin.problem}`;
  if (gaia === null || llamaServer === null) return "a side's CPU variant is unknown";
  if (gaia !== llamaServer) return `CPU variants differ: gaia-core ${gaia}, llama-server ${llamaServer}`;
  return null;
}

type Compare = { kind: "ratio"; op: "<=" | ">="; limit: number } | { kind: "rssAllowance" } | null;

/** One side of a row: whether it ran at all, its figure, and the variant it ran on. */
interface SideFigure {
  ran: boolean;
  value: number | null | undefined;
  engine: EngineFacts | null | undefined;
}

interface RowSpec {
  metric: string;
  threads: number;
  unit: string;
  compare: Compare;
  note?: string;
  /** Different variants on purpose (gaia-core's default against the peer's best): shown, never judged. */
  informational?: string;
  names?: { gaia: string; llamaServer: string };
}

function targetText(compare: Compare): string | undefined {
  if (!compare) return undefined;
  if (compare.kind === "rssAllowance") return `≤ llama-server + ${RSS_ALLOWANCE_MB} MB`;
  return `${compare.op === "<=" ? "≤" : "≥"} ${compare.limit.toFixed(1)}×`;
}

function judge(compare: Compare, g: number | null, l: number | null, r: number | null): boolean | undefined {
  if (!compare) return undefined;
  if (compare.kind === "rssAllowance") return g === null || l === null ? undefined : g - l <= RSS_ALLOWANCE_MB;
  if (r === null) return undefined;
  return compare.op === "<=" ? r <= compare.limit : r >= compare.limit;
}

function row(spec: RowSpec, gaia: SideFigure, llamaServer: SideFigure, pin: PinState): PeerRow {
  const g = gaia.value ?? null;
  const l = llamaServer.value ?? null;
  const r = ratio(g, l);
  const gv = gaia.engine?.variant ?? null;
  const lv = llamaServer.engine?.variant ?? null;
  const target = targetText(spec.compare);
  const out: PeerRow = {
    metric: spec.metric,
    threads: spec.threads,
    variants: `${gv ?? "?"} / ${lv ?? "?"}`,
    unit: spec.unit,
    gaia: g,
    llamaServer: l,
    ratio: r,
    ...(target ? { target } : {}),
    ...(spec.note ? { note: spec.note } : {}),
  };
  const names = spec.names ?? { gaia: "gaia-core", llamaServer: "llama-server" };
  const missing = [gaia.ran ? null : names.gaia, llamaServer.ran ? null : names.llamaServer].filter(Boolean);
  if (missing.length > 0) return { ...out, pass: false, failed: `${missing.join(" and ")} did not run` };
  if (spec.informational) return out;
  const why = notComparableReason(gv, lv, pin);
  if (why) return { ...out, notComparable: why };
  const pass = judge(spec.compare, g, l, r);
  return pass === undefined ? out : { ...out, pass };
}

const mb = (bytes: number | null | undefined) => (bytes == null ? null : bytes / MB);
const ms = (v: number | null | undefined) => (v == null ? "?" : `${Math.round(v)} ms`);

/** The like-with-like rows of one thread count. */
function pinnedRows(run: PeerRun, concurrentSlots: number, pin: PinState): PeerRow[] {
  const T = run.threads;
  const gs = run.gaia.single;
  const ls = run.llamaServer.single;
  const gc = run.gaia.concurrent;
  const lc = run.llamaServer.concurrent;
  const single = (pick: (r: SingleSlotResult) => number | null): [SideFigure, SideFigure] => [
    { ran: gs !== null, value: gs ? pick(gs) : null, engine: gs?.engine },
    { ran: ls !== null, value: ls ? pick(ls) : null, engine: ls?.engine },
  ];
  const concurrent = (pick: (r: ConcurrentResult) => number | null): [SideFigure, SideFigure] => [
    { ran: gc !== null, value: gc ? pick(gc) : null, engine: gc?.engine },
    { ran: lc !== null, value: lc ? pick(lc) : null, engine: lc?.engine },
  ];
  const at = (metric: string, unit: string, compare: Compare, sides: [SideFigure, SideFigure], note?: string) =>
    row({ metric, threads: T, unit, compare, ...(note ? { note } : {}) }, sides[0], sides[1], pin);
  const at1 = { kind: "ratio", op: "<=", limit: 1 } as const;
  const cached = (reused: number | null | undefined, of: number | null | undefined) =>
    `${reused ?? "?"} of ${of ?? "?"}`;
  return [
    at(
      "cold time to first token, ~250-token prompt",
      "ms",
      at1,
      single((r) => r.coldTtftMs),
      `prompt tokens ${gs?.coldPromptTokens ?? "?"} / ${ls?.coldPromptTokens ?? "?"}; gaia-core queued ${ms(gs?.coldQueuedMs)}, engine ${ms(gs?.coldEngineTtftMs)}`,
    ),
    at(
      "decode",
      "tok/s",
      { kind: "ratio", op: ">=", limit: 1 },
      single((r) => r.decodeTokensPerSecond),
    ),
    at(
      "cold time to first token, ~2,000-token prompt",
      "ms",
      at1,
      single((r) => r.longTtftMs),
      `prompt tokens ${gs?.longPromptTokens ?? "?"} / ${ls?.longPromptTokens ?? "?"}`,
    ),
    at(
      "second turn, sent right after the first answer, time to first token",
      "ms",
      { kind: "ratio", op: "<=", limit: 0.5 },
      single((r) => r.secondTurnTtftMs),
      `cached ${cached(gs?.secondTurnReusedTokens, gs?.secondTurnPromptTokens)} / ${cached(ls?.secondTurnReusedTokens, ls?.secondTurnPromptTokens)} tokens; gaia-core queued ${ms(gs?.secondQueuedMs)}, engine ${ms(gs?.secondEngineTtftMs)}`,
    ),
    at(
      "next turn after a reading pause, time to first token",
      "ms",
      null,
      single((r) => r.pausedTurnTtftMs),
      `cached ${cached(gs?.pausedTurnReusedTokens, gs?.pausedTurnPromptTokens)} / ${cached(ls?.pausedTurnReusedTokens, ls?.pausedTurnPromptTokens)} tokens; gaia-core queued ${ms(gs?.pausedQueuedMs)}, engine ${ms(gs?.pausedEngineTtftMs)}`,
    ),
    at(
      "1-token round trip",
      "ms",
      { kind: "ratio", op: "<=", limit: 1.2 },
      single((r) => r.roundTripMs),
    ),
    at(
      `aggregate, 1 new session on the ${concurrentSlots}-slot server`,
      "tok/s",
      { kind: "ratio", op: ">=", limit: 1 },
      concurrent((r) => r.aggregate[1] ?? null),
    ),
    at(
      `aggregate, ${concurrentSlots} concurrent new sessions`,
      "tok/s",
      { kind: "ratio", op: ">=", limit: 1 },
      concurrent((r) => r.aggregate[4] ?? null),
    ),
    at(
      "peak RSS, 1 slot",
      "MB",
      { kind: "rssAllowance" },
      single((r) => mb(r.peakRssBytes)),
    ),
    at(
      `peak RSS, ${concurrentSlots} slots`,
      "MB",
      { kind: "rssAllowance" },
      concurrent((r) => mb(r.peakRssBytes)),
    ),
  ];
}

/** gaia-core unpinned (its default variant, e.g. sapphirerapids with the AMX repack) against the pinned peer. */
function defaultVariantRows(run: PeerRun, concurrentSlots: number, pin: PinState): PeerRow[] {
  const d = run.gaiaDefault;
  if (!d) return [];
  const label = "gaia-core default vs peer's best variant";
  const spec = (metric: string, unit: string): RowSpec => ({
    metric: `${label}: ${metric}`,
    threads: run.threads,
    unit,
    compare: null,
    informational: label,
    names: { gaia: "gaia-core unpinned", llamaServer: "llama-server" },
  });
  const side = <R extends { engine: EngineFacts }>(result: R | null, pick: (r: R) => number | null): SideFigure => ({
    ran: result !== null,
    value: result ? pick(result) : null,
    engine: result?.engine,
  });
  const single = (metric: string, unit: string, pick: (r: SingleSlotResult) => number | null) =>
    row(spec(metric, unit), side(d.single, pick), side(run.llamaServer.single, pick), pin);
  const concurrent = (metric: string, unit: string, pick: (r: ConcurrentResult) => number | null) =>
    row(spec(metric, unit), side(d.concurrent, pick), side(run.llamaServer.concurrent, pick), pin);
  return [
    single("cold time to first token, ~250-token prompt", "ms", (r) => r.coldTtftMs),
    single("decode", "tok/s", (r) => r.decodeTokensPerSecond),
    concurrent(`aggregate, ${concurrentSlots} concurrent new sessions`, "tok/s", (r) => r.aggregate[4] ?? null),
    single("peak RSS, 1 slot", "MB", (r) => mb(r.peakRssBytes)),
    concurrent(`peak RSS, ${concurrentSlots} slots`, "MB", (r) => mb(r.peakRssBytes)),
  ];
}

/** The peer rows of every thread count, in the order docs/benchmarks.md shows them. */
export function peerRows(runs: readonly PeerRun[], concurrentSlots: number, pin: PinState): PeerRow[] {
  return runs.flatMap((run) => [
    ...pinnedRows(run, concurrentSlots, pin),
    ...defaultVariantRows(run, concurrentSlots, pin),
  ]);
}

/** One line per configuration: each side's CPU variant and buffers (model buffers by type, compute buffer; MiB). */
export function peerBufferLines(runs: readonly PeerRun[], concurrentSlots: number): string[] {
  const facts = (name: string, engine: EngineFacts | null | undefined) =>
    engine ? `${name} ${engine.variant ?? "?"}: ${describeBuffers(engine.buffers)}` : `${name}: did not run`;
  const lines: string[] = [];
  for (const run of runs) {
    const configs: [string, "single" | "concurrent"][] = [
      ["1 slot", "single"],
      [`${concurrentSlots} slots`, "concurrent"],
    ];
    for (const [label, key] of configs) {
      const sides = [facts("gaia-core", run.gaia[key]?.engine), facts("llama-server", run.llamaServer[key]?.engine)];
      if (run.gaiaDefault) sides.push(facts("gaia-core unpinned", run.gaiaDefault[key]?.engine));
      lines.push(`buffers, threads ${run.threads}, ${label}: ${sides.join("; ")}`);
    }
  }
  return lines;
}

function figure(value: number | null, unit: string): string {
  if (value === null) return "—";
  if (unit === "ms") return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
  if (unit === "MB") return `${value.toFixed(0)} MB`;
  return `${value.toFixed(1)} ${unit}`;
}

/** PASS / MISS, or why the row is not judged: FAIL (a side did not run), not comparable, n/a, info. */
export function rowResult(r: PeerRow): string {
  if (r.failed) return `FAIL (${r.failed})`;
  if (r.notComparable) return `not comparable (${r.notComparable})`;
  if (r.pass !== undefined) return r.pass ? "PASS" : "MISS";
  return r.target ? "n/a" : "info";
}

/** A Markdown table (what docs/benchmarks.md shows), padded as the repo's formatter lays tables out. */
export function renderPeerTable(rows: readonly PeerRow[]): string {
  const header = ["metric", "threads", "variants", "gaia-core", "llama-server", "ratio", "target", "result"];
  const cells = rows.map((r) => [
    r.metric,
    String(r.threads),
    r.variants,
    figure(r.gaia, r.unit),
    figure(r.llamaServer, r.unit),
    r.ratio === null ? "—" : `${r.ratio.toFixed(2)}×`,
    r.target ?? "",
    `${rowResult(r)}${r.note ? ` (${r.note})` : ""}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...cells.map(line)].join("\n");
}
