import type { PeerRun } from "./peerBench.js";
import { ratio } from "./stats.js";

/** One line of the gaia-core vs llama-server table: both figures, gaia-core ÷ llama-server, and the target. */
export interface PeerRow {
  metric: string;
  threads: number;
  unit: string;
  gaia: number | null;
  llamaServer: number | null;
  ratio: number | null;
  target?: string;
  pass?: boolean;
  note?: string;
}

const MB = 1024 * 1024;
/** Peak RSS may exceed llama-server's by this much (the JS runtime, HTTP stack and session store). */
export const RSS_ALLOWANCE_MB = 150;

type Compare = { kind: "ratio"; op: "<=" | ">="; limit: number } | { kind: "rssAllowance" } | null;

function row(
  metric: string,
  threads: number,
  unit: string,
  gaia: number | null | undefined,
  llamaServer: number | null | undefined,
  compare: Compare,
  note?: string,
): PeerRow {
  const g = gaia ?? null;
  const l = llamaServer ?? null;
  const r = ratio(g, l);
  const base: PeerRow = { metric, threads, unit, gaia: g, llamaServer: l, ratio: r, ...(note ? { note } : {}) };
  if (!compare) return base;
  if (compare.kind === "rssAllowance") {
    const pass = g === null || l === null ? undefined : g - l <= RSS_ALLOWANCE_MB;
    return { ...base, target: `≤ llama-server + ${RSS_ALLOWANCE_MB} MB`, ...(pass === undefined ? {} : { pass }) };
  }
  const pass = r === null ? undefined : compare.op === "<=" ? r <= compare.limit : r >= compare.limit;
  return {
    ...base,
    target: `${compare.op === "<=" ? "≤" : "≥"} ${compare.limit.toFixed(1)}×`,
    ...(pass === undefined ? {} : { pass }),
  };
}

/** The peer rows of every thread count, in the order docs/benchmarks.md shows them. */
export function peerRows(runs: readonly PeerRun[], concurrentSlots: number): PeerRow[] {
  const rows: PeerRow[] = [];
  for (const run of runs) {
    const T = run.threads;
    const gs = run.gaia.single;
    const ls = run.llamaServer.single;
    const gc = run.gaia.concurrent;
    const lc = run.llamaServer.concurrent;
    const ms = (v: number | null | undefined) => (v == null ? "?" : `${Math.round(v)} ms`);
    const tokens = (g: number | null | undefined, l: number | null | undefined) =>
      `prompt tokens ${g ?? "?"} / ${l ?? "?"}; gaia-core queued ${ms(gs?.coldQueuedMs)}, engine ${ms(gs?.coldEngineTtftMs)}`;
    rows.push(
      row(
        "cold time to first token, ~250-token prompt",
        T,
        "ms",
        gs?.coldTtftMs,
        ls?.coldTtftMs,
        { kind: "ratio", op: "<=", limit: 1 },
        tokens(gs?.coldPromptTokens, ls?.coldPromptTokens),
      ),
    );
    rows.push(
      row("decode", T, "tok/s", gs?.decodeTokensPerSecond, ls?.decodeTokensPerSecond, {
        kind: "ratio",
        op: ">=",
        limit: T === 1 ? 1 : 0.9,
      }),
    );
    rows.push(
      row(
        "second turn, same session, time to first token",
        T,
        "ms",
        gs?.secondTurnTtftMs,
        ls?.secondTurnTtftMs,
        { kind: "ratio", op: "<=", limit: 0.5 },
        `cached ${gs?.secondTurnReusedTokens ?? "?"} of ${gs?.secondTurnPromptTokens ?? "?"} / ${ls?.secondTurnReusedTokens ?? "?"} of ${ls?.secondTurnPromptTokens ?? "?"} tokens; gaia-core queued ${ms(gs?.secondQueuedMs)}, engine ${ms(gs?.secondEngineTtftMs)}`,
      ),
    );
    rows.push(
      row("1-token round trip", T, "ms", gs?.roundTripMs, ls?.roundTripMs, { kind: "ratio", op: "<=", limit: 1.2 }),
    );
    rows.push(row("aggregate, 1 new session", T, "tok/s", gc?.aggregate[1], lc?.aggregate[1], null));
    rows.push(
      row(`aggregate, 4 concurrent new sessions`, T, "tok/s", gc?.aggregate[4], lc?.aggregate[4], {
        kind: "ratio",
        op: ">=",
        limit: 1,
      }),
    );
    const mb = (bytes: number | null | undefined) => (bytes == null ? null : bytes / MB);
    rows.push(row("peak RSS, 1 slot", T, "MB", mb(gs?.peakRssBytes), mb(ls?.peakRssBytes), { kind: "rssAllowance" }));
    rows.push(
      row(`peak RSS, ${concurrentSlots} slots`, T, "MB", mb(gc?.peakRssBytes), mb(lc?.peakRssBytes), {
        kind: "rssAllowance",
      }),
    );
  }
  return rows;
}

function figure(value: number | null, unit: string): string {
  if (value === null) return "—";
  if (unit === "ms") return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
  if (unit === "MB") return `${value.toFixed(0)} MB`;
  return `${value.toFixed(1)} ${unit}`;
}

/** A Markdown table (what docs/benchmarks.md shows), padded as the repo's formatter lays tables out. */
export function renderPeerTable(rows: readonly PeerRow[]): string {
  const header = ["metric", "threads", "gaia-core", "llama-server", "ratio", "target", "result"];
  const cells = rows.map((r) => {
    const result = r.pass === undefined ? (r.target ? "n/a" : "info") : r.pass ? "PASS" : "MISS";
    return [
      r.metric,
      String(r.threads),
      figure(r.gaia, r.unit),
      figure(r.llamaServer, r.unit),
      r.ratio === null ? "—" : `${r.ratio.toFixed(2)}×`,
      r.target ?? "",
      `${result}${r.note ? ` (${r.note})` : ""}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...cells.map(line)].join("\n");
}
