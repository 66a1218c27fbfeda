import path from "node:path";

/** What GAIA_LITE_MODEL names: a local GGUF file, or a model node-llama-cpp's resolver fetches into the cache. */
export type ModelReference = { kind: "file"; path: string } | { kind: "remote"; uri: string };

/**
 * The forms node-llama-cpp's resolver takes for a model on Hugging Face (`hf:user/repo[:quant]`,
 * `hf:user/repo/file.gguf[#branch]`, `hf://…`, `huggingface:…`, `hf.co/…`, `huggingface.co/…`), and plain URLs
 * (`https://…gguf`, or `http://` for a mirror on the operator's own network).
 */
const REMOTE_PREFIXES = /^(hf:|hf:\/\/|huggingface:|hf\.co\/|huggingface\.co\/|https?:\/\/)/i;

/** Classifies a GAIA_LITE_MODEL value; a file path is resolved against the working directory. */
export function parseModelReference(value: string): ModelReference {
  const trimmed = value.trim();
  return REMOTE_PREFIXES.test(trimmed)
    ? { kind: "remote", uri: trimmed }
    : { kind: "file", path: path.resolve(trimmed) };
}
