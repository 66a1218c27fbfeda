import { ComposeProject, findComposeFile } from "./compose.js";
import { detectMode } from "./deploymentMode.js";
import type { DeploymentMode, DoctorOptions } from "./options.js";
import { type CoreHealth, coreHealthOf, type GatewayHealth, gatewayHealthOf } from "./probe/healthBodies.js";
import { type HealthProbe, probeHealth } from "./probe/healthProbe.js";
import { buildRegistry, type ServiceEntry } from "./registry.js";
import { type Category, type CheckResult, result } from "./result.js";
import { locateSharedDirs, type SharedDirLocation } from "./sharedDirLocation.js";

export type { SharedDirLocation };

/** Everything the checks read: options, the services, one health probe per service, the mode and the shared dirs. */
export interface DoctorContext {
  options: DoctorOptions;
  registry: ServiceEntry[];
  probes: Map<string, HealthProbe>;
  mode: DeploymentMode;
  modeReason: string;
  sharedDirs: SharedDirLocation[];
  /** The compose project in the working directory (a file defining gaia-core-candidate), if there is one. */
  compose?: ComposeProject;
  /** The doctor's own uid (null where the platform has none). */
  uid: number | null;
}

/** Probes every service, decides the mode and locates the shared dirs. */
export async function gatherContext(options: DoctorOptions): Promise<DoctorContext> {
  const registry = buildRegistry(options);
  const probes = await probeAll(registry, options.timeoutMs);
  const composeFile = findComposeFile(options.cwd);
  const compose = composeFile === undefined ? undefined : new ComposeProject(composeFile);
  const { mode, reason } = await detectMode(options.mode, probes, compose);
  const ctx: DoctorContext = {
    options,
    registry,
    probes,
    mode,
    modeReason: reason,
    sharedDirs: [],
    ...(compose !== undefined && { compose }),
    uid: typeof process.getuid === "function" ? process.getuid() : null,
  };
  ctx.sharedDirs = await locateSharedDirs(ctx);
  return ctx;
}

/** Probes every service in parallel. */
async function probeAll(registry: readonly ServiceEntry[], timeoutMs: number): Promise<Map<string, HealthProbe>> {
  const probes = await Promise.all(registry.map((s) => probeHealth(s, timeoutMs)));
  return new Map(probes.map((p) => [p.service.name, p]));
}

/** The parsed core health body of a service, when it answered with one. */
export function coreHealth(ctx: DoctorContext, name: string): CoreHealth | undefined {
  return coreHealthOf(ctx.probes.get(name));
}

/** The parsed gateway health body, when it answered with one. */
export function gatewayHealth(ctx: DoctorContext): GatewayHealth | undefined {
  return gatewayHealthOf(ctx.probes.get("gateway"));
}

/** Builds one result of a check: severity, message and an optional fix hint. */
export type Report = (severity: CheckResult["severity"], message: string, fix?: string) => CheckResult;

/**
 * Runs `check` for every core in the registry that answered /health with a core body (an unreachable core is
 * reported under reachability), with a `report` bound to the check's category, id and the core's name.
 */
export function forEachCoreHealth(
  ctx: DoctorContext,
  category: Category,
  id: string,
  check: (health: CoreHealth, report: Report, service: ServiceEntry) => void,
): void {
  for (const service of ctx.registry) {
    if (service.kind !== "core") continue;
    const health = coreHealth(ctx, service.name);
    if (health === undefined) continue;
    check(health, (severity, message, fix) => result(category, service.name, id, severity, message, fix), service);
  }
}
