import type { DoctorContext } from "../context.js";
import { type CoreSlot, CoreSlotsSchema } from "../probe/slotsBody.js";
import { type CheckResult, result } from "../result.js";

/** What one slot holds, in a few words: `0 busy`, `1 idle, session abc (312 tokens, used 4 s ago)`. */
function describeSlot(slot: CoreSlot, now: number): string {
  const state = slot.is_processing ? "busy" : slot.preparing_next_turn ? "preparing" : "idle";
  if (!slot.session) return `${slot.id} ${state}, empty`;
  const used = slot.last_used ? Math.max(0, Math.round((now - Date.parse(slot.last_used)) / 1000)) : null;
  const details = [`${slot.tokens_cached ?? "?"} tokens`, ...(used === null ? [] : [`used ${used} s ago`])];
  return `${slot.id} ${state}, session ${slot.session} (${details.join(", ")})`;
}

/**
 * What each ready core's slots (context sequences) hold, from its GET /slots with CORE_API_KEY: which session's KV
 * cache is warm in which slot and which slots are busy. Informational (a pass) unless /slots cannot be read.
 */
export async function checkSlots(ctx: DoctorContext): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const service of ctx.registry) {
    if (service.kind !== "core" || ctx.probes.get(service.name)?.reachable !== true) continue;
    const r = (severity: CheckResult["severity"], message: string, fix?: string) =>
      result("slots", service.name, "slots", severity, message, fix);
    const key = ctx.options.coreApiKey;
    let status: number;
    let body: unknown;
    try {
      const res = await fetch(`${service.url}/slots`, {
        headers: { accept: "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
        signal: AbortSignal.timeout(ctx.options.timeoutMs),
      });
      status = res.status;
      body = await res.json().catch(() => null);
    } catch (error) {
      out.push(r("warn", `GET /slots failed: ${(error as Error).message}`));
      continue;
    }
    if (status === 503) continue; // loading or failed: reachability reports it
    if (status === 401) {
      out.push(r("warn", "GET /slots needs an API key", "set CORE_API_KEY to the key the gateway sends"));
      continue;
    }
    const slots = CoreSlotsSchema.safeParse(body);
    if (status !== 200 || !slots.success) {
      out.push(r("warn", `GET /slots answered HTTP ${status} without a slot list`, "update the core to this build"));
      continue;
    }
    const busy = slots.data.filter((s) => s.is_processing).length;
    const now = Date.now();
    const shown = slots.data.map((s) => describeSlot(s, now)).join("; ");
    out.push(r("pass", `${slots.data.length} slots, ${busy} busy: ${shown}`));
  }
  return out;
}
