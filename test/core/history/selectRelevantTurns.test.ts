import { describe, expect, it } from "@jest/globals";
import {
  cosineSimilarity,
  type HistoryTurn,
  selectRelevantTurns,
} from "../../../services/core/history/selectRelevantTurns.js";

const turn = (
  id: string,
  vector?: number[],
  extra: Record<string, unknown> = {},
): HistoryTurn & Record<string, unknown> => ({
  id,
  role: "user",
  text: `text of ${id}`,
  ...(vector ? { vector } : {}),
  ...extra,
});

describe("cosineSimilarity", () => {
  it("is 1 for parallel, -1 for opposite, 0 for orthogonal or zero vectors", () => {
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 0], [-3, 0])).toBeCloseTo(-1, 12);
    expect(cosineSimilarity([1, 0], [0, 5])).toBe(0);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
  });

  it("accepts typed arrays and rejects vectors of different lengths", () => {
    expect(cosineSimilarity(new Float32Array([0.6, 0.8]), [0.6, 0.8])).toBeCloseTo(1, 6);
    expect(() => cosineSimilarity([1, 2], [1, 2, 3])).toThrow(RangeError);
  });
});

describe("selectRelevantTurns", () => {
  const query = [1, 0, 0];
  const turns = [
    turn("t0", [1, 0, 0]), // identical to the query
    turn("t1", [0, 1, 0]), // orthogonal
    turn("t2", [0.8, 0.6, 0]), // 0.8
    turn("t3"), // no vector
    turn("t4", [0.6, 0.8, 0]), // 0.6
    turn("t5", [1, 0, 0]), // recent: never recalled even though identical
    turn("t6", [0, 0, 1]),
  ];

  it("keeps the last keepRecent turns verbatim and recalls the top-k older ones in session order", () => {
    const result = selectRelevantTurns({ turns, queryVector: query, keepRecent: 2, topK: 2, minSimilarity: 0.15 });
    expect(result.recent.map((t) => t.id)).toEqual(["t5", "t6"]);
    expect(result.recalled.map((r) => r.turn.id)).toEqual(["t0", "t2"]);
    expect(result.recalled[0]!.similarity).toBeCloseTo(1, 12);
    expect(result.recalled[1]!.similarity).toBeCloseTo(0.8, 12);
  });

  it("recalls only turns strictly above minSimilarity, and skips turns without a vector", () => {
    const result = selectRelevantTurns({ turns, queryVector: query, keepRecent: 2, topK: 10, minSimilarity: 0.6 });
    expect(result.recalled.map((r) => r.turn.id)).toEqual(["t0", "t2"]); // t4 is exactly 0.6, t1 is 0, t3 has none
  });

  it("returns the caller's own turn objects, extra fields included", () => {
    const own = [turn("a", [1, 0, 0], { packetId: "p-a" }), turn("b", [0, 1, 0], { packetId: "p-b" })];
    const result = selectRelevantTurns({ turns: own, queryVector: query, keepRecent: 1, topK: 1, minSimilarity: 0 });
    expect(result.recalled[0]!.turn).toBe(own[0]);
    expect(result.recent[0]).toBe(own[1]);
  });

  it("prefers the newer turn among equally similar ones", () => {
    const same = [turn("old", [1, 0]), turn("mid", [1, 0]), turn("new", [1, 0]), turn("recent", [0, 1])];
    const result = selectRelevantTurns({ turns: same, queryVector: [1, 0], keepRecent: 1, topK: 2, minSimilarity: 0 });
    expect(result.recalled.map((r) => r.turn.id)).toEqual(["mid", "new"]);
  });

  it("skips vectors whose length differs from the query (another model) instead of throwing", () => {
    const mixed = [turn("short", [1, 0]), turn("ok", [1, 0, 0]), turn("recent", [0, 0, 1])];
    const result = selectRelevantTurns({ turns: mixed, queryVector: query, keepRecent: 1, topK: 5, minSimilarity: 0 });
    expect(result.recalled.map((r) => r.turn.id)).toEqual(["ok"]);
  });

  it("handles edge sizes: keepRecent beyond the session, zero, negative or fractional counts, empty inputs", () => {
    expect(selectRelevantTurns({ turns, queryVector: query, keepRecent: 100, topK: 3, minSimilarity: 0 })).toEqual({
      recent: turns,
      recalled: [],
    });
    const noRecent = selectRelevantTurns({ turns, queryVector: query, keepRecent: 0, topK: 1, minSimilarity: 0 });
    expect(noRecent.recent).toEqual([]);
    expect(noRecent.recalled.map((r) => r.turn.id)).toEqual(["t5"]); // newest of the two identical ones
    expect(
      selectRelevantTurns({ turns, queryVector: query, keepRecent: -1, topK: 0, minSimilarity: 0 }).recalled,
    ).toEqual([]);
    expect(
      selectRelevantTurns({ turns, queryVector: query, keepRecent: 6.7, topK: 1.9, minSimilarity: 0 }).recalled,
    ).toHaveLength(1);
    expect(selectRelevantTurns({ turns: [], queryVector: query, keepRecent: 3, topK: 3, minSimilarity: 0 })).toEqual({
      recent: [],
      recalled: [],
    });
    expect(selectRelevantTurns({ turns, queryVector: [], keepRecent: 2, topK: 3, minSimilarity: 0 }).recalled).toEqual(
      [],
    );
  });
});
