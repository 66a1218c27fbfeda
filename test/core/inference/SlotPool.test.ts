import { describe, expect, it, jest } from "@jest/globals";
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

/** Background work that evaluates `steps` steps, each waiting for the test to call `step()`; stops early when aborted. */
function steppedWork(steps: number) {
  const log: string[] = [];
  let next: (() => void) | null = null;
  const work = async (slot: string, signal: AbortSignal, hurried: () => boolean): Promise<boolean> => {
    log.push(`start ${slot}`);
    for (let i = 0; i < steps; i++) {
      if (signal.aborted) {
        log.push("yielded");
        return false;
      }
      await new Promise<void>((resolve) => (next = resolve));
      if (hurried() && !log.includes("hurried")) log.push("hurried");
    }
    log.push("complete");
    return true;
  };
  const step = async () => {
    const resume = next;
    next = null;
    resume?.();
    await new Promise((r) => setImmediate(r));
  };
  return { work, log, step };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("SlotPool background work (preparing a session's next turn)", () => {
  it("runs on the owner's own slot, only for an owner that holds a slot", async () => {
    const p = pool(["A", "B"], 4);
    const nobody = steppedWork(1);
    p.runInBackground("nobody", nobody.work);
    expect(nobody.log).toEqual([]);
    const lease = await p.acquire("alice");
    lease.release();
    const prep = steppedWork(1);
    p.runInBackground("alice", prep.work);
    expect(prep.log).toEqual([`start ${lease.slot}`]);
    expect(p.load().active).toBe(0); // background work is not a request
    await prep.step();
    expect(prep.log).toEqual([`start ${lease.slot}`, "complete"]);
    expect(p.backgroundState()).toEqual({ running: [], pending: [] });
  });

  it("waits while any request holds a slot (it would share the CPU with that generation), then runs", async () => {
    const p = pool(["A", "B"], 4);
    const alice = await p.acquire("alice");
    const bob = await p.acquire("bob");
    alice.release();
    const prep = steppedWork(1);
    p.runInBackground("alice", prep.work);
    expect(prep.log).toEqual([]); // bob is generating on the other slot
    expect(p.backgroundState().pending).toEqual(["alice"]);
    bob.release();
    expect(prep.log).toEqual([`start ${alice.slot}`]);
    await prep.step();
    expect(prep.log.at(-1)).toBe("complete");
  });

  it("yields to another session's request at its next step, and resumes when the pool is idle again", async () => {
    const p = pool(["A"], 4);
    (await p.acquire("alice")).release();
    const prep = steppedWork(3);
    p.runInBackground("alice", prep.work);
    await prep.step(); // one step done, the work is in its second
    let carolHasSlot = false;
    const carol = p.acquire("carol").then((lease) => {
      carolHasSlot = true;
      return lease;
    });
    await settle();
    expect(carolHasSlot).toBe(false); // the current step finishes first
    await prep.step();
    const lease = await carol;
    expect(prep.log).toEqual(["start A", "yielded"]);
    expect(lease.previousOwner).toBe("alice");
    // carol took alice's only slot: alice's cache is gone, so her preparation is dropped, not resumed
    lease.release();
    expect(p.backgroundState()).toEqual({ running: [], pending: [] });
  });

  it("resumes work cut short when its owner still holds the slot", async () => {
    const p = pool(["A", "B"], 4);
    const alice = await p.acquire("alice");
    alice.release();
    const prep = steppedWork(2);
    p.runInBackground("alice", prep.work);
    const bob = p.acquire("bob"); // slot B is free, but bob needs the CPU: alice's preparation yields
    await prep.step();
    const bobLease = await bob;
    expect(bobLease.slot).not.toBe(alice.slot);
    expect(prep.log).toEqual([`start ${alice.slot}`, "yielded"]);
    expect(p.backgroundState().pending).toEqual(["alice"]);
    bobLease.release();
    expect(prep.log.at(-1)).toBe(`start ${alice.slot}`);
    await prep.step();
    await prep.step();
    expect(prep.log.at(-1)).toBe("complete");
  });

  it("makes the owner's next request wait for its own preparation instead of taking a cold slot", async () => {
    const p = pool(["A", "B"], 4);
    const first = await p.acquire("alice");
    first.release();
    const prep = steppedWork(1);
    p.runInBackground("alice", prep.work);
    let acquired: string | null = null;
    const next = p.acquire("alice").then((lease) => {
      acquired = lease.slot;
      return lease;
    });
    await settle();
    expect(acquired).toBeNull(); // slot B was free, but alice waits for her warm slot
    await prep.step();
    expect((await next).slot).toBe(first.slot);
    // her own preparation was not cut short, and was told to finish in one go
    expect(prep.log).toEqual([`start ${first.slot}`, "hurried", "complete"]);
  });

  it("does not count a slot that is only busy with background work against the wait queue", async () => {
    const p = pool(["A"], 0); // no waiting allowed at all
    (await p.acquire("alice")).release();
    const prep = steppedWork(5);
    p.runInBackground("alice", prep.work);
    const bob = p.acquire("bob");
    await prep.step();
    const lease = await bob; // not QueueFullError
    expect(lease.slot).toBe("A");
    lease.release();
  });

  it("stopBackground aborts running work and drops pending work", async () => {
    const p = pool(["A", "B"], 4);
    const alice = await p.acquire("alice");
    const bob = await p.acquire("bob");
    alice.release();
    const aliceWork = steppedWork(3);
    p.runInBackground("alice", aliceWork.work);
    bob.release(); // alice's starts
    const bobWork = steppedWork(3);
    p.runInBackground("bob", bobWork.work); // pending behind alice's
    const stopped = p.stopBackground();
    await aliceWork.step();
    await stopped;
    expect(aliceWork.log).toEqual([`start ${alice.slot}`, "yielded"]);
    expect(bobWork.log).toEqual([]);
    expect(p.backgroundState()).toEqual({ running: [], pending: [] });
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

  it("with a delay, starts only after the pool stayed idle that long; a request in between cancels the start", async () => {
    jest.useFakeTimers();
    try {
      const p = new SlotPool(["A"], 4, () => 1, 100);
      (await p.acquire("alice")).release();
      const prep = steppedWork(1);
      p.runInBackground("alice", prep.work);
      jest.advanceTimersByTime(60);
      const bob = await p.acquire("bob"); // before the delay ran out: alice's preparation never started
      jest.advanceTimersByTime(200);
      expect(prep.log).toEqual([]);
      bob.release();
      const bobPrep = steppedWork(1);
      p.runInBackground("bob", bobPrep.work);
      jest.advanceTimersByTime(99);
      expect(bobPrep.log).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(bobPrep.log).toEqual(["start A"]);
    } finally {
      jest.useRealTimers();
    }
  });

  it("runs an owner's preparation that has not started yet at once, in one go, when the owner's packet arrives", async () => {
    const p = new SlotPool(["A", "B"], 4, () => 1, 10_000);
    (await p.acquire("alice")).release();
    const prep = steppedWork(1);
    p.runInBackground("alice", prep.work);
    expect(prep.log).toEqual([]); // waiting for the pool to stay idle
    const next = p.acquire("alice");
    expect(prep.log).toEqual(["start A"]);
    await prep.step();
    expect((await next).slot).toBe("A");
    expect(prep.log).toEqual(["start A", "hurried", "complete"]);
    await p.stopBackground();
  });
});

describe("SlotPool.describe", () => {
  it("shows each slot's owner, whether a request holds it, and when it was last used", async () => {
    const p = pool(["s0", "s1"], 4);
    expect(p.describe().map((d) => [d.owner, d.busy, d.lastUsedAt])).toEqual([
      [null, false, null],
      [null, false, null],
    ]);
    const before = Date.now();
    const a = await p.acquire("alice");
    const held = p.describe();
    expect(held.map((d) => [d.slot, d.owner, d.busy])).toEqual([
      ["s0", "alice", true],
      ["s1", null, false],
    ]);
    expect(held[0]?.lastUsedAt).toBeGreaterThanOrEqual(before);
    a.release();
    expect(p.describe()[0]).toMatchObject({ owner: "alice", busy: false, preparing: false });
  });

  it("shows a slot busy with next-turn preparation as preparing, not as processing a request", async () => {
    const p = pool(["s0"], 4);
    (await p.acquire("alice")).release();
    let finish!: (complete: boolean) => void;
    p.runInBackground("alice", () => new Promise<boolean>((resolve) => (finish = resolve)));
    expect(p.describe()[0]).toMatchObject({ owner: "alice", busy: false, preparing: true });
    finish(true);
    await p.stopBackground();
    expect(p.describe()[0]).toMatchObject({ busy: false, preparing: false });
  });
});
