import path from "node:path";
import { isInvalidGguf, readGgufHeader } from "../../shared/gguf/ggufHeader.js";
import { type DoctorContext, forEachCoreHealth } from "../context.js";
import { DEFAULTS } from "../options.js";
import { type CheckResult, result } from "../result.js";

/**
 * Is the GGUF there and valid (magic + version), and which model does each core say it serves? In process mode the
 * files the running cores report are checked too, since those are the ones actually in use; in container mode the
 * model lives in the image, so only a file passed with --model is read, and the cores' reports carry the rest.
 */
export async function checkModel(ctx: DoctorContext): Promise<CheckResult[]> {
  const { options } = ctx;
  // In container mode GAIA_LITE_MODEL names a path inside the image; only a --model given here is a file on this host.
  const files = new Map<string, string>();
  if (ctx.mode === "process" || options.model.source === "flag")
    files.set(options.model.path, `GAIA_LITE_MODEL (${options.model.source})`);
  const out: CheckResult[] = [];
  const reported: CheckResult[] = [];

  forEachCoreHealth(ctx, "model", "loaded", (health, r, service) => {
    const model = health.model;
    if (model?.path === undefined) {
      reported.push(r("warn", "does not report its model in /health"));
      return;
    }
    if (ctx.mode === "process" && !files.has(path.resolve(options.cwd, model.path))) {
      files.set(path.resolve(options.cwd, model.path), `reported by the ${service.name}`);
    }
    const name = model.name ? ` (${model.name})` : "";
    if (model.loaded === true) {
      const took = model.load_ms != null ? `, loaded in ${model.load_ms} ms` : "";
      reported.push(r("pass", `serves ${model.path}${name}${took}`));
    } else if (health.status === "ready") {
      reported.push(r("warn", `says ready but its model ${model.path} is not loaded`));
    }
    // loading/failed: reachability already says so
  });

  for (const [file, why] of files) {
    const shown = path.relative(options.cwd, file).startsWith("..") ? file : path.relative(options.cwd, file) || file;
    const r = (severity: CheckResult["severity"], message: string, fix?: string) =>
      result("model", shown, "gguf", severity, message, fix);
    const header = readGgufHeader(file);
    if (header.ok) {
      out.push(r("pass", `valid GGUF v${header.version}, ${formatBytes(header.sizeBytes)} [${why}]`));
      continue;
    }
    const bundled = file === path.resolve(options.cwd, DEFAULTS.model);
    const fix = bundled
      ? "npm run models (makes the bundled model)"
      : "set GAIA_LITE_MODEL (or --model) to a chat GGUF file; re-download it if it is truncated";
    out.push(r("fail", `${isInvalidGguf(header.problem) ? "not a valid GGUF: " : ""}${header.detail} [${why}]`, fix));
  }
  return [...out, ...reported];
}

/** 1536 → "1.5 KB", for messages. */
function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
