import { describe, expect, it } from "@jest/globals";
import { benchText } from "../../bench/benchPacket.js";
import { concurrentPromptSalt } from "../../bench/peerBench.js";

describe("the concurrent rows' prompts", () => {
  it("give every new session of a run its own first word, apart from the warm-up's", () => {
    // a slot whose cache holds a prompt's first words would answer from the cache: a hit, not decode speed
    for (const repetitions of [1, 3, 4]) {
      const firstWords = [0, 1, 2, 3].map((i) => benchText(8, i).split(" ")[0]);
      for (let rep = 0; rep < repetitions; rep++)
        for (const sessions of [1, 4])
          for (let i = 0; i < sessions; i++)
            firstWords.push(benchText(8, concurrentPromptSalt(sessions, rep, i)).split(" ")[0]);
      expect(new Set(firstWords).size).toBe(firstWords.length);
    }
  });
});
