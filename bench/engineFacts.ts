import { LlamaLoadFacts, loadedCpuVariant } from "../services/core/inference/LlamaLoadFacts.js";

/** What a running server's engine actually runs on: the ggml CPU variant it loaded and its buffers (MiB by name). */
export interface EngineFacts {
  /** `zen4`, `sapphirerapids`, …; null when it could not be read. */
  variant: string | null;
  /** MiB by `<type> <kind>`: `CPU_Mapped model`, `AMX model`, `CPU compute`, `CPU KV`, …; null: unknown. */
  buffers: Record<string, number> | null;
}

/** The CPU variant a running process has mapped, as gaia-core reads its own. */
export const loadedVariant = (pid: number): string | null => loadedCpuVariant(`/proc/${pid}/maps`);

/**
 * llama.cpp's start-up log lines `… <type> <kind> buffer size = N MiB` as MiB by `<type> <kind>` (`CPU_Mapped model`,
 * `AMX model`, `CPU KV`, `CPU compute`, …), read as gaia-core reads its own; null when the text has none.
 */
export function parseBufferSizes(log: string): Record<string, number> | null {
  const facts = new LlamaLoadFacts();
  for (const line of log.split("\n")) facts.take(line);
  return Object.keys(facts.buffersMiB).length === 0 ? null : facts.buffersMiB;
}

/** `model CPU_Mapped 500.7 + AMX 559.1, compute CPU 300.3 MiB` (the KV and output buffers are left out), or `?`. */
export function describeBuffers(buffers: Record<string, number> | null): string {
  if (!buffers) return "?";
  const of = (kind: string) => {
    const items = Object.entries(buffers).filter(([name]) => name.endsWith(` ${kind}`));
    return items.length === 0
      ? null
      : `${kind} ${items.map(([name, mib]) => `${name.slice(0, -kind.length - 1)} ${mib.toFixed(1)}`).join(" + ")}`;
  };
  const parts = [of("model"), of("compute")].filter(Boolean);
  return parts.length === 0 ? "?" : `${parts.join(", ")} MiB`;
}

/**
 * gaia-core's facts from its `model ready` log line (pino JSON: `cpu_variant`, `buffers_mib` name → MiB) where the
 * line carries them, else the variant from /proc/<pid>/maps and unknown buffers.
 */
export function gaiaEngineFacts(readyLine: Record<string, unknown> | null, pid: number): EngineFacts {
  const variant = typeof readyLine?.cpu_variant === "string" ? readyLine.cpu_variant : loadedVariant(pid);
  const raw = readyLine?.buffers_mib;
  let buffers: Record<string, number> | null = null;
  if (raw && typeof raw === "object") {
    const numeric = Object.entries(raw).filter((e): e is [string, number] => typeof e[1] === "number");
    if (numeric.length > 0) buffers = Object.fromEntries(numeric);
  }
  return { variant, buffers };
}
