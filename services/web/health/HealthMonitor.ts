import type { EndpointHealth, EndpointHealthSnapshot, EndpointRole } from "../http/index.js";
import { EndpointDownError } from "../http/index.js";
import { type ProbeResult, type Prober, probeHealth } from "./probeHealth.js";

export interface HealthMonitorOptions {
  endpoints: Partial<Record<EndpointRole, string>>;
  /** Time between probes while the state is settled. Default 2000 ms. */
  intervalMs?: number;
  /** A probe without an answer within this time failed (a frozen core still accepts TCP). Default 1000 ms. */
  timeoutMs?: number;
  /** Consecutive failed probes that mark an endpoint down. Default 2. */
  failuresToDown?: number;
  /** Consecutive good probes that bring it back up. Default 2. */
  successesToUp?: number;
  probe?: Prober;
  /** Told about every change between up and down. */
  onChange?: (change: HealthChange) => void;
}

export interface HealthChange {
  endpoint: EndpointRole;
  url: string;
  state: "up" | "down";
  why: string;
}

interface Tracked {
  role: EndpointRole;
  url: string;
  state: "up" | "down";
  since: string;
  why: string;
  failures: number;
  successes: number;
  /** A probe got 200 since the start or since it was last marked down. */
  confirmed: boolean;
  down: AbortController;
  timer: NodeJS.Timeout | null;
  probing: Promise<ProbeResult> | null;
}

/**
 * The gateway's active health check: GET /health of each core every `intervalMs`, `timeoutMs` each. Core answers
 * /health during generation, so a core that does not answer it is frozen or dead, not slow. `failuresToDown`
 * consecutive failures mark an endpoint down, `successesToUp` consecutive successes bring it back. While a probe's
 * result disagrees with the current state the next probe follows at once (a change is confirmed in one probe timeout,
 * not a whole interval). A request's failure can ask for an immediate probe ({@link confirmDown}); if that fails too,
 * the endpoint is down at once. Marking an endpoint down aborts its {@link downSignal}.
 */
export class HealthMonitor implements EndpointHealth {
  private readonly tracked = new Map<EndpointRole, Tracked>();
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly failuresToDown: number;
  private readonly successesToUp: number;
  private readonly probe: Prober;
  private running = false;

  constructor(private readonly options: HealthMonitorOptions) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.failuresToDown = options.failuresToDown ?? 2;
    this.successesToUp = options.successesToUp ?? 2;
    this.probe = options.probe ?? probeHealth;
    const now = new Date().toISOString();
    for (const [role, url] of Object.entries(options.endpoints) as Array<[EndpointRole, string | undefined]>) {
      if (!url) continue;
      this.tracked.set(role, {
        role,
        url,
        state: "up",
        since: now,
        why: "not probed yet",
        failures: 0,
        successes: 0,
        confirmed: false,
        down: new AbortController(),
        timer: null,
        probing: null,
      });
    }
  }

  /** Starts probing every endpoint (the first probe at once). */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const t of this.tracked.values()) this.schedule(t, 0);
  }

  stop(): void {
    this.running = false;
    for (const t of this.tracked.values()) {
      if (t.timer) clearTimeout(t.timer);
      t.timer = null;
    }
  }

  isDown(role: EndpointRole): boolean {
    return this.tracked.get(role)?.state === "down";
  }

  downSignal(role: EndpointRole): AbortSignal {
    return this.tracked.get(role)?.down.signal ?? new AbortController().signal;
  }

  snapshot(role: EndpointRole): EndpointHealthSnapshot | null {
    const t = this.tracked.get(role);
    return t ? { state: t.state, since: t.since, why: t.why, ready: t.state === "up" && t.confirmed } : null;
  }

  async confirmDown(role: EndpointRole, evidence: string): Promise<boolean> {
    const t = this.tracked.get(role);
    if (!t) return false;
    if (t.state === "down") return true;
    // one probe for every request that saw the same failure at the same time
    const result = await this.probeOnce(t);
    if (!result.ok && !this.isDown(role)) this.mark(t, "down", `${evidence}; health probe: ${result.reason}`);
    return this.isDown(role);
  }

  private schedule(t: Tracked, delayMs: number): void {
    if (!this.running) return;
    if (t.timer) clearTimeout(t.timer);
    t.timer = setTimeout(() => {
      t.timer = null;
      void this.probeOnce(t).then(() => {
        // a result that disagrees with the state is confirmed at once; a settled state waits the interval
        const changing = t.state === "up" ? t.failures > 0 : t.successes > 0;
        this.schedule(t, changing ? 0 : this.intervalMs);
      });
    }, delayMs);
    t.timer.unref?.();
  }

  private probeOnce(t: Tracked): Promise<ProbeResult> {
    t.probing ??= this.probe(t.url, this.timeoutMs)
      .catch((error: unknown): ProbeResult => ({ ok: false, kind: "error", reason: String(error) }))
      .then((result) => {
        t.probing = null;
        this.record(t, result);
        return result;
      });
    return t.probing;
  }

  private record(t: Tracked, result: ProbeResult): void {
    if (result.ok) {
      t.failures = 0;
      t.successes++;
      if (t.state === "down" && t.successes >= this.successesToUp) this.mark(t, "up", "answers /health");
      else if (t.state === "up") t.why = "answers /health";
      if (t.state === "up") t.confirmed = true;
    } else {
      t.successes = 0;
      t.failures++;
      if (t.state === "up" && t.failures >= this.failuresToDown) this.mark(t, "down", result.reason);
      else if (t.state === "down") t.why = result.reason;
    }
  }

  private mark(t: Tracked, state: "up" | "down", why: string): void {
    t.state = state;
    t.since = new Date().toISOString();
    t.why = why;
    t.failures = 0;
    t.successes = 0;
    if (state === "down") {
      t.confirmed = false;
      const previous = t.down;
      t.down = new AbortController();
      previous.abort(new EndpointDownError(t.url, why));
    }
    this.options.onChange?.({ endpoint: t.role, url: t.url, state, why });
  }
}
