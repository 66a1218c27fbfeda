import path from "node:path";

/** The id /v1 reports for the loaded model: its GGUF file name without the extension (llama-server uses the file too). */
export function modelId(modelPath: string): string {
  return path.basename(modelPath).replace(/\.gguf$/i, "");
}
