import type { DoctorContext } from "../context.js";
import type { Category, CheckResult } from "../result.js";
import { checkApiKeys } from "./apiKeys.js";
import { checkBuildDrift } from "./buildDrift.js";
import { checkDisk } from "./disk.js";
import { checkEmbedding } from "./embedding.js";
import { checkExposure } from "./exposure.js";
import { checkFallback } from "./fallback.js";
import { checkMaintenance } from "./maintenance.js";
import { checkModel } from "./model.js";
import { checkQueue } from "./queue.js";
import { checkReachability } from "./reachability.js";
import { checkRole } from "./role.js";
import { checkSharedDirs } from "./sharedDirs.js";

/** A check category: reads the context, returns its findings. */
export type Check = (ctx: DoctorContext) => CheckResult[] | Promise<CheckResult[]>;

/** Every category's check, in report order. */
const CHECKS: Readonly<Record<Category, Check>> = {
  reachability: checkReachability,
  role: checkRole,
  model: checkModel,
  embedding: checkEmbedding,
  fallback: checkFallback,
  "shared-dirs": checkSharedDirs,
  maintenance: checkMaintenance,
  "build-drift": checkBuildDrift,
  "api-keys": checkApiKeys,
  exposure: checkExposure,
  queue: checkQueue,
  disk: checkDisk,
};

/** Runs the given categories (all by default) in report order. */
export async function runChecks(
  ctx: DoctorContext,
  categories: readonly Category[] = Object.keys(CHECKS) as Category[],
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const category of Object.keys(CHECKS) as Category[]) {
    if (categories.includes(category)) out.push(...(await CHECKS[category](ctx)));
  }
  return out;
}
