import fs from "node:fs";

/** GGUF versions llama.cpp (and so node-llama-cpp) loads. */
export const SUPPORTED_GGUF_VERSIONS: readonly number[] = [2, 3];

/** Each way a would-be model file is not a loadable GGUF, as the doctor and the core's start-up check name it. */
export type GgufHeaderProblem = "missing" | "not-a-file" | "unreadable" | "too-short" | "bad-magic" | "bad-version";

/** What the first 8 bytes of a would-be GGUF file say. */
export type GgufHeaderReport =
  | { ok: true; version: number; sizeBytes: number }
  | {
      ok: false;
      problem: GgufHeaderProblem;
      /** Says what is wrong with the file, to follow its name: "does not exist", `starts with "<htm", not "GGUF"`. */
      detail: string;
      /** The errno code when the file system refused (ENOENT, EACCES…). */
      code?: string;
    };

/**
 * Reads the magic ("GGUF") and the little-endian uint32 version of a model file. Cheap (8 bytes, synchronous), and
 * catches the usual deployment faults before llama.cpp sees the file: missing, a directory, unreadable, an HTML error
 * page or truncated download, an old GGML file or an unsupported version. The doctor and the core's start-up check
 * both use it, so the core refuses at start exactly what the doctor reports.
 */
export function readGgufHeader(file: string): GgufHeaderReport {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    const code = errnoCode(error);
    return code === "ENOENT"
      ? { ok: false, problem: "missing", detail: "does not exist", code }
      : { ok: false, problem: "unreadable", detail: `cannot be looked at (${code ?? message(error)})`, code };
  }
  if (stat.isDirectory()) return { ok: false, problem: "not-a-file", detail: "is a directory, not a GGUF file" };
  if (!stat.isFile()) return { ok: false, problem: "not-a-file", detail: "is not a regular file" };
  const header = Buffer.alloc(8);
  let bytesRead: number;
  try {
    const fd = fs.openSync(file, "r");
    try {
      bytesRead = fs.readSync(fd, header, 0, 8, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    const code = errnoCode(error);
    return { ok: false, problem: "unreadable", detail: `cannot be read (${code ?? message(error)})`, code };
  }
  if (bytesRead < 8) return { ok: false, problem: "too-short", detail: `has only ${bytesRead} bytes` };
  if (header.toString("latin1", 0, 4) !== "GGUF") {
    return {
      ok: false,
      problem: "bad-magic",
      detail: `starts with ${describeBytes(header.subarray(0, 4))}, not "GGUF"`,
    };
  }
  const version = header.readUInt32LE(4);
  if (!SUPPORTED_GGUF_VERSIONS.includes(version)) {
    return {
      ok: false,
      problem: "bad-version",
      detail: `is GGUF version ${version} (supported: ${SUPPORTED_GGUF_VERSIONS.join(", ")})`,
    };
  }
  return { ok: true, version, sizeBytes: stat.size };
}

/** True for the problems that mean "a file is there, but it is not a GGUF llama.cpp loads". */
export function isInvalidGguf(problem: GgufHeaderProblem): boolean {
  return problem === "too-short" || problem === "bad-magic" || problem === "bad-version";
}

/** Printable ASCII in quotes, anything else as hex. */
function describeBytes(bytes: Buffer): string {
  return /^[\x20-\x7e]+$/.test(bytes.toString("latin1"))
    ? JSON.stringify(bytes.toString("latin1"))
    : `0x${bytes.toString("hex")}`;
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
