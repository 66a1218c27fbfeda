import { coreHealth, type DoctorContext, gatewayHealth } from "../context.js";
import { presentMaintenanceFlags } from "../maintenanceFlags.js";
import { type CheckResult, result } from "../result.js";
import { shellPath } from "../shellPath.js";

/**
 * Is maintenance mode (failover OFF) on? Read from the flag files the doctor can see and from what each service
 * reports; services that disagree read different flag files, the original's invisible-flag bug (docs/original-gaia.md).
 */
export function checkMaintenance(ctx: DoctorContext): CheckResult[] {
  const files = presentMaintenanceFlags(ctx);
  const reports: Array<[string, boolean]> = [];
  for (const name of ["gateway", "primary", "candidate"]) {
    const on = name === "gateway" ? gatewayHealth(ctx)?.maintenance : coreHealth(ctx, name)?.maintenance;
    if (on !== undefined) reports.push([name, on]);
  }
  const reportingOn = reports.filter(([, on]) => on).map(([name]) => name);
  const on = files.length > 0 || reportingOn.length > 0;
  const where = [
    ...files.map((f) => `flag ${shellPath(ctx.options.cwd, f)}`),
    ...(reportingOn.length > 0 ? [`reported by ${reportingOn.join(", ")}`] : []),
  ].join("; ");

  const out: CheckResult[] = [];
  const r = (id: string, severity: CheckResult["severity"], message: string, fix?: string) =>
    result("maintenance", "deployment", id, severity, message, fix);
  if (on && !ctx.options.expectMaintenance) {
    out.push(
      r(
        "flag",
        "warn",
        `maintenance is ON, failover is OFF (${where})`,
        "gaia-doctor --clear-maintenance, once maintenance is over",
      ),
    );
  } else if (on) {
    out.push(r("flag", "pass", `maintenance is ON, as expected (${where})`));
  } else if (ctx.options.expectMaintenance) {
    out.push(r("flag", "warn", "maintenance was expected but is OFF: failover is active"));
  } else {
    out.push(r("flag", "pass", "maintenance is off: failover is active"));
  }

  // The gateway is the one that acts on the flag, and it shares the primary's flag file (the candidate has its own
  // volume, so it is not compared). A different value means they read different files.
  const gateway = reports.find(([name]) => name === "gateway");
  const primary = reports.find(([name]) => name === "primary");
  if (gateway !== undefined && primary !== undefined && gateway[1] !== primary[1]) {
    out.push(
      r(
        "agreement",
        "warn",
        `the gateway reports maintenance ${gateway[1] ? "on" : "off"} but the primary reports ${primary[1] ? "on" : "off"}: they read different flag files`,
        "point GAIA_MAINTENANCE_FLAG of the gateway and the primary at one file",
      ),
    );
  }
  return out;
}
