import path from "node:path";
import { CANDIDATE_SERVICE } from "../compose.js";
import type { DoctorContext } from "../context.js";
import { DEFAULTS } from "../options.js";
import { shellPath } from "../shellPath.js";

/**
 * The exact command an operator runs to start the candidate, for this deployment: compose's in container mode;
 * `npm run start:pair` when both cores are down on the default ports; otherwise a lone candidate with `npm start`.
 */
export function candidateStartCommand(ctx: DoctorContext): string {
  const { options } = ctx;
  if (ctx.mode === "container") {
    return ctx.compose !== undefined
      ? `docker-compose -f ${path.basename(ctx.compose.file)} up -d --no-deps ${CANDIDATE_SERVICE}`
      : `docker-compose up -d --no-deps ${CANDIDATE_SERVICE} (or npm run ha:start)`;
  }
  const url = new URL(options.candidateUrl);
  const primaryDown = ctx.probes.get("primary")?.reachable === false;
  const defaults = options.coreUrl === DEFAULTS.coreUrl && options.candidateUrl === DEFAULTS.candidateUrl;
  if (primaryDown && defaults) return "npm run start:pair";
  const dir = ctx.sharedDirs.find((d) => d.owner === "candidate")?.path ?? options.defaultCandidateSharedDir;
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `GAIA_ROLE=candidate PORT=${port} GAIA_SHARED_DIR=${shellPath(options.cwd, dir)} npm start`;
}
