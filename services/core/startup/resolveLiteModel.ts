import type { Logger } from "../../../shared/logging/logger.js";
import { fetchModel, type ModelFetchProgress } from "../../../shared/models/fetchModel.js";
import type { CoreState } from "../CoreState.js";
import type { CoreConfig } from "../config.js";

/** Progress lines in the log: one per phase change and per tenth of the download. */
function progressLogger(logger: Logger): (progress: ModelFetchProgress) => void {
  let last = "";
  return (p) => {
    const percent = p.bytesTotal ? Math.floor((p.bytesDone / p.bytesTotal) * 10) * 10 : null;
    const step = `${p.phase}:${percent}`;
    if (step === last) return;
    last = step;
    logger.info(
      { model: p.uri, phase: p.phase, bytes_done: p.bytesDone, bytes_total: p.bytesTotal, percent },
      p.phase === "waiting_for_peer" ? "waiting for the other core's download of the model" : `model ${p.phase}`,
    );
  };
}

/**
 * The GGUF file to load: GAIA_LITE_MODEL itself, or, for a reference (`hf:…`, `https://…`), the file in the model
 * cache, fetched first when missing. Progress goes to the log and to /health (the core is `loading` meanwhile).
 */
export async function resolveLiteModel(
  config: CoreConfig,
  logger: Logger,
  state: CoreState,
  signal: AbortSignal,
): Promise<string> {
  if (config.liteModel.kind === "file") return config.liteModel.path;
  const log = progressLogger(logger);
  const fetched = await fetchModel({
    uri: config.liteModel.uri,
    cacheDir: config.modelCacheDir,
    huggingFaceEndpoint: config.huggingFaceEndpoint,
    signal,
    onProgress: (progress) => {
      state.download = progress;
      log(progress);
    },
  });
  state.download = null;
  state.modelFile = fetched.path;
  logger.info(
    { model: config.liteModel.uri, file: fetched.path },
    fetched.downloaded ? "model downloaded and verified" : "model found in the cache",
  );
  return fetched.path;
}
