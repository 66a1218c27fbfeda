import fs from "node:fs";
import path from "node:path";
import { MAINTENANCE_FLAG_NAME } from "../config/sharedDirs.js";

/**
 * Maintenance mode is "the flag file exists" (one source of truth every service can see; docs/original-gaia.md).
 * Read fresh on every call: a `stat` is cheap next to an HTTP round trip, and an operator's `touch`/`rm`
 * must take effect on the very next request without a restart.
 */
export function isMaintenanceOn(flagPath: string | undefined | null): boolean {
  if (!flagPath) return false;
  return fs.existsSync(flagPath);
}

/** The flag's conventional place inside a shared dir (`<sharedDir>/ha_maintenance`). */
export function maintenanceFlagPath(sharedDir: string): string {
  return path.join(sharedDir, MAINTENANCE_FLAG_NAME);
}
