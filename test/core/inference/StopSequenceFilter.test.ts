import { describe, expect, it } from "@jest/globals";
import { StopSequenceFilter } from "../../../services/core/inference/StopSequenceFilter.js";

/** Feeds chunks and returns what was shown, whether it stopped, and the answer text. */
function run(stops: string[], chunks: string[]) {
  const filter = new StopSequenceFilter(stops);
  let shown = "";
  for (const chunk of chunks) {
    shown += filter.push(chunk);
    if (filter.stopped) break;
  }
  if (!filter.stopped) shown += filter.end();
  return { shown, stopped: filter.stopped, text: filter.text };
}

describe("StopSequenceFilter", () => {
  it("passes text without stop strings through unchanged", () => {
    expect(run(["END"], ["Once upon", " a time."])).toEqual({
      shown: "Once upon a time.",
      stopped: false,
      text: "Once upon a time.",
    });
  });

  it("stops at a stop string and drops it and everything after", () => {
    expect(run([" fox"], ["The quick", " fox jumps"])).toEqual({
      shown: "The quick",
      stopped: true,
      text: "The quick",
    });
  });

  it("finds a stop string split across chunks and never shows its start", () => {
    const filter = new StopSequenceFilter(["STOP"]);
    expect(filter.push("abc ST")).toBe("abc ");
    expect(filter.push("O")).toBe("");
    expect(filter.push("P and more")).toBe("");
    expect(filter.stopped).toBe(true);
    expect(filter.text).toBe("abc ");
  });

  it("releases a held-back tail that turned out not to be a stop string", () => {
    const filter = new StopSequenceFilter(["STOP"]);
    expect(filter.push("a ST")).toBe("a ");
    expect(filter.push("ART")).toBe("START");
    expect(filter.push(" S")).toBe(" ");
    expect(filter.end()).toBe("S");
    expect(filter.stopped).toBe(false);
    expect(filter.text).toBe("a START S");
  });

  it("uses the earliest of several stop strings and ignores empty ones", () => {
    expect(run(["", "b", "a"], ["xxab"])).toMatchObject({ shown: "xx", stopped: true });
  });
});
