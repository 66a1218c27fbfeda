// Where the time of the bench's "4 concurrent new sessions" row goes, per session and per side: the same warm-up and
// rounds as the peer table (same persona, new sessions, back to back), printing each session's time to first token,
// its decode interval (first to last token over the tokens between) and when it finished, and for gaia-core the
// packet's slot wait and engine time to first token. Pinned as the bench pins (zen4 on an AMX CPU). A lower aggregate
// is then either a later first token (prompt evaluation, queueing) or a slower step (decode, sampling, JS per token).
//   node dist/bench/probes/concurrentTimeline.js --threads 1 --rounds 3 [--side gaia|llama|both]
import path from "node:path";
import { parseArgs } from "node:util";
import { benchText } from "../benchPacket.js";
import { ensureLlamaCppTools } from "../llamaCppTools.js";
import { ttftMs } from "../ndjsonTurn.js";
import { concurrentPromptSalt, warmConcurrentSlots } from "../peerBench.js";
import { planPeerPins } from "../peerPins.js";
import { GaiaTarget, LlamaServerTarget, type PeerServerSettings, type PeerTarget } from "../peerTargets.js";

const { values } = parseArgs({
  strict: true,
  options: {
    threads: { type: "string", default: "1" },
    rounds: { type: "string", default: "3" },
    sessions: { type: "string", default: "4" },
    tokens: { type: "string", default: "64" },
    side: { type: "string", default: "both" },
    model: { type: "string", default: "models/bundled/gaia-lite-mid.gguf" },
  },
});
const root = process.cwd();
const sessions = Number(values.sessions);
const tools = await ensureLlamaCppTools(["llama-server"], { build: false });
const server = tools["llama-server"];
const pins = planPeerPins(undefined, server.ok ? server.path : null, root);
console.log(pins.summary);
const settings = (hide: string[]): PeerServerSettings => ({
  modelPath: path.resolve(values.model),
  threads: Number(values.threads),
  parallel: 4,
  contextSize: 4096,
  batchSize: 512,
  hideVariantFiles: hide,
});

async function rounds(target: PeerTarget): Promise<void> {
  const tag = `tl-${Date.now()}`;
  await warmConcurrentSlots(target, tag);
  await new Promise((r) => setTimeout(r, 1500));
  for (let rep = 0; rep < Number(values.rounds); rep++) {
    const started = performance.now();
    const turns = await Promise.all(
      Array.from({ length: sessions }, (_, i) =>
        target.streamTurn({
          sessionId: `${tag}-c-${rep}-${i}`,
          packetId: `${tag}-c-${rep}-${i}`,
          personaId: `${tag}-conc`,
          prompt: benchText(8, concurrentPromptSalt(sessions, rep, i)),
          maxTokens: Number(values.tokens),
        }),
      ),
    );
    const wall = Math.max(...turns.map((t) => t.doneAt)) - started;
    const tokens = turns.reduce((s, t) => s + t.completionTokens, 0);
    console.log(
      `${target.name} round ${rep}: ${tokens} tokens in ${wall.toFixed(0)} ms = ${(tokens / (wall / 1000)).toFixed(1)} tok/s`,
    );
    for (const [i, t] of turns.entries()) {
      const step =
        t.firstTokenAt !== null && t.lastTokenAt !== null && t.completionTokens > 1
          ? (t.lastTokenAt - t.firstTokenAt) / (t.completionTokens - 1)
          : Number.NaN;
      const extra = t.queuedMs === undefined ? "" : ` queued ${t.queuedMs} engine ${t.engineTtftMs}`;
      console.log(
        `  s${i}: sent +${(t.sentAt - started).toFixed(1)} ttft ${ttftMs(t)?.toFixed(0)} step ${step.toFixed(1)} ms done +${(t.doneAt - started).toFixed(0)} prompt ${t.promptTokens} cached ${t.kvReusedTokens} tokens ${t.completionTokens}${extra}`,
      );
    }
  }
}

if (values.side !== "llama") {
  const gaia = await GaiaTarget.start(settings(pins.hide.gaia));
  try {
    await rounds(gaia);
  } finally {
    await gaia.stop();
  }
}
if (values.side !== "gaia" && server.ok) {
  const peer = await LlamaServerTarget.start(server.path, settings(pins.hide.llamaServer));
  try {
    await rounds(peer);
  } finally {
    await peer.stop();
  }
}
