import { describe, expect, it } from "@jest/globals";
import { peerRows, renderPeerTable } from "../../bench/PeerTable.js";
import type { PeerRun, SingleSlotResult } from "../../bench/peerBench.js";

const MB = 1024 * 1024;

function single(figures: Partial<SingleSlotResult>): SingleSlotResult {
  return {
    coldTtftMs: null,
    decodeTokensPerSecond: null,
    secondTurnTtftMs: null,
    roundTripMs: null,
    coldPromptTokens: 250,
    secondTurnPromptTokens: 400,
    secondTurnReusedTokens: 330,
    coldQueuedMs: null,
    coldEngineTtftMs: null,
    secondQueuedMs: null,
    secondEngineTtftMs: null,
    peakRssBytes: null,
    turns: [],
    roundTripsMs: [],
    ...figures,
  };
}

function run(threads: number, gaiaDecode: number, llamaDecode: number, gaiaRssMb: number, llamaRssMb: number): PeerRun {
  return {
    threads,
    gaia: {
      single: single({
        coldTtftMs: 1800,
        decodeTokensPerSecond: gaiaDecode,
        secondTurnTtftMs: 400,
        roundTripMs: 130,
        peakRssBytes: gaiaRssMb * MB,
      }),
      concurrent: { aggregate: { 1: 20, 4: 30 }, samples: [], peakRssBytes: null },
    },
    llamaServer: {
      single: single({
        coldTtftMs: 2000,
        decodeTokensPerSecond: llamaDecode,
        secondTurnTtftMs: 1000,
        roundTripMs: 100,
        peakRssBytes: llamaRssMb * MB,
      }),
      concurrent: { aggregate: { 1: 25, 4: 28 }, samples: [], peakRssBytes: null },
    },
  };
}

describe("the gaia-core vs llama-server table", () => {
  const rows = peerRows([run(1, 27, 28, 800, 600), run(2, 41, 45, 700, 600)], 4);
  const find = (metric: string, threads: number) =>
    rows.find((r) => r.metric.startsWith(metric) && r.threads === threads)!;

  it("divides gaia-core by llama-server and checks each row against its target", () => {
    expect(find("cold time to first token", 1)).toMatchObject({ ratio: 0.9, pass: true });
    expect(find("second turn", 1)).toMatchObject({ ratio: 0.4, pass: true });
    expect(find("1-token round trip", 1)).toMatchObject({ ratio: 1.3, pass: false });
    expect(find("aggregate, 4 concurrent", 1)).toMatchObject({ pass: true });
    expect(find("aggregate, 1 new session", 1).pass).toBeUndefined(); // informational
  });

  it("asks decode for 1.0× at one thread and 0.9× at two", () => {
    expect(find("decode", 1).pass).toBe(false); // 27 / 28
    expect(find("decode", 2).pass).toBe(true); // 41 / 45 = 0.91
  });

  it("allows gaia-core's peak RSS 150 MB above llama-server's, not more", () => {
    expect(find("peak RSS, 1 slot", 1).pass).toBe(false); // +200 MB
    expect(find("peak RSS, 1 slot", 2).pass).toBe(true); // +100 MB
    expect(find("peak RSS, 4 slots", 1).pass).toBeUndefined(); // not measured
  });

  it("renders a Markdown table with a line per row and says when llama-server was not measured", () => {
    const table = renderPeerTable(
      peerRows([{ ...run(1, 27, 28, 800, 600), llamaServer: { single: null, concurrent: null } }], 4),
    );
    const lines = table.split("\n");
    const cells = (line: string) => line.split("|").slice(1, -1);
    expect(cells(lines[0] ?? "").map((c) => c.trim())).toEqual([
      "metric",
      "threads",
      "gaia-core",
      "llama-server",
      "ratio",
      "target",
      "result",
    ]);
    expect(lines).toHaveLength(2 + 8);
    expect(cells(lines[2] ?? "").map((c) => c.trim())).toEqual([
      "cold time to first token, ~250-token prompt",
      "1",
      "1.80 s",
      "—",
      "—",
      "≤ 1.0×",
      "n/a (prompt tokens 250 / ?; gaia-core queued ?, engine ?)",
    ]);
    // padded like the formatter lays out Markdown tables, so the docs' copy passes the format check as pasted
    for (const line of lines) expect(line).toHaveLength(lines[0]?.length ?? 0);
    expect(cells(lines[1] ?? "").every((c) => /^ -+ $/.test(c))).toBe(true);
  });
});
