import { coreHealth, type DoctorContext } from "../context.js";
import { type CheckResult, result } from "../result.js";

/**
 * Do primary and candidate run the same build? The original compared files by hand and its worst outage was a stale
 * candidate image (docs/original-gaia.md); here each core reports build_id.
 */
export function checkBuildDrift(ctx: DoctorContext): CheckResult[] {
  const primary = coreHealth(ctx, "primary");
  const candidate = coreHealth(ctx, "candidate");
  if (primary === undefined || candidate === undefined) return []; // one is down: reachability says so
  const r = (severity: CheckResult["severity"], message: string, fix?: string) =>
    result("build-drift", "primary/candidate", "build-id", severity, message, fix);
  const missing = [
    ...(primary.build_id === undefined ? ["primary"] : []),
    ...(candidate.build_id === undefined ? ["candidate"] : []),
  ];
  if (missing.length > 0)
    return [r("warn", `${missing.join(" and ")} does not report build_id: drift cannot be checked`)];
  const version = (v: string | undefined) => (v === undefined ? "" : ` v${v}`);
  if (primary.build_id === candidate.build_id) {
    return [r("pass", `same build ${primary.build_id}${version(primary.version)}`)];
  }
  return [
    r(
      "warn",
      `primary runs build ${primary.build_id}${version(primary.version)}, candidate ${candidate.build_id}${version(candidate.version)}`,
      ctx.mode === "container"
        ? "rebuild both from the same image: docker-compose build gaia-core gaia-core-candidate, then recreate the candidate"
        : "restart the candidate from the same build (npm run build) when it is idle",
    ),
  ];
}
