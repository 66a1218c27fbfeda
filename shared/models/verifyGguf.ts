import fs from "node:fs";
import { GgufInsights, readGgufFileInfo } from "node-llama-cpp";
import { readGgufHeader } from "../gguf/ggufHeader.js";

/**
 * Why a downloaded file is not the complete GGUF it should be, or null when it is: the magic and version, the size the
 * server announced, and the size its own header implies (metadata and tensor info, then every tensor's data). A file
 * that is cut short, an HTML error page or a mirror's half-copied file never reaches llama.cpp.
 */
export async function ggufProblem(file: string, announcedBytes: number | null): Promise<string | null> {
  const header = readGgufHeader(file);
  if (!header.ok) return `the file ${header.detail}`;
  const bytes = fs.statSync(file).size;
  if (announcedBytes !== null && announcedBytes > 0 && bytes !== announcedBytes)
    return `it has ${bytes} bytes but the server announced ${announcedBytes}`;
  let needed: number;
  try {
    const info = await readGgufFileInfo(file, {
      logWarnings: false,
      sourceType: "filesystem",
      spliceSplitFiles: false,
    });
    needed = (info.infoEndOffset ?? 0) + (await GgufInsights.from(info)).modelSize;
  } catch (error) {
    return `its GGUF header cannot be read (${(error as Error).message})`;
  }
  return bytes < needed ? `it has ${bytes} bytes but its GGUF header declares ${needed} (the file is cut short)` : null;
}
