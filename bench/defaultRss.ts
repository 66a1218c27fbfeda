import fs from "node:fs";
import { benchPacket, benchText } from "./benchPacket.js";
import { CoreProcess } from "./CoreProcess.js";
import { postTimedTurn, type TimedTurn } from "./ndjsonTurn.js";

function check(turn: TimedTurn, what: string): TimedTurn {
  if (turn.status !== 200 || turn.error) throw new Error(`${what}: ${turn.error ?? `HTTP ${turn.status}`}`);
  return turn;
}

/** Peak RSS of a service started with the default GAIA_PARALLEL and GAIA_CONTEXT_SIZE, after a few turns. */
export async function measureDefaultRss(
  modelPath: string,
  threads: number,
  decodeTokens: number,
): Promise<{ peakRssBytes: number | null; parallel: number; contextSize: number | null }> {
  const core = await CoreProcess.start({
    entry: "dist/services/core/main.js",
    env: { GAIA_LITE_MODEL: modelPath, GAIA_THREADS: String(threads) },
  });
  try {
    const health = await core.health();
    const turns = await Promise.all(
      [0, 1].map((i) =>
        postTimedTurn(
          core.url,
          benchPacket({
            sessionId: `rss-${i}`,
            packetId: `rss-${i}`,
            prompt: benchText(96, i),
            maxTokens: decodeTokens,
          }),
        ),
      ),
    );
    for (const t of turns) check(t, "rss turn");
    const status = (await (await fetch(`${core.url}/status`)).json()) as { queue?: { slots?: number } };
    return {
      peakRssBytes: core.peakRssBytes(),
      parallel: status.queue?.slots ?? 0,
      contextSize: (health.model as { context_size?: number | null } | undefined)?.context_size ?? null,
    };
  } finally {
    await core.stop();
  }
}

/** Size of a file in bytes (the model), or null. */
export function fileBytes(file: string): number | null {
  try {
    return fs.statSync(file).size;
  } catch {
    return null;
  }
}
