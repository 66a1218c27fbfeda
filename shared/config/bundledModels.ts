/**
 * Repo-relative paths of the bundled models that `npm run models` generates: the core's defaults for GAIA_LITE_MODEL
 * and GAIA_EMBED_MODEL_DIR, the doctor's default --model, and where the generator writes. Changing the bundled model
 * means changing it here.
 */
export const BUNDLED_LITE_MODEL_RELATIVE = "models/bundled/gaia-lite-tiny.gguf";
export const BUNDLED_EMBED_DIR_RELATIVE = "models/bundled/embed-fixture";
