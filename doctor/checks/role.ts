import { type DoctorContext, forEachCoreHealth } from "../context.js";
import type { CheckResult } from "../result.js";

/** Does each core say the role it is deployed as? A primary that thinks it is the candidate (or the reverse) is swapped. */
export function checkRole(ctx: DoctorContext): CheckResult[] {
  const out: CheckResult[] = [];
  forEachCoreHealth(ctx, "role", "role", (health, r, service) => {
    if (service.role === undefined) return;
    if (health.role === undefined) out.push(r("warn", "does not report its role in /health"));
    else if (health.role === service.role) out.push(r("pass", `reports role ${health.role}`));
    else {
      out.push(
        r(
          "fail",
          `reports role "${health.role}" but is deployed as the ${service.role} (${service.url})`,
          `set GAIA_ROLE=${service.role} for the service on ${service.url}, or swap --core-url/--candidate-url`,
        ),
      );
    }
  });
  return out;
}
