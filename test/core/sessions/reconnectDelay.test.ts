import { describe, expect, it } from "@jest/globals";
import { reconnectDelayMs } from "../../../services/core/sessions/RedisSessionStore.js";

describe("Redis reconnect backoff", () => {
  it("doubles from 100 ms and stays at the 2 s cap", () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => reconnectDelayMs(n, noJitter))).toEqual([
      100, 200, 400, 800, 1600, 2000, 2000, 2000,
    ]);
  });

  it("adds at most 10 % jitter, so replicas do not reconnect in lockstep", () => {
    expect(reconnectDelayMs(3, () => 0.999)).toBe(440);
    expect(reconnectDelayMs(10, () => 0.5)).toBe(2100);
  });
});
