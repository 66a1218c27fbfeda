import { type DoctorContext, forEachCoreHealth } from "../context.js";
import type { CheckResult } from "../result.js";

/** How full is each core's request queue? Half full or more means clients are about to get 503s. */
export function checkQueue(ctx: DoctorContext): CheckResult[] {
  const out: CheckResult[] = [];
  forEachCoreHealth(ctx, "queue", "queue-depth", (health, r) => {
    const queue = health.queue;
    if (queue === undefined) {
      if (health.status === "ready") out.push(r("warn", "does not report its queue in /health"));
      return;
    }
    const { active, waiting, capacity } = queue;
    const shown = `${active} active, ${waiting} waiting of ${capacity}`;
    out.push(
      waiting > 0 && waiting >= capacity / 2
        ? r(
            "warn",
            `queue is ${waiting >= capacity ? "full" : "filling"}: ${shown}`,
            "raise GAIA_PARALLEL / GAIA_QUEUE_SIZE, or send load to the candidate",
          )
        : r("pass", shown),
    );
  });
  return out;
}
