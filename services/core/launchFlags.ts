/**
 * How a core's node process is launched, wherever it runs (npm start, start:pair, the image, Kubernetes, the bench):
 * - V8's young generation capped at 4 MiB semi-spaces. Left alone, V8 grows it to its 64 MiB maximum while node-llama-cpp
 *   parses the GGUF metadata at load, and never shrinks it; the service's per-token garbage never needs that much.
 * - two glibc malloc arenas: node-llama-cpp's native calls run on libuv's worker threads, and each thread that
 *   allocates otherwise gets an arena of its own that keeps what it freed.
 * Measured on a 4-slot core with the 503 MB bench model: peak RSS 1,031 → 940 MB, decode and 4-session throughput
 * unchanged within run-to-run noise. Both must be set before node starts, hence flags and environment, not code.
 * The Dockerfile, package.json's start script and deploy/kubernetes carry the same two (a test checks it).
 */
export const CORE_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];
export const CORE_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };
