// shared/maintenance/MaintenanceFlag.ts (kept beside the resilient client's tests, its main user).

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { isMaintenanceOn, maintenanceFlagPath } from "../../../shared/maintenance/MaintenanceFlag.js";
import { tempDir } from "../../support/processes.js";

describe("isMaintenanceOn", () => {
  it("is true exactly while the flag file exists, read fresh on every call", () => {
    const flag = maintenanceFlagPath(tempDir("gaia-flag-"));
    expect(path.basename(flag)).toBe("ha_maintenance");
    expect(isMaintenanceOn(flag)).toBe(false);
    fs.writeFileSync(flag, "");
    expect(isMaintenanceOn(flag)).toBe(true);
    fs.rmSync(flag);
    expect(isMaintenanceOn(flag)).toBe(false);
  });

  it("is false when no flag path is configured", () => {
    expect(isMaintenanceOn(undefined)).toBe(false);
    expect(isMaintenanceOn(null)).toBe(false);
    expect(isMaintenanceOn("")).toBe(false);
  });
});
