/**
 * Checks an embedding model folder before the library sees it, so a broken model gives one clear line naming the file
 * instead of a library stack trace. Expected layout (transformers.js / Hugging Face ONNX export):
 *
 *   config.json  tokenizer.json  tokenizer_config.json  onnx/model.onnx and/or onnx/model_quantized.onnx
 */
import fs from "node:fs";
import path from "node:path";

/** ONNX file names relative to the model folder, by variant. */
const ONNX_FILES = { full: "onnx/model.onnx", quantized: "onnx/model_quantized.onnx" } as const;

/** A folder that passed the checks, and which ONNX variant to load. */
export interface EmbedModelFiles {
  dir: string;
  /** true → onnx/model_quantized.onnx, false → onnx/model.onnx. */
  quantized: boolean;
  onnxPath: string;
}

/** Result of {@link checkEmbedModelFiles}: the files to load, or why the folder cannot be used. */
export type EmbedModelFilesCheck = { ok: true; files: EmbedModelFiles } | { ok: false; reason: string };

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

/** Reads `file` as a JSON object; returns an error line naming the file when it is missing, unreadable or not an object. */
function readJsonObject(
  dir: string,
  file: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  const filePath = path.join(dir, file);
  let text: string;
  try {
    text = fs.readFileSync(filePath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason:
        code === "ENOENT"
          ? `${file} is missing in ${dir}`
          : `${file} cannot be read (${filePath}): ${firstLine((error as Error).message)}`,
    };
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { ok: false, reason: `${file} is corrupt (${filePath}): expected a JSON object` };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, reason: `${file} is corrupt (${filePath}): ${firstLine((error as Error).message)}` };
  }
}

function nonEmptyFile(filePath: string): boolean {
  try {
    const stat = fs.statSync(filePath);
    return stat.isFile() && stat.size > 0;
  } catch {
    return false;
  }
}

/**
 * Checks the folder. `quantized` forces an ONNX variant; by default onnx/model.onnx is preferred (the full-precision
 * graph) and onnx/model_quantized.onnx is used when it is the only one present.
 */
export function checkEmbedModelFiles(dir: string, quantized?: boolean): EmbedModelFilesCheck {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return { ok: false, reason: `embedding model folder ${dir} does not exist` };
  }
  if (!stat.isDirectory()) return { ok: false, reason: `embedding model path ${dir} is not a folder` };

  const config = readJsonObject(dir, "config.json");
  if (!config.ok) return config;
  if (typeof config.value.model_type !== "string") {
    return { ok: false, reason: `config.json is corrupt (${path.join(dir, "config.json")}): no "model_type" string` };
  }
  const tokenizer = readJsonObject(dir, "tokenizer.json");
  if (!tokenizer.ok) return tokenizer;
  const model = tokenizer.value.model;
  if (typeof model !== "object" || model === null || typeof (model as { type?: unknown }).type !== "string") {
    return { ok: false, reason: `tokenizer.json is corrupt (${path.join(dir, "tokenizer.json")}): no "model.type"` };
  }
  const tokenizerConfig = readJsonObject(dir, "tokenizer_config.json");
  if (!tokenizerConfig.ok) return tokenizerConfig;

  const full = path.join(dir, ONNX_FILES.full);
  const quant = path.join(dir, ONNX_FILES.quantized);
  if (quantized === true || quantized === false) {
    const file = quantized ? ONNX_FILES.quantized : ONNX_FILES.full;
    const onnxPath = quantized ? quant : full;
    if (!nonEmptyFile(onnxPath)) return { ok: false, reason: `${file} is missing or empty in ${dir}` };
    return { ok: true, files: { dir, quantized, onnxPath } };
  }
  if (nonEmptyFile(full)) return { ok: true, files: { dir, quantized: false, onnxPath: full } };
  if (nonEmptyFile(quant)) return { ok: true, files: { dir, quantized: true, onnxPath: quant } };
  return {
    ok: false,
    reason: `no ONNX model in ${dir}: neither ${ONNX_FILES.full} nor ${ONNX_FILES.quantized} exists (or they are empty)`,
  };
}
