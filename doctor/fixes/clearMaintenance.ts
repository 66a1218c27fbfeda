import fs from "node:fs";
import { coreHealth, type DoctorContext, gatewayHealth } from "../context.js";
import { presentMaintenanceFlags } from "../maintenanceFlags.js";
import type { FixRecord } from "../result.js";
import { shellPath } from "../shellPath.js";

/** Removes the maintenance flag files (turns failover back on). Only on an explicit --clear-maintenance. */
export function clearMaintenance(ctx: DoctorContext): FixRecord[] {
  const records: FixRecord[] = [];
  for (const file of presentMaintenanceFlags(ctx)) {
    const command = `rm ${shellPath(ctx.options.cwd, file)}`;
    try {
      fs.rmSync(file, { force: true });
      records.push({
        id: "clear-maintenance",
        target: shellPath(ctx.options.cwd, file),
        applied: true,
        message: "removed the maintenance flag: failover is on",
        command,
      });
    } catch (error) {
      records.push({
        id: "clear-maintenance",
        target: shellPath(ctx.options.cwd, file),
        applied: false,
        message: `could not remove: ${(error as Error).message}`,
        command,
      });
    }
  }
  if (records.length === 0) {
    const reporting = [
      ...(gatewayHealth(ctx)?.maintenance === true ? ["gateway"] : []),
      ...["primary", "candidate"].filter((n) => coreHealth(ctx, n)?.maintenance === true),
    ];
    if (reporting.length > 0) {
      records.push({
        id: "clear-maintenance",
        target: reporting.join(", "),
        applied: false,
        message: `${reporting.join(", ")} report maintenance on, but its flag file is not visible from here`,
        command:
          ctx.mode === "container"
            ? "scripts/ha-maintenance.sh off"
            : `rm <its GAIA_MAINTENANCE_FLAG> (or pass --shared-dir / set GAIA_MAINTENANCE_FLAG and re-run)`,
      });
    }
  }
  return records;
}
