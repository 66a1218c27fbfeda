import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../shared/config/repoRoot.js";

/** Where llama-bench is built, once, outside the repo (override with GAIA_BENCH_CACHE). */
function benchCacheDir(): string {
  return (
    process.env.GAIA_BENCH_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "gaia-bench")
  );
}

/** The llama.cpp source node-llama-cpp ships: a git bundle of the exact release its binaries were built from. */
const SHIPPED_SOURCE = () => path.join(repoRoot(), "node_modules/node-llama-cpp/llama/gitRelease.bundle");

export type LlamaBenchBinary =
  | { ok: true; path: string; commit: string; built: boolean }
  | { ok: false; reason: string };

const has = (command: string) => spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0;

function run(command: string, args: string[], log: fs.WriteStream, cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.slice(0, 3).join(" ")}… exited ${code}`)),
    );
  });
}

/**
 * Finds llama.cpp's own `llama-bench` built from the source node-llama-cpp ships, building it once when missing
 * (clone the bundle, cmake with CURL/OpenSSL off, only the llama-bench target, -j2: minutes on 2 cores; log in the
 * cache dir). `GAIA_LLAMA_BENCH` points at a binary to use instead. Never throws: says why when it is not available.
 */
export async function ensureLlamaBench(options: {
  build: boolean;
  onProgress?: (line: string) => void;
}): Promise<LlamaBenchBinary> {
  const given = process.env.GAIA_LLAMA_BENCH;
  if (given)
    return fs.existsSync(given)
      ? { ok: true, path: given, commit: "given by GAIA_LLAMA_BENCH", built: false }
      : { ok: false, reason: `GAIA_LLAMA_BENCH=${given} does not exist` };
  const bundle = SHIPPED_SOURCE();
  if (!fs.existsSync(bundle))
    return { ok: false, reason: `no llama.cpp source at ${path.relative(repoRoot(), bundle)}` };
  if (!has("git")) return { ok: false, reason: "git not found" };
  let commit: string;
  try {
    commit = execFileSync("git", ["bundle", "list-heads", bundle], { encoding: "utf8" }).split(/\s/)[0] ?? "";
  } catch (error) {
    return { ok: false, reason: `cannot read the llama.cpp bundle: ${(error as Error).message.split("\n")[0]}` };
  }
  const cache = benchCacheDir();
  const source = path.join(cache, "llama.cpp");
  const buildDir = path.join(source, "build");
  const binary = path.join(buildDir, "bin", "llama-bench");
  const stamp = path.join(cache, "llama-bench.commit");
  if (fs.existsSync(binary) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8").trim() === commit) {
    return { ok: true, path: binary, commit, built: false };
  }
  if (!options.build)
    return { ok: false, reason: `not built yet (run without --no-build-llama-bench to build it once into ${cache})` };
  if (!has("cmake")) return { ok: false, reason: "cmake not found (apt-get install -y cmake)" };
  if (!has("g++") && !has("c++")) return { ok: false, reason: "no C++ compiler (apt-get install -y g++)" };
  fs.mkdirSync(cache, { recursive: true });
  const logPath = path.join(cache, "llama-bench-build.log");
  const log = fs.createWriteStream(logPath);
  try {
    const head = fs.existsSync(path.join(source, ".git"))
      ? execFileSync("git", ["-C", source, "rev-parse", "HEAD"], { encoding: "utf8" }).trim()
      : "";
    if (head !== commit) {
      fs.rmSync(source, { recursive: true, force: true });
      options.onProgress?.(`cloning llama.cpp ${commit.slice(0, 10)} from node-llama-cpp's bundle into ${source}`);
      await run("git", ["clone", "--quiet", bundle, source], log);
    }
    const generator = has("ninja") ? ["-G", "Ninja"] : [];
    if (!fs.existsSync(path.join(buildDir, "CMakeCache.txt"))) {
      await run(
        "cmake",
        [
          "-S",
          source,
          "-B",
          buildDir,
          ...generator,
          "-DCMAKE_BUILD_TYPE=Release",
          "-DBUILD_SHARED_LIBS=OFF",
          "-DLLAMA_CURL=OFF",
          "-DLLAMA_OPENSSL=OFF",
          "-DLLAMA_BUILD_TESTS=OFF",
          "-DLLAMA_BUILD_SERVER=OFF",
          "-DLLAMA_BUILD_EXAMPLES=OFF",
          "-DLLAMA_BUILD_APP=OFF",
        ],
        log,
      );
    }
    options.onProgress?.(`building llama-bench once (about 8 min or more on 2 cores; log: ${logPath})`);
    await run("cmake", ["--build", buildDir, "--target", "llama-bench", "-j", "2"], log);
    if (!fs.existsSync(binary))
      return { ok: false, reason: `build finished but ${binary} is missing (see ${logPath})` };
    fs.writeFileSync(stamp, `${commit}\n`);
    return { ok: true, path: binary, commit, built: true };
  } catch (error) {
    return { ok: false, reason: `build failed: ${(error as Error).message} (see ${logPath})` };
  } finally {
    log.end();
  }
}

/** One llama-bench test: prompt processing (nPrompt > 0) or generation (nGen > 0) at a thread count. */
export interface LlamaBenchEntry {
  threads: number;
  nPrompt: number;
  nGen: number;
  tokensPerSecond: number;
  stddev: number;
}

interface LlamaBenchJson {
  n_threads: number;
  n_prompt: number;
  n_gen: number;
  avg_ts: number;
  stddev_ts: number;
}

/** Runs llama-bench (`-o json`) on the model: pp<promptTokens> and tg<decodeTokens> for every thread count. */
export function runLlamaBench(
  binary: string,
  options: { modelPath: string; threads: number[]; promptTokens: number; decodeTokens: number; repetitions: number },
): LlamaBenchEntry[] {
  const result = spawnSync(
    binary,
    [
      "-m",
      options.modelPath,
      "-t",
      options.threads.join(","),
      "-p",
      String(options.promptTokens),
      "-n",
      String(options.decodeTokens),
      "-r",
      String(Math.max(2, options.repetitions)),
      "-b",
      "512",
      "-ub",
      "512",
      "-o",
      "json",
    ],
    { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
  );
  if (result.status !== 0)
    throw new Error(
      `llama-bench exited ${result.status}: ${(result.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`,
    );
  const entries = JSON.parse(result.stdout) as LlamaBenchJson[];
  return entries.map((e) => ({
    threads: e.n_threads,
    nPrompt: e.n_prompt,
    nGen: e.n_gen,
    tokensPerSecond: e.avg_ts,
    stddev: e.stddev_ts,
  }));
}
