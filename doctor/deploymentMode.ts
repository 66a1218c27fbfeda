import path from "node:path";
import type { ComposeProject } from "./compose.js";
import type { DeploymentMode } from "./options.js";
import { coreHealthOf } from "./probe/healthBodies.js";
import type { HealthProbe } from "./probe/healthProbe.js";

/** Where the image keeps a core's shared data (its volume's mount point). */
export const IMAGE_SHARED_DIR = "/shared";

/**
 * Process or container: `--mode` when given; container when a reachable core reports the image's shared dir
 * `/shared`, or when compose in this directory has a gaia-core container; otherwise process. (Running inside some
 * container proves nothing: CI and dev boxes are containers too.)
 */
export async function detectMode(
  requested: DeploymentMode | "auto",
  probes: ReadonlyMap<string, HealthProbe>,
  compose: ComposeProject | undefined,
): Promise<{ mode: DeploymentMode; reason: string }> {
  if (requested !== "auto") return { mode: requested, reason: "--mode" };
  for (const name of ["primary", "candidate"]) {
    const dir = coreHealthOf(probes.get(name))?.shared_dir;
    if (dir === IMAGE_SHARED_DIR)
      return { mode: "container", reason: `the ${name} reports the image's shared dir ${IMAGE_SHARED_DIR}` };
  }
  if (compose !== undefined && (await compose.command()) !== null) {
    for (const service of ["gaia-core", "gaia-core-candidate"]) {
      if ((await compose.containerId(service)) !== null) {
        return { mode: "container", reason: `compose has a ${service} container (${path.basename(compose.file)})` };
      }
    }
  }
  return { mode: "process", reason: "no container deployment found" };
}
