import { describe, expect, it } from "@jest/globals";
import type { EngineFacts } from "../../bench/engineFacts.js";
import { peerBufferLines, peerRows, renderPeerTable, rowResult } from "../../bench/PeerTable.js";
import type { ConcurrentResult, PeerRun, SingleSlotResult } from "../../bench/peerBench.js";

const MB = 1024 * 1024;
const zen4: EngineFacts = { variant: "zen4", buffers: { "CPU_Mapped model": 500.8, "CPU compute": 39.51 } };
const pinned = { variant: "zen4", problem: null };

function single(figures: Partial<SingleSlotResult>): SingleSlotResult {
  return {
    coldTtftMs: null,
    decodeTokensPerSecond: null,
    secondTurnTtftMs: null,
    pausedTurnTtftMs: null,
    longTtftMs: null,
    roundTripMs: null,
    coldPromptTokens: 250,
    longPromptTokens: 2000,
    secondTurnPromptTokens: 400,
    secondTurnReusedTokens: 330,
    pausedTurnPromptTokens: 500,
    pausedTurnReusedTokens: 480,
    coldQueuedMs: null,
    coldEngineTtftMs: null,
    secondQueuedMs: null,
    secondEngineTtftMs: null,
    pausedQueuedMs: null,
    pausedEngineTtftMs: null,
    peakRssBytes: null,
    engine: zen4,
    turns: [],
    longTurns: [],
    roundTripsMs: [],
    ...figures,
  };
}

function concurrent(one: number, four: number, engine: EngineFacts = zen4): ConcurrentResult {
  return { aggregate: { 1: one, 4: four }, samples: [], peakRssBytes: null, engine };
}

function run(threads: number, gaiaDecode: number, llamaDecode: number, gaiaRssMb: number, llamaRssMb: number): PeerRun {
  return {
    threads,
    gaia: {
      single: single({
        coldTtftMs: 1800,
        decodeTokensPerSecond: gaiaDecode,
        secondTurnTtftMs: 400,
        pausedTurnTtftMs: 300,
        longTtftMs: 9000,
        roundTripMs: 130,
        peakRssBytes: gaiaRssMb * MB,
      }),
      concurrent: concurrent(20, 30),
    },
    llamaServer: {
      single: single({
        coldTtftMs: 2000,
        decodeTokensPerSecond: llamaDecode,
        secondTurnTtftMs: 1000,
        pausedTurnTtftMs: 1000,
        longTtftMs: 10000,
        roundTripMs: 100,
        peakRssBytes: llamaRssMb * MB,
      }),
      concurrent: concurrent(25, 28),
    },
    gaiaDefault: null,
  };
}

