import path from "node:path";
import type { ComposeProject } from "./compose.js";
import { IMAGE_SHARED_DIR } from "./deploymentMode.js";
import type { DeploymentMode, DoctorOptions } from "./options.js";
import { coreHealthOf } from "./probe/healthBodies.js";
import type { HealthProbe } from "./probe/healthProbe.js";
import type { ServiceEntry } from "./registry.js";

/** Where one core's shared dir is on this machine, and how the doctor knows. */
export interface SharedDirLocation {
  /** The core it belongs to. */
  owner: "primary" | "candidate";
  /** Absolute path on this machine; null when it could not be located from here. */
  path: string | null;
  /** flag/env: given; reported: the running core's /health; docker-volume: the container's /shared mount; default: the layout. */
  source: "flag" | "env" | "reported" | "docker-volume" | "default";
  /** Why `path` is null, or a mismatch worth showing (e.g. the core reports a different dir). */
  note?: string;
  /** The docker volume's name when the dir is one (reports name it instead of its long mountpoint). */
  volume?: string;
}

/** Is this URL served from this machine (so a path it reports is a path here)? */
function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host === "::1";
}

/** What locating the shared dirs reads of the doctor's context (a subset, so this module need not know the context). */
export interface SharedDirInputs {
  options: DoctorOptions;
  registry: ServiceEntry[];
  probes: Map<string, HealthProbe>;
  mode: DeploymentMode;
  compose?: ComposeProject;
}

/**
 * Locates each core's shared dir: a flag or env value wins; then, in process mode, the dir the running core reports
 * in /health (when it runs on this machine); in container mode, the host source of the container's /shared mount;
 * otherwise the default layout (`.data/primary` + `.data/candidate` as start:pair makes, or `.data/shared`).
 */
export async function locateSharedDirs(ctx: SharedDirInputs): Promise<SharedDirLocation[]> {
  const { options } = ctx;
  const out: SharedDirLocation[] = [];
  for (const owner of ["primary", "candidate"] as const) {
    const explicit = owner === "primary" ? options.sharedDir : options.candidateSharedDir;
    const fallback = owner === "primary" ? options.defaultSharedDir : options.defaultCandidateSharedDir;
    const service = ctx.registry.find((s) => s.name === owner);
    const reported = coreHealthOf(ctx.probes.get(owner))?.shared_dir;
    if (explicit !== undefined) {
      const mismatch =
        ctx.mode === "process" &&
        reported !== undefined &&
        service !== undefined &&
        isLoopback(service.url) &&
        path.resolve(reported) !== explicit.path;
      out.push({
        owner,
        path: explicit.path,
        source: explicit.source,
        ...(mismatch && { note: `the running ${owner} reports shared dir ${reported}` }),
      });
      continue;
    }
    if (ctx.mode === "process") {
      if (reported !== undefined && service !== undefined && isLoopback(service.url)) {
        out.push({ owner, path: path.resolve(options.cwd, reported), source: "reported" });
      } else {
        out.push({ owner, path: fallback, source: "default" });
      }
      continue;
    }
    // Container mode: the volume lives where docker keeps it; ask docker where that is.
    const composeService = service?.composeService;
    const mount =
      ctx.compose !== undefined && composeService !== undefined
        ? await ctx.compose.mountSource(composeService, IMAGE_SHARED_DIR)
        : null;
    if (mount !== null) {
      out.push({
        owner,
        path: mount.source,
        source: "docker-volume",
        ...(mount.name !== undefined && { volume: mount.name }),
      });
    } else {
      out.push({
        owner,
        path: null,
        source: "docker-volume",
        note:
          ctx.compose === undefined
            ? "no compose file with gaia-core-candidate here to find its volume"
            : (await ctx.compose.command()) === null
              ? "docker is not reachable from here (engine down, or no permission on its socket)"
              : `no ${composeService ?? owner} container to read its /shared mount from`,
      });
    }
  }
  return out;
}
