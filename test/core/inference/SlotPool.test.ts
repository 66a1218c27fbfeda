import { describe, expect, it } from "@jest/globals";
import { QueueFullError } from "../../../services/core/errors/unavailableErrors.js";
import { SlotPool } from "../../../services/core/inference/SlotPool.js";

describe("SlotPool", () => {
  it("gives a session back the slot that served it last (warm KV cache)", async () => {
    const pool = new SlotPool(["A", "B"], 4, () => 1);
    const a = await pool.acquire("alice");
    const b = await pool.acquire("bob");
    a.release(); b.release();
    const again = await pool.acquire("bob");
    expect(again.slot).toBe(b.slot);
    expect(again.previousOwner).toBe("bob");
  });

  it("hands the least recently used slot to a new session", async () => {
    const pool = new SlotPool(["A", "B"], 4, () => 1);
    const first = await pool.acquire("s1");
    first.release();
    const second = await pool.acquire("s2");
    second.release();
    expect((await pool.acquire("s3")).slot).toBe(first.slot);
  });

  it("queues FIFO when busy and rejects with QueueFullError beyond capacity", async () => {
    const pool = new SlotPool(["A"], 1, () => 7);
    const held = await pool.acquire("s1");
    const waiting = pool.acquire("s2");
    await expect(pool.acquire("s3")).rejects.toBeInstanceOf(QueueFullError);
    await expect(pool.acquire("s3")).rejects.toMatchObject({ headers: { "Retry-After": "7" } });
    expect(pool.load()).toEqual({ active: 1, waiting: 1, capacity: 1, slots: 1 });
    held.release();
    const lease = await waiting;
    expect(lease.previousOwner).toBe("s1");
  });

  it("drops an aborted waiter from the queue", async () => {
    const pool = new SlotPool(["A"], 2, () => 1);
    const held = await pool.acquire("s1");
    const controller = new AbortController();
    const waiting = pool.acquire("s2", controller.signal);
    controller.abort(new Error("client gone"));
    await expect(waiting).rejects.toThrow("client gone");
    expect(pool.load().waiting).toBe(0);
    held.release();
    expect(pool.load().active).toBe(0);
  });
});
