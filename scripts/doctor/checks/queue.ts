import { coreHealth, type DoctorContext } from "../context.js";
import { result, type CheckResult } from "../result.js";

/** How full is each core's request queue? Half full or more means clients are about to get 503s. */
export function checkQueue(ctx: DoctorContext): CheckResult[] {
  const out: CheckResult[] = [];
  for (const service of ctx.registry) {
    if (service.kind !== "core") continue;
    const health = coreHealth(ctx, service.name);
    if (health === undefined) continue;
    const r = (severity: CheckResult["severity"], message: string, fix?: string) =>
      result("queue", service.name, "queue-depth", severity, message, fix);
    const queue = health.queue;
    if (queue === undefined) {
      if (health.status === "ready") out.push(r("warn", "does not report its queue in /health"));
      continue;
    }
    const { active, waiting, capacity } = queue;
    const shown = `${active} active, ${waiting} waiting of ${capacity}`;
    out.push(
      waiting > 0 && waiting >= capacity / 2
        ? r("warn", `queue is ${waiting >= capacity ? "full" : "filling"}: ${shown}`, "raise GAIA_PARALLEL / GAIA_QUEUE_SIZE, or send load to the candidate")
        : r("pass", shown),
    );
  }
  return out;
}
