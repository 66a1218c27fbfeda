import { longestPrefixSlot } from "./longestPrefixSlot.js";
import { QueueFullError } from "./QueueFullError.js";

/** A slot handed to one request; give it back with release(). */
export interface SlotLease<T> {
  readonly slot: T;
  /** The session this slot served before this lease (its KV cache may hold that session's prompt). */
  readonly previousOwner: string | null;
  release(): void;
}

/**
 * Background work on an owner's slot (preparing its next turn). It must check `signal` between short steps and return
 * early once it is aborted; it resolves true when the work is complete, false when it stopped early. `hurried()` turns
 * true when the owner's own request is waiting for the work: the rest is that request's prompt, so do it in one go.
 */
export type BackgroundWork<T> = (slot: T, signal: AbortSignal, hurried: () => boolean) => Promise<boolean>;

interface Background {
  owner: string;
  controller: AbortController;
  /** The owner's own request waits for this work. */
  hurried: boolean;
  /** Settles when the work has returned and the slot is free again. */
  done: Promise<void>;
}

interface Entry<T> {
  slot: T;
  owner: string | null;
  busy: boolean;
  lastUsed: number;
  /** When a request last took or released the slot (ms since the epoch; shown by /slots), null if never. */
  lastUsedAt: number | null;
  /** Background work running on this slot, if any (the slot is then busy, but only until it is preempted). */
  background: Background | null;
}

interface Waiter<T> {
  owner: string;
  resolve: (lease: SlotLease<T>) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  prefix: PrefixLength<T> | undefined;
  onAbort: () => void;
}

/** Tokens of the waiting prompt a slot's KV cache already holds (slot choice for stateless requests). */
export type PrefixLength<T> = (slot: T) => number;

/**
 * A fixed set of slots (context sequences) with session affinity and a bounded FIFO wait queue.
 * A request prefers the free slot that last served its session (its prompt prefix is still in the KV cache),
 * otherwise takes the least recently used free slot: an LRU of warm sessions bounded by the number of slots.
 *
 * Background work yields to requests: it starts only while no request holds or waits for a slot (on a CPU, a prefix
 * evaluated beside a generation is batched with it and slows every token of it), and a request arriving while it runs
 * aborts it at its next step and takes the slot. Work that was cut short is resumed the next time the pool is idle, as
 * long as its owner still holds the slot.
 */
export class SlotPool<T> {
  private readonly entries: Entry<T>[];
  private readonly waiters: Waiter<T>[] = [];
  /** Background work not started yet or cut short, by owner (the latest replaces an older one). */
  private readonly pending = new Map<string, BackgroundWork<T>>();
  private tick = 0;
  /** Requests between seeing a slot busy with background work and taking it: no new background work meanwhile. */
  private arriving = 0;
  /** Set by stopBackground (disposal): no background work starts again. */
  private backgroundStopped = false;

  /** Armed while the pool is idle and background work is pending; a request cancels it. */
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * `backgroundDelayMs`: how long the pool must stay idle before background work starts. A client that sends its next
   * packet right after an answer (a busy server) then never waits for a preparation step; a person typing does not
   * notice it.
   */
  constructor(
    slots: readonly T[],
    private readonly queueCapacity: number,
    private readonly retryAfterSeconds: () => number,
    private readonly backgroundDelayMs = 0,
  ) {
    this.entries = slots.map((slot) => ({
      slot,
      owner: null,
      busy: false,
      lastUsed: 0,
      lastUsedAt: null,
      background: null,
    }));
  }

