import { coreHealth, type DoctorContext } from "../context.js";
import { result, type CheckResult } from "../result.js";

/** Does each core say the role it is deployed as? A primary that thinks it is the candidate (or the reverse) is swapped. */
export function checkRole(ctx: DoctorContext): CheckResult[] {
  const out: CheckResult[] = [];
  for (const service of ctx.registry) {
    if (service.kind !== "core" || service.role === undefined) continue;
    const health = coreHealth(ctx, service.name);
    if (health === undefined) continue; // unreachable or not a core: reported under reachability
    const r = (severity: CheckResult["severity"], message: string, fix?: string) =>
      result("role", service.name, "role", severity, message, fix);
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
  }
  return out;
}
