import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../shared/config/repoRoot.js";

/** Where llama.cpp's own tools are built, once, outside the repo (override with GAIA_BENCH_CACHE). */
function benchCacheDir(): string {
  return (
    process.env.GAIA_BENCH_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "gaia-bench")
  );
}

/** llama.cpp programs the bench compares with. */
export type LlamaCppTool = "llama-bench" | "llama-server";

export type ToolBinary = { ok: true; path: string; commit: string; built: boolean } | { ok: false; reason: string };

/** Environment variable that points at a binary to use instead of the cached build. */
const OVERRIDE: Record<LlamaCppTool, string> = {
  "llama-bench": "GAIA_LLAMA_BENCH",
  "llama-server": "GAIA_LLAMA_SERVER",
};

/** The llama.cpp source node-llama-cpp ships: a git bundle of the exact release its binaries were built from. */
const shippedSource = () => path.join(repoRoot(), "node_modules/node-llama-cpp/llama/gitRelease.bundle");

/**
 * One build dir configured with the server on builds both tools (llama-bench is always part of llama.cpp's tools).
 * `build/` is where earlier versions of the bench built llama-bench alone; a stamped binary there is still used.
 */
const BUILD_DIR = "build-server";
const LEGACY_BENCH_DIR = "build";

const has = (command: string) => spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0;

function run(command: string, args: string[], log: fs.WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.slice(0, 3).join(" ")}… exited ${code}`)),
    );
  });
}

const readStamp = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : null);

const gitHead = (dir: string) => {
  try {
    return execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
};

/** A cmake/ninja build running in `dir` right now (started by anyone): building there too would corrupt it. */
function buildRunningIn(dir: string): number | null {
  let pids: string[];
  try {
    pids = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  for (const pid of pids) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      const program = path.basename(cmdline[0] ?? "");
      if (program !== "cmake" && program !== "ninja" && program !== "make") continue;
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cmdline.includes(dir)) return Number(pid);
    } catch {
      // the process ended, or is not ours to read
    }
  }
  return null;
}

/**
 * Finds llama.cpp's own tools built from the source node-llama-cpp ships, building the missing ones once (clone the
 * bundle into the cache, configure one build dir with the server on and CURL/OpenSSL off, build only the named
 * targets, -j2: about 15 minutes on 2 cores for both; log in the cache dir). A build dir is trusted when its stamp
 * names the shipped commit; an unstamped one (built by hand with the same flags) is adopted when its clone is at that
 * commit and no build is running in it. `GAIA_LLAMA_BENCH` / `GAIA_LLAMA_SERVER` point at binaries to use instead.
 * Never throws: says why a tool is not available.
 */
export async function ensureLlamaCppTools(
  tools: readonly LlamaCppTool[],
  options: { build: boolean; onProgress?: (line: string) => void },
): Promise<Record<LlamaCppTool, ToolBinary>> {
  const result: Partial<Record<LlamaCppTool, ToolBinary>> = {};
  const unavailable = (reason: string) => {
    for (const tool of tools) result[tool] ??= { ok: false, reason };
    return result as Record<LlamaCppTool, ToolBinary>;
  };
  for (const tool of tools) {
    const given = process.env[OVERRIDE[tool]];
    if (given)
      result[tool] = fs.existsSync(given)
        ? { ok: true, path: given, commit: `given by ${OVERRIDE[tool]}`, built: false }
        : { ok: false, reason: `${OVERRIDE[tool]}=${given} does not exist` };
  }
  if (tools.every((t) => result[t])) return result as Record<LlamaCppTool, ToolBinary>;

  const bundle = shippedSource();
  if (!fs.existsSync(bundle)) return unavailable(`no llama.cpp source at ${path.relative(repoRoot(), bundle)}`);
  if (!has("git")) return unavailable("git not found");
  let commit: string;
  try {
    commit = execFileSync("git", ["bundle", "list-heads", bundle], { encoding: "utf8" }).split(/\s/)[0] ?? "";
  } catch (error) {
    return unavailable(`cannot read the llama.cpp bundle: ${(error as Error).message.split("\n")[0]}`);
  }
  const cache = benchCacheDir();
  const source = path.join(cache, "llama.cpp");
  const buildDir = path.join(source, BUILD_DIR);
  const stamp = path.join(cache, `${BUILD_DIR}.commit`);
  const binaryIn = (dir: string, tool: LlamaCppTool) => path.join(source, dir, "bin", tool);

  const running = buildRunningIn(buildDir);
  if (readStamp(stamp) !== commit && running === null && gitHead(source) === commit) {
    // built by hand from the right source: adopt it, so nobody rebuilds for 15 minutes
    if (tools.some((t) => fs.existsSync(binaryIn(BUILD_DIR, t)))) fs.writeFileSync(stamp, `${commit}\n`);
  }
  const stamped = readStamp(stamp) === commit;
  const missing: LlamaCppTool[] = [];
  for (const tool of tools) {
    if (result[tool]) continue;
    if (stamped && fs.existsSync(binaryIn(BUILD_DIR, tool)))
      result[tool] = { ok: true, path: binaryIn(BUILD_DIR, tool), commit, built: false };
    else if (
      tool === "llama-bench" &&
      readStamp(path.join(cache, "llama-bench.commit")) === commit &&
      fs.existsSync(binaryIn(LEGACY_BENCH_DIR, tool))
    )
      result[tool] = { ok: true, path: binaryIn(LEGACY_BENCH_DIR, tool), commit, built: false };
    else missing.push(tool);
  }
  if (missing.length === 0) return result as Record<LlamaCppTool, ToolBinary>;
  if (running !== null)
    return unavailable(`a build is running in ${buildDir} (pid ${running}); run the bench again when it has finished`);
  if (!options.build) return unavailable(`not built yet (run without --no-build to build it once into ${cache})`);
  if (!has("cmake")) return unavailable("cmake not found (apt-get install -y cmake)");
  if (!has("g++") && !has("c++")) return unavailable("no C++ compiler (apt-get install -y g++)");

  fs.mkdirSync(cache, { recursive: true });
  const logPath = path.join(cache, "tools-build.log");
  const log = fs.createWriteStream(logPath);
  try {
    if (gitHead(source) !== commit) {
      fs.rmSync(source, { recursive: true, force: true });
      fs.rmSync(stamp, { force: true });
      options.onProgress?.(`cloning llama.cpp ${commit.slice(0, 10)} from node-llama-cpp's bundle into ${source}`);
      await run("git", ["clone", "--quiet", bundle, source], log);
    }
    if (!fs.existsSync(path.join(buildDir, "CMakeCache.txt"))) {
      await run(
        "cmake",
        [
          "-S",
          source,
          "-B",
          buildDir,
          ...(has("ninja") ? ["-G", "Ninja"] : []),
          "-DCMAKE_BUILD_TYPE=Release",
          "-DBUILD_SHARED_LIBS=OFF",
          "-DLLAMA_CURL=OFF",
          "-DLLAMA_OPENSSL=OFF",
          "-DLLAMA_BUILD_TESTS=OFF",
          "-DLLAMA_BUILD_EXAMPLES=OFF",
          "-DLLAMA_BUILD_SERVER=ON",
        ],
        log,
      );
    }
    options.onProgress?.(
      `building ${missing.join(" and ")} once (about ${missing.length * 8} min on 2 cores; log: ${logPath})`,
    );
    await run("cmake", ["--build", buildDir, "--target", ...missing, "-j", "2"], log);
    fs.writeFileSync(stamp, `${commit}\n`);
    for (const tool of missing) {
      result[tool] = fs.existsSync(binaryIn(BUILD_DIR, tool))
        ? { ok: true, path: binaryIn(BUILD_DIR, tool), commit, built: true }
        : { ok: false, reason: `build finished but ${binaryIn(BUILD_DIR, tool)} is missing (see ${logPath})` };
    }
    return result as Record<LlamaCppTool, ToolBinary>;
  } catch (error) {
    return unavailable(`build failed: ${(error as Error).message} (see ${logPath})`);
  } finally {
    log.end();
  }
}
