import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { envUrl } from "./env.js";

/**
 * Where models fetched by reference (`hf:…`, `https://…gguf`) are kept when GAIA_MODEL_CACHE is unset: the user's cache
 * dir (`$XDG_CACHE_HOME/gaia-core/models`, else `~/.cache/gaia-core/models`), so two local cores and
 * `npm run models -- pull` share one copy. Containers set GAIA_MODEL_CACHE to a volume both cores mount.
 */
export function defaultModelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME?.trim() || path.join(os.homedir(), ".cache");
  return path.join(base, "gaia-core", "models");
}

/** The model cache's settings, read by the core and by `npm run models -- pull` alike. */
export const ModelCacheEnvSchema = z.object({
  /** Folder of models fetched by reference; shared by the pair (a volume both cores mount). */
  GAIA_MODEL_CACHE: z.string().optional(),
  /** The Hugging Face endpoint `hf:` references resolve against (a mirror); node-llama-cpp's HF_ENDPOINT also works. */
  GAIA_HF_ENDPOINT: envUrl.optional(),
});
