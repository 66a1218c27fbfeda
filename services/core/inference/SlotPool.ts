import { longestPrefixSlot } from "./longestPrefixSlot.js";
import { QueueFullError } from "./QueueFullError.js";

/** A slot handed to one request; give it back with release(). */
export interface SlotLease<T> {
  readonly slot: T;
  /** The session this slot served before this lease (its KV cache may hold that session's prompt). */
  readonly previousOwner: string | null;
  release(): void;
}

interface Entry<T> {
  slot: T;
  owner: string | null;
  busy: boolean;
  lastUsed: number;
  /** Settles when background work for the owner (preparing its next turn) is done. */
  background: Promise<void> | null;
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
 */
export class SlotPool<T> {
  private readonly entries: Entry<T>[];
  private readonly waiters: Waiter<T>[] = [];
  private tick = 0;

  constructor(
    slots: readonly T[],
    private readonly queueCapacity: number,
    private readonly retryAfterSeconds: () => number,
  ) {
    this.entries = slots.map((slot) => ({ slot, owner: null, busy: false, lastUsed: 0, background: null }));
  }

  /** Waits for a slot; throws QueueFullError at once when the wait queue is full, or the signal's reason when aborted. */
  acquire(owner: string, signal?: AbortSignal, prefix?: PrefixLength<T>): Promise<SlotLease<T>> {
    signal?.throwIfAborted();
    // the session's own slot is preparing its next turn: worth the short wait, its KV cache is the point
    const preparing = this.entries.find((e) => e.owner === owner && e.background);
    if (preparing?.background) return preparing.background.then(() => this.acquire(owner, signal, prefix));
    const entry = this.pickFree(owner, prefix);
    if (entry) return Promise.resolve(this.lease(entry, owner));
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
   * The slot that last served `owner`, if it is free and nobody is waiting (background work must never delay a
   * request); null otherwise.
   */
  tryAcquireOwn(owner: string): SlotLease<T> | null {
    if (this.waiters.length > 0) return null;
    const entry = this.entries.find((e) => !e.busy && e.owner === owner);
    if (!entry) return null;
    const lease = this.lease(entry, owner);
    let done!: () => void;
    entry.background = new Promise<void>((resolve) => (done = resolve));
    return {
      ...lease,
      release: () => {
        entry.background = null;
        lease.release();
        done();
      },
    };
  }

  /** Slots busy, requests waiting, wait-queue capacity, and slot count. */
  load(): { active: number; waiting: number; capacity: number; slots: number } {
    return {
      active: this.entries.filter((e) => e.busy).length,
      waiting: this.waiters.length,
      capacity: this.queueCapacity,
      slots: this.entries.length,
    };
  }

  /** All slots, for disposal. */
  all(): T[] {
    return this.entries.map((e) => e.slot);
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
    entry.busy = true;
    entry.owner = owner;
    entry.lastUsed = ++this.tick;
    let released = false;
    return {
      slot: entry.slot,
      previousOwner,
      release: () => {
        if (released) return;
        released = true;
        entry.busy = false;
        entry.lastUsed = ++this.tick;
        this.handOver(entry);
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
