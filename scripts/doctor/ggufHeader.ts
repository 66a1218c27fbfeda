import fs from "node:fs/promises";

/** GGUF versions llama.cpp (and so node-llama-cpp) loads. */
export const SUPPORTED_GGUF_VERSIONS = [2, 3] as const;

/** What the first 8 bytes of a would-be GGUF file say. */
export type GgufHeaderReport =
  | { ok: true; version: number; sizeBytes: number }
  | {
      ok: false;
      problem: "missing" | "not-a-file" | "unreadable" | "too-short" | "bad-magic" | "bad-version";
      detail: string;
    };

/**
 * Reads the magic ("GGUF") and the little-endian uint32 version of a model file. Cheap (8 bytes), and catches the
 * usual deployment faults: missing file, a directory, an HTML error page or truncated download, an old GGML file.
 */
export async function readGgufHeader(file: string): Promise<GgufHeaderReport> {
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT"
      ? { ok: false, problem: "missing", detail: "does not exist" }
      : { ok: false, problem: "unreadable", detail: `cannot stat: ${code ?? (error as Error).message}` };
  }
  if (!stat.isFile()) return { ok: false, problem: "not-a-file", detail: "is not a regular file" };
  const header = Buffer.alloc(8);
  let bytesRead: number;
  try {
    const handle = await fs.open(file, "r");
    try {
      ({ bytesRead } = await handle.read(header, 0, 8, 0));
    } finally {
      await handle.close();
    }
  } catch (error) {
    return {
      ok: false,
      problem: "unreadable",
      detail: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
  if (bytesRead < 8) return { ok: false, problem: "too-short", detail: `only ${bytesRead} bytes` };
  if (header.toString("latin1", 0, 4) !== "GGUF") {
    return {
      ok: false,
      problem: "bad-magic",
      detail: `starts with ${describeBytes(header.subarray(0, 4))}, not "GGUF"`,
    };
  }
  const version = header.readUInt32LE(4);
  if (!(SUPPORTED_GGUF_VERSIONS as readonly number[]).includes(version)) {
    return {
      ok: false,
      problem: "bad-version",
      detail: `GGUF version ${version} (supported: ${SUPPORTED_GGUF_VERSIONS.join(", ")})`,
    };
  }
  return { ok: true, version, sizeBytes: stat.size };
}

/** Printable ASCII in quotes, anything else as hex. */
function describeBytes(bytes: Buffer): string {
  return /^[\x20-\x7e]+$/.test(bytes.toString("latin1"))
    ? `"${bytes.toString("latin1")}"`
    : `0x${bytes.toString("hex")}`;
}

/** 1536 → "1.5 KB", for messages. */
export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