describe("the gaia-core vs llama-server table", () => {
  const rows = peerRows([run(1, 27, 28, 800, 600), run(2, 41, 45, 700, 600)], 4, pinned);
  const find = (metric: string, threads: number) =>
    rows.find((r) => r.metric.startsWith(metric) && r.threads === threads)!;

  it("divides gaia-core by llama-server and checks each row against its target", () => {
    expect(find("cold time to first token, ~250", 1)).toMatchObject({ ratio: 0.9, pass: true, target: "≤ 1.0×" });
    expect(find("cold time to first token, ~2,000", 1)).toMatchObject({ ratio: 0.9, pass: true, target: "≤ 1.0×" });
    expect(find("second turn, sent right after", 1)).toMatchObject({ ratio: 0.4, pass: true, target: "≤ 0.5×" });
    expect(find("1-token round trip", 1)).toMatchObject({ ratio: 1.3, pass: false, target: "≤ 1.2×" });
    expect(find("aggregate, 4 concurrent", 1)).toMatchObject({ pass: true, target: "≥ 1.0×" });
    // the target for one session on the 4-slot server: as fast as llama-server's (20 / 25 = 0.8)
    expect(find("aggregate, 1 new session on the 4-slot server", 1)).toMatchObject({ pass: false, target: "≥ 1.0×" });
  });

  it("keeps the turn after a reading pause as information", () => {
    const paused = find("next turn after a reading pause", 1);
    expect(paused.ratio).toBeCloseTo(0.3);
    expect(paused.pass).toBeUndefined();
    expect(rowResult(paused)).toBe("info");
  });

  it("asks decode for 1.0× at both thread counts", () => {
    expect(find("decode", 1).pass).toBe(false); // 27 / 28
    expect(find("decode", 2).pass).toBe(false); // 41 / 45 = 0.91
    expect(find("decode", 2).target).toBe("≥ 1.0×");
  });

  it("shows each side's CPU variant on every row", () => {
    for (const r of rows) expect(r.variants).toBe("zen4 / zen4");
  });

  it("never judges a row whose sides ran on different variants, or that could not be pinned", () => {
    const mixed = run(1, 40, 28, 600, 600);
    if (mixed.gaia.single) mixed.gaia.single.engine = { variant: "sapphirerapids", buffers: null };
    const table = peerRows([mixed], 4, pinned);
    const decode = table.find((r) => r.metric === "decode")!;
    expect(decode).toMatchObject({ variants: "sapphirerapids / zen4", ratio: 40 / 28 });
    expect(decode.pass).toBeUndefined();
    expect(rowResult(decode)).toBe("not comparable (CPU variants differ: gaia-core sapphirerapids, llama-server zen4)");
    // the concurrent rows ran on zen4 both: still judged
    expect(table.find((r) => r.metric.startsWith("aggregate, 4"))?.pass).toBe(true);

    const unpinnable = peerRows([run(1, 40, 28, 600, 600)], 4, { variant: "zen4", problem: "needs root" });
    for (const r of unpinnable) expect(rowResult(r)).toBe("not comparable (cannot pin both to zen4: needs root)");
  });

  it("fails every row of a side that did not run", () => {
    const table = peerRows(
      [{ ...run(1, 27, 28, 800, 600), llamaServer: { single: null, concurrent: null } }],
      4,
      pinned,
    );
    for (const r of table) {
      expect(r.pass).toBe(false);
      expect(rowResult(r)).toBe("FAIL (llama-server did not run)");
    }
  });

  it("adds gaia-core's default variant against the pinned peer as labelled, unjudged rows", () => {
    const amx: EngineFacts = {
      variant: "sapphirerapids",
      buffers: { "CPU_Mapped model": 500.8, "AMX model": 559.1, "CPU compute": 300.25 },
    };
    const withDefault: PeerRun = {
      ...run(2, 41, 45, 700, 600),
      gaiaDefault: {
        single: single({ coldTtftMs: 900, decodeTokensPerSecond: 50, engine: amx }),
        concurrent: concurrent(30, 60, amx),
      },
    };
    const table = peerRows([withDefault], 4, pinned);
    const extra = table.filter((r) => r.metric.startsWith("gaia-core default vs peer's best variant"));
    expect(extra.map((r) => r.metric.split(": ")[1])).toEqual([
      "cold time to first token, ~250-token prompt",
      "decode",
      "aggregate, 4 concurrent new sessions",
      "peak RSS, 1 slot",
      "peak RSS, 4 slots",
    ]);
    for (const r of extra) expect(r.variants).toBe("sapphirerapids / zen4");
    expect(extra[1]).toMatchObject({ gaia: 50, llamaServer: 45 });
    expect(extra.every((r) => r.pass === undefined && rowResult(r) === "info")).toBe(true);
    const lines = peerBufferLines([withDefault], 4);
    expect(lines).toEqual([
      "buffers, threads 2, 1 slot: gaia-core zen4: model CPU_Mapped 500.8, compute CPU 39.5 MiB; llama-server zen4: model CPU_Mapped 500.8, compute CPU 39.5 MiB; gaia-core unpinned sapphirerapids: model CPU_Mapped 500.8 + AMX 559.1, compute CPU 300.3 MiB",
      "buffers, threads 2, 4 slots: gaia-core zen4: model CPU_Mapped 500.8, compute CPU 39.5 MiB; llama-server zen4: model CPU_Mapped 500.8, compute CPU 39.5 MiB; gaia-core unpinned sapphirerapids: model CPU_Mapped 500.8 + AMX 559.1, compute CPU 300.3 MiB",
    ]);
  });

  it("allows gaia-core's peak RSS 150 MB above llama-server's, not more", () => {
    expect(find("peak RSS, 1 slot", 1).pass).toBe(false); // +200 MB
    expect(find("peak RSS, 1 slot", 2).pass).toBe(true); // +100 MB
    expect(find("peak RSS, 4 slots", 1).pass).toBeUndefined(); // not measured
  });

  it("renders a Markdown table with a line per row, the variants, and the rows llama-server did not run failed", () => {
    const table = renderPeerTable(
      peerRows([{ ...run(1, 27, 28, 800, 600), llamaServer: { single: null, concurrent: null } }], 4, pinned),
    );
    const lines = table.split("\n");
    const cells = (line: string) => line.split("|").slice(1, -1);
    expect(cells(lines[0] ?? "").map((c) => c.trim())).toEqual([
      "metric",
      "threads",
      "variants",
      "gaia-core",
      "llama-server",
      "ratio",
      "target",
      "result",
    ]);
    expect(lines).toHaveLength(2 + 10);
    expect(cells(lines[2] ?? "").map((c) => c.trim())).toEqual([
      "cold time to first token, ~250-token prompt",
      "1",
      "zen4 / ?",
      "1.80 s",
      "—",
      "—",
      "≤ 1.0×",
      "FAIL (llama-server did not run) (prompt tokens 250 / ?; gaia-core queued ?, engine ?)",
    ]);
    // padded like the formatter lays out Markdown tables, so the docs' copy passes the format check as pasted
    for (const line of lines) expect(line).toHaveLength(lines[0]?.length ?? 0);
    expect(cells(lines[1] ?? "").every((c) => /^ -+ $/.test(c))).toBe(true);
  });
});
