/**
 * `npm run models -- pull <ref>`: fetches a model by reference (`hf:<user>/<repo>[:<quant>]`, `https://…gguf`) into the
 * model cache ahead of time, exactly as a core does at start (same cache, lock, verification), so the core then starts
 * without downloading. Progress on stderr; one result line on stdout.
 */
import path from "node:path";
import { parseEnv } from "../../shared/config/env.js";
import { defaultModelCacheDir, ModelCacheEnvSchema } from "../../shared/config/modelCache.js";
import { fetchModel, type ModelFetchProgress } from "../../shared/models/fetchModel.js";
import { parseModelReference } from "../../shared/models/modelReference.js";

/** A bad `pull` command line: the caller prints it with the usage and exits 2. */
export class PullUsageError extends Error {}

function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

/** One stderr line per phase change and per tenth of the download. */
function progressPrinter(): (p: ModelFetchProgress) => void {
  let last = "";
  return (p) => {
    const tenth = p.bytesTotal ? Math.floor((p.bytesDone / p.bytesTotal) * 10) : null;
    if (`${p.phase}:${tenth}` === last) return;
    last = `${p.phase}:${tenth}`;
    const bytes = p.bytesTotal
      ? ` ${tenth === null ? "" : `${tenth * 10}% `}(${megabytes(p.bytesDone)} of ${megabytes(p.bytesTotal)})`
      : "";
    const what = p.phase === "waiting_for_peer" ? "waiting for another download of it" : p.phase;
    process.stderr.write(`pull: ${what}${bytes}\n`);
  };
}

/** Runs `pull <ref>`; resolves with the line to print. */
export async function pullModel(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const [uri, ...extra] = args;
  if (!uri || extra.length > 0) throw new PullUsageError("pull takes one model reference");
  if (parseModelReference(uri).kind !== "remote")
    throw new PullUsageError(`"${uri}" is not a model reference (hf:<user>/<repo>[:<quant>] or https://…gguf)`);
  const settings = parseEnv(ModelCacheEnvSchema, env);
  const cacheDir = path.resolve(settings.GAIA_MODEL_CACHE ?? defaultModelCacheDir(env));
  const fetched = await fetchModel({
    uri,
    cacheDir,
    huggingFaceEndpoint: settings.GAIA_HF_ENDPOINT ?? null,
    onProgress: progressPrinter(),
  });
  return fetched.downloaded
    ? `model: downloaded ${uri} → ${fetched.path}`
    : `model: ${uri} already in the cache (${fetched.path})`;
}
