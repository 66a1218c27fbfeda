import fs from "node:fs";

/** What a running server's engine actually runs on: the ggml CPU variant it loaded and its buffers (MiB by name). */
export interface EngineFacts {
  /** `zen4`, `sapphirerapids`, …; null when it could not be read. */
  variant: string | null;
  /** Model buffers by type (`CPU_Mapped`, `CPU_REPACK`, `AMX`, …) and the compute buffer (`compute`); null: unknown. */
  buffers: Record<string, number> | null;
}

const VARIANT_FILE = /libggml-cpu-([A-Za-z0-9_]+)\.so(?:\s|$)/;

/** The distinct `libggml-cpu-<variant>.so` variants mapped in a `/proc/<pid>/maps` text, in order of appearance. */
export function variantsInMaps(maps: string): string[] {
  const found: string[] = [];
  for (const line of maps.split("\n")) {
    const variant = VARIANT_FILE.exec(line)?.[1];
    if (variant && !found.includes(variant)) found.push(variant);
  }
  return found;
}

/** The one CPU variant a process has mapped (ggml unloads the variants it scored and did not pick), or null. */
export function loadedVariant(pid: number): string | null {
  try {
    const variants = variantsInMaps(fs.readFileSync(`/proc/${pid}/maps`, "utf8"));
    return variants.length === 0 ? null : variants.join("+");
  } catch {
    return null;
  }
}

const MODEL_BUFFER = /(\S+) model buffer size\s*=\s*([\d.]+) MiB/;
const COMPUTE_BUFFER = /(\S+) compute buffer size\s*=\s*([\d.]+) MiB/;

/**
 * llama.cpp's start-up log lines `… <type> model buffer size = N MiB` and `… <device> compute buffer size = N MiB` as
 * MiB by buffer type (`compute` for the compute buffer of the CPU device, `<device> compute` for any other); null
 * when the text has none.
 */
export function parseBufferSizes(log: string): Record<string, number> | null {
  const buffers: Record<string, number> = {};
  for (const line of log.split("\n")) {
    const model = MODEL_BUFFER.exec(line);
    const compute = model ? null : COMPUTE_BUFFER.exec(line);
    const match = model ?? compute;
    if (!match?.[1] || !match[2]) continue;
    const name = model ? match[1] : match[1] === "CPU" ? "compute" : `${match[1]} compute`;
    buffers[name] = Math.round(((buffers[name] ?? 0) + Number(match[2])) * 100) / 100;
  }
  return Object.keys(buffers).length === 0 ? null : buffers;
}

/** `CPU_Mapped 500.8 + AMX 559.0, compute 300.3 MiB`, or `?`. */
export function describeBuffers(buffers: Record<string, number> | null): string {
  if (!buffers) return "?";
  const entries = Object.entries(buffers);
  const isCompute = ([name]: [string, number]) => /compute/i.test(name);
  const list = (items: [string, number][]) => items.map(([name, mib]) => `${name} ${mib.toFixed(1)}`).join(" + ");
  const model = entries.filter((e) => !isCompute(e));
  const compute = entries.filter(isCompute);
  return `${[list(model), list(compute)].filter(Boolean).join(", ")} MiB`;
}

/**
 * gaia-core's facts from its `model ready` log line (pino JSON: `cpu_variant`, `buffers` name → MiB) where the line
 * carries them, else the variant from /proc/<pid>/maps and unknown buffers.
 */
export function gaiaEngineFacts(readyLine: Record<string, unknown> | null, pid: number): EngineFacts {
  const variant = typeof readyLine?.cpu_variant === "string" ? readyLine.cpu_variant : loadedVariant(pid);
  const raw = readyLine?.buffers;
  let buffers: Record<string, number> | null = null;
  if (raw && typeof raw === "object") {
    const numeric = Object.entries(raw).filter((e): e is [string, number] => typeof e[1] === "number");
    if (numeric.length > 0) buffers = Object.fromEntries(numeric);
  }
  return { variant, buffers };
}
