/**
 * Repo-relative paths of the bundled models that `npm run models` generates: the core's defaults for GAIA_LITE_MODEL
 * and GAIA_EMBED_MODEL_DIR, the doctor's default --model, and where the generator writes. Changing the bundled model
 * means changing BUNDLED_LITE_MODEL_RELATIVE here.
 */

/** The bigram model: readable, meaningless answers that end with `<|im_end|>`. */
export const BUNDLED_BIGRAM_MODEL_RELATIVE = "models/bundled/gaia-lite-bigram.gguf";
/**
 * The scripted Qwen3-style model: qwen3 architecture and chat template, writes a `<think>` block before every answer
 * (for tests of reasoning handling; node-llama-cpp serves it with its Qwen chat wrapper).
 */
export const BUNDLED_QWEN3_THINK_MODEL_RELATIVE = "models/bundled/gaia-qwen3-think.gguf";
/** The scripted Qwen3-style tool caller: as the think model, then opens a `<tool_call>` in every answer (tool tests). */
export const BUNDLED_QWEN3_TOOLS_MODEL_RELATIVE = "models/bundled/gaia-qwen3-tools.gguf";
/** The random-weight test fixture: gibberish that practically never ends by itself before max_tokens. */
export const BUNDLED_TINY_MODEL_RELATIVE = "models/bundled/gaia-lite-tiny.gguf";
/** The model the core serves by default. */
export const BUNDLED_LITE_MODEL_RELATIVE = BUNDLED_BIGRAM_MODEL_RELATIVE;
export const BUNDLED_EMBED_DIR_RELATIVE = "models/bundled/embed-fixture";
