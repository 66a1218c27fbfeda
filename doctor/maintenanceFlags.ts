import fs from "node:fs";
import { maintenanceFlagPath } from "../shared/maintenance/MaintenanceFlag.js";
import type { DoctorContext } from "./context.js";

/**
 * The maintenance flag files the doctor can see: `GAIA_MAINTENANCE_FLAG` when set (what the gateway reads), and
 * `<shared dir>/ha_maintenance` of each core. Deduplicated, in that order.
 */
function maintenanceFlagPaths(ctx: DoctorContext): string[] {
  const paths = new Set<string>();
  if (ctx.options.maintenanceFlag !== undefined) paths.add(ctx.options.maintenanceFlag);
  for (const dir of ctx.sharedDirs) if (dir.path !== null) paths.add(maintenanceFlagPath(dir.path));
  return [...paths];
}

/** The flag files that exist right now. */
export function presentMaintenanceFlags(ctx: DoctorContext): string[] {
  return maintenanceFlagPaths(ctx).filter((p) => fs.existsSync(p));
}
