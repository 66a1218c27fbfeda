import fs from "node:fs";

const BUFFER_LINE = /(\S+)\s+(model|output|KV|compute) buffer size\s*=\s*([\d.]+) MiB/;
const CPU_VARIANT_FILE = /libggml-cpu-([A-Za-z0-9_]+)\.so(?:\s|$)/;

/**
 * What llama.cpp said while it loaded the model and created the context: the size of each buffer it allocated, by
 * kind and type ("AMX model": weights repacked for AMX, "CPU_Mapped model": the mapped file, "CPU compute", "CPU KV").
 * An operator sizing memory needs these, and a benchmark must know it compares the same setup.
 */
export class LlamaLoadFacts {
  readonly buffersMiB: Record<string, number> = {};
  private linesSeen = 0;
  private computeReported: (() => void) | undefined;
  private readonly computeSeen = new Promise<void>((resolve) => {
    this.computeReported = resolve;
  });

  /** Reads one llama.cpp log line; lines that report no buffer are ignored. */
  take(line: string): void {
    this.linesSeen++;
    const match = BUFFER_LINE.exec(line);
    if (!match) return;
    const key = `${match[1]} ${match[2]}`;
    this.buffersMiB[key] = Math.round(((this.buffersMiB[key] ?? 0) + Number(match[3])) * 100) / 100;
    if (match[2] === "compute") this.computeReported?.();
  }

  /**
   * Resolves once the context's compute buffer was reported (its last buffer line), or after `timeoutMs`: node-llama-cpp
   * hands llama.cpp's log lines to JavaScript asynchronously, so they can arrive after createContext() resolved. At once
   * when no line reached us at all (a second binding instance in one process gets none): waiting would only add delay.
   */
  async contextReported(timeoutMs: number): Promise<void> {
    if (this.linesSeen === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.computeSeen, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }
}

/** The distinct `libggml-cpu-<variant>.so` variants mapped in a `/proc/<pid>/maps` text, in order of appearance. */
export function cpuVariantsInMaps(maps: string): string[] {
  const found: string[] = [];
  for (const line of maps.split("\n")) {
    const variant = CPU_VARIANT_FILE.exec(line)?.[1];
    if (variant && !found.includes(variant)) found.push(variant);
  }
  return found;
}

/**
 * The CPU variant of llama.cpp's CPU backend a process runs (node-llama-cpp's prebuilt ships one library per CPU
 * generation and ggml loads the best one the CPU supports: "sapphirerapids", "zen4", "haswell"…), read from the
 * libraries mapped into it (ggml unloads the ones it scored and did not pick; more than one would be named "a+b");
 * null where that cannot be read (not Linux) or when no variant library is loaded.
 */
export function loadedCpuVariant(maps = "/proc/self/maps"): string | null {
  try {
    const variants = cpuVariantsInMaps(fs.readFileSync(maps, "utf8"));
    return variants.length === 0 ? null : variants.join("+");
  } catch {
    return null;
  }
}
