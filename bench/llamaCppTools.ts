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

/** llama.cpp programs the bench compares with (and llama-batched-bench, for measuring the engine by hand). */
export type LlamaCppTool = "llama-bench" | "llama-server" | "llama-batched-bench";

export type ToolBinary = { ok: true; path: string; commit: string; built: boolean } | { ok: false; reason: string };

/** Environment variable that points at a binary to use instead of the cached build. */
const OVERRIDE: Record<LlamaCppTool, string> = {
  "llama-bench": "GAIA_LLAMA_BENCH",
  "llama-server": "GAIA_LLAMA_SERVER",
  "llama-batched-bench": "GAIA_LLAMA_BATCHED_BENCH",
};

/** The llama.cpp source node-llama-cpp ships: a git bundle of the exact release its binaries were built from. */
const shippedSource = () => path.join(repoRoot(), "node_modules/node-llama-cpp/llama/gitRelease.bundle");

/**
 * Built the way node-llama-cpp's prebuilt binaries are built: shared libraries, one loadable ggml CPU backend per CPU
 * variant (`libggml-cpu-<variant>.so` beside the binaries in `bin/`), no -march=native. A native build cannot run on
 * every machine (its AMX kernel dies with SIGILL on one that advertises AMX), and a variant build can be pinned to the
 * same variant as the binding (cpuVariantPin). Without OpenMP, as the prebuilt's CPU backends are (none links libgomp):
 * ggml's own threadpool on both sides. Earlier versions of the bench built `build-server` (static, native), `build` and
 * `build-variants` (with llama.cpp's default OpenMP); none is used any more.
 */
const BUILD_DIR = "build-variants-no-openmp";
const CMAKE_FLAGS = [
  "-G",
  "Ninja",
  "-DCMAKE_BUILD_TYPE=Release",
  "-DBUILD_SHARED_LIBS=ON",
  "-DGGML_NATIVE=OFF",
  "-DGGML_BACKEND_DL=ON",
  "-DGGML_CPU_ALL_VARIANTS=ON",
  "-DGGML_OPENMP=OFF",
  "-DLLAMA_CURL=OFF",
  "-DLLAMA_OPENSSL=OFF",
  "-DLLAMA_BUILD_TESTS=OFF",
  "-DLLAMA_BUILD_EXAMPLES=OFF",
  "-DLLAMA_BUILD_SERVER=ON",
];
/** Every tool and the two variants the bench pins to by name (the `ggml` target builds all variants anyway). */
const BUILD_TARGETS = [
  "llama-server",
  "llama-bench",
  "llama-batched-bench",
  "ggml-cpu-zen4",
  "ggml-cpu-sapphirerapids",
] as const;
/** Measured on the 2-core development machine: 578 steps, 8.4 min wall (.ninja_log), 17 min of compiler time. */
export const BUILD_COST = "about 9 min on 2 cores";

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
    // stderr ignored: a first run asks before the clone exists, and git's "cannot change to" is no fault
    return execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
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
      // `cmake --build build-variants` names it relative to its cwd; ninja runs inside it
      if (cwd === dir || cmdline.some((arg) => arg && path.resolve(cwd, arg) === dir)) return Number(pid);
    } catch {
      // the process ended, or is not ours to read
    }
  }
  return null;
}

/**
 * Finds llama.cpp's own tools built from the source node-llama-cpp ships, building them once when one is missing
 * (clone the bundle into the cache, configure `build-variants-no-openmp` as the prebuilt is built, build every tool and CPU
 * variant, -j2; {@link BUILD_COST}; log in the cache dir). A build dir is trusted when its stamp names the shipped
 * commit; an unstamped one (configured by hand with the same flags) is adopted when its clone is at that commit and no
 * build is running in it. `GAIA_LLAMA_BENCH` / `GAIA_LLAMA_SERVER` / `GAIA_LLAMA_BATCHED_BENCH` point at binaries to
 * use instead (their CPU variants are the `libggml-cpu-*.so` beside them). Never throws: says why a tool is not
 * available.
 */
export async function ensureLlamaCppTools<T extends LlamaCppTool>(
  tools: readonly T[],
  options: { build: boolean; onProgress?: (line: string) => void },
): Promise<Record<T, ToolBinary>> {
  const result: Partial<Record<T, ToolBinary>> = {};
  const unavailable = (reason: string) => {
    for (const tool of tools) result[tool] ??= { ok: false, reason };
    return result as Record<T, ToolBinary>;
  };
  for (const tool of tools) {
    const given = process.env[OVERRIDE[tool]];
    if (given)
      result[tool] = fs.existsSync(given)
        ? { ok: true, path: given, commit: `given by ${OVERRIDE[tool]}`, built: false }
        : { ok: false, reason: `${OVERRIDE[tool]}=${given} does not exist` };
  }
  if (tools.every((t) => result[t])) return result as Record<T, ToolBinary>;

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
  const binary = (tool: T) => path.join(buildDir, "bin", tool);

  const running = buildRunningIn(buildDir);
  if (readStamp(stamp) !== commit && running === null && gitHead(source) === commit) {
    // built by hand from the right source: adopt it, so nobody rebuilds it
    if (tools.some((t) => fs.existsSync(binary(t)))) fs.writeFileSync(stamp, `${commit}\n`);
  }
  const stamped = readStamp(stamp) === commit;
  const missing: T[] = [];
  for (const tool of tools) {
    if (result[tool]) continue;
    if (stamped && fs.existsSync(binary(tool))) result[tool] = { ok: true, path: binary(tool), commit, built: false };
    else missing.push(tool);
  }
  if (missing.length === 0) return result as Record<T, ToolBinary>;
  if (running !== null)
    return unavailable(`a build is running in ${buildDir} (pid ${running}); run the bench again when it has finished`);
  if (!options.build) return unavailable(`not built yet (run without --no-build to build it once into ${cache})`);
  if (!has("cmake")) return unavailable("cmake not found (apt-get install -y cmake)");
  if (!has("ninja")) return unavailable("ninja not found (apt-get install -y ninja-build)");
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
    if (!fs.existsSync(path.join(buildDir, "CMakeCache.txt")))
      await run("cmake", ["-S", source, "-B", buildDir, ...CMAKE_FLAGS], log);
    options.onProgress?.(
      `building llama.cpp's ${BUILD_TARGETS.join(", ")} once, as node-llama-cpp's prebuilt is built (every CPU variant; ${BUILD_COST}; log: ${logPath})`,
    );
    await run("cmake", ["--build", buildDir, "--target", ...BUILD_TARGETS, "-j", "2"], log);
    fs.writeFileSync(stamp, `${commit}\n`);
    for (const tool of missing) {
      result[tool] = fs.existsSync(binary(tool))
        ? { ok: true, path: binary(tool), commit, built: true }
        : { ok: false, reason: `build finished but ${binary(tool)} is missing (see ${logPath})` };
    }
    return result as Record<T, ToolBinary>;
  } catch (error) {
    return unavailable(`build failed: ${(error as Error).message} (see ${logPath})`);
  } finally {
    log.end();
  }
}
