import { type DoctorContext, forEachCoreHealth } from "../context.js";
import type { CheckResult } from "../result.js";

/**
 * Which history mode each core runs in. Full-history mode still answers (embedding is optional) but is what the
 * original's candidate silently fell into when its embedding model failed to load (docs/original-gaia.md), so it is
 * worth a warning.
 */
export function checkEmbedding(ctx: DoctorContext): CheckResult[] {
  const out: CheckResult[] = [];
  forEachCoreHealth(ctx, "embedding", "history-mode", (health, r) => {
    switch (health.history_mode) {
      case "semantic":
        out.push(r("pass", "semantic history (embedding model loaded)"));
        break;
      case "full":
        out.push(
          r(
            "warn",
            `full-history mode: ${health.history_mode_reason ?? "no reason given"}`,
            "point GAIA_EMBED_MODEL_DIR at a working model folder (npm run models makes models/bundled/embed-fixture), then restart that core when it is idle",
          ),
        );
        break;
      case undefined:
        if (health.status === "ready") out.push(r("warn", "does not report history_mode in /health"));
        break;
      default:
        out.push(r("warn", `reports an unknown history_mode "${health.history_mode}"`));
    }
  });
  return out;
}
