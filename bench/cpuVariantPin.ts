import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Pinning a server to one ggml CPU variant. ggml loads the best-scoring `libggml-cpu-<variant>.so` among the *regular
 * files* in its directory; a bind mount of /dev/null over every other variant (in a private mount namespace of that
 * one process: `unshare --mount`) leaves it only the chosen one. Both sides are pinned the same way, nothing is copied.
 */

const VARIANT_FILE = /^libggml-cpu-([A-Za-z0-9_]+)\.so$/;

/** The CPU variants in a directory, by name (only regular files count, as for ggml). */
export function variantsIn(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => VARIANT_FILE.test(name) && fs.statSync(path.join(dir, name), { throwIfNoEntry: false })?.isFile())
    .map((name) => VARIANT_FILE.exec(name)?.[1] ?? name)
    .sort();
}

export type PinPlan = { ok: true; variant: string; hide: string[] } | { ok: false; reason: string };

/** Which variant files to hide in `dir` (whose variants are `available`) so that only `variant` can load. */
export function pinPlan(dir: string, available: readonly string[], variant: string): PinPlan {
  if (!available.includes(variant))
    return {
      ok: false,
      reason: `no libggml-cpu-${variant}.so in ${dir} (${available.length ? `has ${available.join(", ")}` : "no CPU variants there"})`,
    };
  return {
    ok: true,
    variant,
    hide: available.filter((v) => v !== variant).map((v) => path.join(dir, `libggml-cpu-${v}.so`)),
  };
}

/** The script run between unshare and the program: bind /dev/null over each path up to `--`, then exec the rest. */
const HIDE_THEN_EXEC =
  'while [ "$1" != "--" ]; do mount --bind /dev/null "$1" || exit 97; shift; done; shift; exec "$@"';

/**
 * `command args` started with `hide` covered by /dev/null in its own mount namespace; unchanged when there is
 * nothing to hide. `unshare` and `sh` both exec, so the child's pid is the program's own (its /proc maps and VmHWM).
 */
export function pinnedCommand(
  command: string,
  args: readonly string[],
  hide: readonly string[],
): { command: string; args: string[] } {
  if (hide.length === 0) return { command, args: [...args] };
  return {
    command: "unshare",
    args: ["--mount", "--propagation", "private", "sh", "-c", HIDE_THEN_EXEC, "sh", ...hide, "--", command, ...args],
  };
}

/** Null when a process can be pinned here (a real probe: a bind mount over a temp file), else why not. */
export function cannotPinReason(): string | null {
  if (process.platform !== "linux") return `pinning needs Linux mount namespaces (this is ${process.platform})`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-bench-pin-"));
  const probe = path.join(dir, "libggml-cpu-probe.so");
  fs.writeFileSync(probe, "");
  try {
    const { command, args } = pinnedCommand("test", ["-c", probe], [probe]);
    const run = spawnSync(command, args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (run.error) return `${command} not usable: ${run.error.message}`;
    if (run.status === 0) return null;
    return `unshare --mount / mount --bind failed (${run.stderr.trim().split("\n")[0] || `exit ${run.status}`}; needs root)`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether /proc/cpuinfo's flags advertise AMX (amx_tile). */
export function cpuHasAmx(cpuinfo: string): boolean {
  return /^flags\s*:.*\bamx_tile\b/m.test(cpuinfo);
}

/** The variant both sides are pinned to when --cpu-variant is not given: `zen4` on an AMX CPU, else none. */
export function defaultPinVariant(cpuinfo: string): { variant: string | null; why: string } {
  return cpuHasAmx(cpuinfo)
    ? {
        variant: "zen4",
        why: "the CPU advertises AMX: llama-server's sapphirerapids (AMX) kernel dies with SIGILL here, so both sides are pinned to the next variant, zen4",
      }
    : { variant: null, why: "no AMX: each side loads its own best variant (they must agree to be compared)" };
}

/** The directory the prebuilt binding loads its ggml CPU variants from. */
export function bindingVariantDir(root: string): string {
  const target = `${process.platform}-${process.arch}`;
  return path.join(root, "node_modules", "@node-llama-cpp", target, "bins", target);
}