  /** Waits for a slot; throws QueueFullError at once when the wait queue is full, or the signal's reason when aborted. */
  acquire(owner: string, signal?: AbortSignal, prefix?: PrefixLength<T>): Promise<SlotLease<T>> {
    signal?.throwIfAborted();
    this.cancelIdleTimer();
    // a preparation of this session's prompt not started yet: run it now, in one go, as the start of this request
    const queued = this.pending.get(owner);
    const ownIdle = this.entries.find((e) => e.owner === owner && !e.busy);
    this.pending.delete(owner);
    if (queued && ownIdle) this.runOn(ownIdle, owner, queued, true);
    // the session's own slot is preparing its next turn: that work is this request's prompt, let it finish
    const own = this.entries.find((e) => e.background?.owner === owner);
    if (own?.background) {
      own.background.hurried = true;
      return this.afterBackground(own.background, owner, signal, prefix);
    }
    this.preemptBackground();
    const entry = this.pickFree(owner, prefix);
    if (entry) return Promise.resolve(this.lease(entry, owner));
    // a slot only busy with background work is free as soon as that work sees the abort: not a queue wait
    const yielding = this.entries.find((e) => e.background);
    if (yielding?.background) return this.afterBackground(yielding.background, owner, signal, prefix);
    if (this.waiters.length >= this.queueCapacity) {
      return Promise.reject(new QueueFullError(this.queueCapacity, this.retryAfterSeconds()));
    }
    return new Promise<SlotLease<T>>((resolve, reject) => {
      const waiter: Waiter<T> = {
        owner,
        resolve,
        reject,
        signal,
        prefix,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /**
   * Runs `work` on the slot that last served `owner` once no request holds or waits for a slot; dropped when another
   * session takes that slot first. Never throws; a rejected work counts as done.
   */
  runInBackground(owner: string, work: BackgroundWork<T>): void {
    if (!this.entries.some((e) => e.owner === owner)) return;
    this.pending.set(owner, work);
    this.startBackground();
  }

  /** Slots held by requests, requests waiting, wait-queue capacity, and slot count. */
  load(): { active: number; waiting: number; capacity: number; slots: number } {
    return {
      active: this.entries.filter((e) => e.busy && !e.background).length,
      waiting: this.waiters.length,
      capacity: this.queueCapacity,
      slots: this.entries.length,
    };
  }

  /** Background work started or waiting to start (for tests and diagnostics). */
  backgroundState(): { running: string[]; pending: string[] } {
    return {
      running: this.entries.flatMap((e) => (e.background ? [e.background.owner] : [])),
      pending: [...this.pending.keys()],
    };
  }

  /** Stops all background work for good (before disposal): running work is aborted, pending work dropped. */
  stopBackground(): Promise<void> {
    this.backgroundStopped = true;
    this.cancelIdleTimer();
    this.pending.clear();
    this.preemptBackground();
    return Promise.all(this.entries.map((e) => e.background?.done)).then(() => undefined);
  }

  /** All slots, for disposal. */
  all(): T[] {
    return this.entries.map((e) => e.slot);
  }

  /** Each slot with who holds it and whether it is busy, in slot order (read-only, for /slots). */
  describe(): Array<{ slot: T; owner: string | null; busy: boolean; preparing: boolean; lastUsedAt: number | null }> {
    return this.entries.map((e) => ({
      slot: e.slot,
      owner: e.owner,
      busy: e.busy && !e.background,
      preparing: e.background !== null,
      lastUsedAt: e.lastUsedAt,
    }));
  }

  private afterBackground(
    background: Background,
    owner: string,
    signal: AbortSignal | undefined,
    prefix: PrefixLength<T> | undefined,
  ): Promise<SlotLease<T>> {
    this.arriving++;
    return background.done.then(() => {
      this.arriving--;
      return this.acquire(owner, signal, prefix);
    });
  }

  private preemptBackground(): void {
    for (const e of this.entries) e.background?.controller.abort(new Error("a request needs the slot or the CPU"));
  }

  /** Starts one pending background work if the pool is idle: nothing leased to a request, nobody waiting. */
  private cancelIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private startBackground(): void {
    if (this.backgroundStopped || this.arriving > 0 || this.waiters.length > 0 || this.entries.some((e) => e.busy))
      return;
    if (this.pending.size === 0 || this.idleTimer) return;
    if (this.backgroundDelayMs > 0) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        this.startPending();
      }, this.backgroundDelayMs);
      this.idleTimer.unref?.();
      return;
    }
    this.startPending();
  }

  /** Starts the first pending work whose owner still holds its slot (the caller has checked the pool is idle). */
  private startPending(): void {
    if (this.backgroundStopped || this.arriving > 0 || this.waiters.length > 0 || this.entries.some((e) => e.busy))
      return;
    for (const [owner, work] of this.pending) {
      const entry = this.entries.find((e) => e.owner === owner);
      if (!entry) {
        this.pending.delete(owner); // another session took the slot: its cache is gone, nothing to prepare
        continue;
      }
      this.pending.delete(owner);
      this.runOn(entry, owner, work);
      return;
    }
  }

  private runOn(entry: Entry<T>, owner: string, work: BackgroundWork<T>, hurried = false): void {
    const controller = new AbortController();
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    entry.busy = true;
    const background: Background = { owner, controller, hurried, done };
    entry.background = background;
    const settle = (complete: boolean) => {
      entry.busy = false;
      entry.background = null;
      // cut short: resume when idle again, unless a newer preparation for the owner was queued meanwhile
      if (!complete && !this.backgroundStopped && entry.owner === owner && !this.pending.has(owner))
        this.pending.set(owner, work);
      finish();
      this.handOver(entry);
      this.startBackground();
    };
    work(entry.slot, controller.signal, () => background.hurried).then(
      (complete) => settle(complete),
      () => settle(true),
    );
  }

  private pickFree(owner: string, prefix?: PrefixLength<T>): Entry<T> | undefined {
    const free = this.entries.filter((e) => !e.busy);
    const own = free.find((e) => e.owner === owner);
    if (own) return own;
    const lru = free.sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (!prefix || !lru) return lru;
    return longestPrefixSlot(free, (e) => prefix(e.slot), prefix(lru.slot)) ?? lru;
  }

  private lease(entry: Entry<T>, owner: string): SlotLease<T> {
    const previousOwner = entry.owner;
    if (previousOwner !== null && previousOwner !== owner) this.pending.delete(previousOwner);
    entry.busy = true;
    entry.owner = owner;
    entry.lastUsed = ++this.tick;
    entry.lastUsedAt = Date.now();
    let released = false;
    return {
      slot: entry.slot,
      previousOwner,
      release: () => {
        if (released) return;
        released = true;
        entry.busy = false;
        entry.lastUsed = ++this.tick;
        entry.lastUsedAt = Date.now();
        this.handOver(entry);
        this.startBackground();
      },
    };
  }

  /** Gives a freed slot to the first waiter; a waiter whose own warm slot is free takes that one instead. */
  private handOver(freed: Entry<T>): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    const entry = this.pickFree(waiter.owner, waiter.prefix) ?? freed;
    waiter.resolve(this.lease(entry, waiter.owner));
  }
}
