import { describe, expect, it } from "@jest/globals";
import { QueueFullError } from "../../../services/core/inference/QueueFullError.js";
import { SlotPool } from "../../../services/core/inference/SlotPool.js";

const pool = (slots: string[], queue: number) => new SlotPool(slots, queue, () => 7);

describe("SlotPool", () => {
  it("gives a session the slot that served it last (its KV prefix is there)", async () => {
    const p = pool(["s0", "s1"], 4);
    const a = await p.acquire("alice");
    const b = await p.acquire("bob");
    a.release();
    b.release();
    const again = await p.acquire("alice");
    expect(again.slot).toBe(a.slot);
    expect(again.previousOwner).toBe("alice");
  });

  it("gives a new session the least recently used free slot", async () => {
    const p = pool(["s0", "s1"], 4);
    const a = await p.acquire("alice");
    const b = await p.acquire("bob");
    b.release();
    a.release(); // bob's slot is now the older one
    const carol = await p.acquire("carol");
    expect(carol.slot).toBe(b.slot);
    expect(carol.previousOwner).toBe("bob");
  });

  it("queues when every slot is busy, in FIFO order, and hands the freed slot over", async () => {
    const p = pool(["s0"], 2);
    const a = await p.acquire("alice");
    const order: string[] = [];
    const b = p.acquire("bob").then((lease) => {
      order.push("bob");
      return lease;
    });
    const c = p.acquire("carol").then((lease) => {
      order.push("carol");
      return lease;
    });
    expect(p.load()).toEqual({ active: 1, waiting: 2, capacity: 2, slots: 1 });
    a.release();
    (await b).release();
    (await c).release();
    expect(order).toEqual(["bob", "carol"]);
    expect(p.load()).toEqual({ active: 0, waiting: 0, capacity: 2, slots: 1 });
  });

  it("rejects at once with QueueFullError carrying capacity and retry-after when the wait queue is full", async () => {
    const p = pool(["s0"], 1);
    const a = await p.acquire("alice");
    const waiting = p.acquire("bob");
    const error = await p.acquire("carol").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error).toMatchObject({ name: "QueueFullError", capacity: 1, retryAfterSeconds: 7 });
    expect(error).not.toHaveProperty("status"); // no HTTP in the domain: the edge decides it is a 503
    a.release();
    (await waiting).release();
  });

  it("drops a waiter whose client went away, and does not give it the slot", async () => {
    const p = pool(["s0"], 2);
    const a = await p.acquire("alice");
    const gone = new AbortController();
    const cancelled = p.acquire("bob", gone.signal).catch((e: unknown) => e);
    const carol = p.acquire("carol");
    gone.abort(new Error("client closed"));
    expect(await cancelled).toMatchObject({ message: "client closed" });
    expect(p.load().waiting).toBe(1);
    a.release();
    const lease = await carol;
    expect(lease.previousOwner).toBe("alice");
    lease.release();
    expect(p.load().active).toBe(0);
  });

  it("releases a lease only once", async () => {
    const p = pool(["s0"], 1);
    const a = await p.acquire("alice");
    const b = p.acquire("bob");
    a.release();
    a.release(); // a late duplicate release must not free bob's slot
    const lease = await b;
    expect(p.load().active).toBe(1);
    lease.release();
  });
});

describe("SlotPool background leases (preparing a session's next turn)", () => {
  it("takes only the owner's own free slot, and never while requests wait", async () => {
    const pool = new SlotPool(["A", "B"], 4, () => 1);
    expect(pool.tryAcquireOwn("nobody")).toBeNull();
    (await pool.acquire("alice")).release();
    const background = pool.tryAcquireOwn("alice");
    expect(background?.slot).toBeDefined();
    background!.release();
  });

  it("makes the owner's next request wait for its own slot instead of taking a cold one", async () => {
    const pool = new SlotPool(["A", "B"], 4, () => 1);
    const first = await pool.acquire("alice");
    const warmSlot = first.slot;
    first.release();
    const background = pool.tryAcquireOwn("alice")!;
    let acquired: string | null = null;
    const next = pool.acquire("alice").then((lease) => {
      acquired = lease.slot;
      return lease;
    });
    await new Promise((r) => setImmediate(r)); // every pending promise has run: nothing can hand her slot B now
    expect(acquired).toBeNull(); // slot B was free, but alice waits for her warm slot
    background.release();
    expect((await next).slot).toBe(warmSlot);
  });
});

describe("SlotPool: slot choice by longest common prefix (stateless requests)", () => {
  // each slot's "KV cache": how many tokens of the waiting prompt it holds
  const held: Record<string, number> = { s0: 5, s1: 40, s2: 5 };
  const prefix = (slot: string) => held[slot] ?? 0;

  it("takes the free slot holding the longest prefix, even when another is less recently used", async () => {
    const p = pool(["s0", "s1", "s2"], 4);
    for (const lease of [await p.acquire("a"), await p.acquire("b"), await p.acquire("c")]) lease.release();
    const lease = await p.acquire("v1:fresh", undefined, prefix);
    expect(lease.slot).toBe("s1");
  });

  it("keeps the least recently used slot when no slot holds more than it (a shared template prefix is no reason)", async () => {
    const p = pool(["s0", "s2"], 4);
    const a = await p.acquire("a");
    const b = await p.acquire("b");
    a.release();
    b.release(); // s0 is the older
    expect((await p.acquire("v1:fresh", undefined, prefix)).slot).toBe("s0");
  });

  it("still prefers a session's own slot, and applies the prefix choice to a waiter when a slot frees", async () => {
    const p = pool(["s0", "s1"], 4);
    const a = await p.acquire("alice"); // s0
    const b = await p.acquire("bob"); // s1
    a.release();
    b.release();
    expect((await p.acquire("alice", undefined, prefix)).slot).toBe("s0");
    const busy = await p.acquire("bob"); // s1 busy again, s0 busy with alice
    const waiting = p.acquire("v1:w", undefined, prefix);
    busy.release();
    expect((await waiting).slot).toBe("s1");
  });
});
