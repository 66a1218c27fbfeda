// The peer table's cold turn with both servers up at once, one turn to each in turn (the order alternating), so a
// machine whose speed drifts from minute to minute slows both alike: the bench runs one server after the other, and on
// a noisy machine its single rows then compare two different minutes. Prints each turn, then the medians of decode
// tok/s and time to first token and the median of the per-pair ratios (gaia-core ÷ llama-server). Pinned as the bench
// pins (zen4 on an AMX CPU, where llama-server's sapphirerapids build dies; nothing elsewhere). Needs the bench's
// llama-server build (`npm run bench` once).
//   node dist/bench/probes/interleavedPeer.js --threads 1 --pairs 10 [--words 60 --tokens 64]
import path from "node:path";
import { parseArgs } from "node:util";
import { benchText } from "../benchPacket.js";
import { ensureLlamaCppTools } from "../llamaCppTools.js";
import { decodeTokensPerSecond, ttftMs } from "../ndjsonTurn.js";
import { planPeerPins } from "../peerPins.js";
import { GaiaTarget, LlamaServerTarget, type PeerServerSettings } from "../peerTargets.js";

const { values } = parseArgs({
  strict: true,
  options: {
    threads: { type: "string", default: "1" },
    pairs: { type: "string", default: "10" },
    // the bench's cold turn is 60 words (~290 tokens); its long prompt is 780 (~2,000 tokens)
    words: { type: "string", default: "60" },
    tokens: { type: "string", default: "64" },
    model: { type: "string", default: "models/bundled/gaia-lite-mid.gguf" },
  },
});
const server = (await ensureLlamaCppTools(["llama-server"], { build: false }))["llama-server"];
if (!server.ok) throw new Error(`llama-server not available: ${server.reason}`);
const pins = planPeerPins(undefined, server.path, process.cwd());
console.log(pins.summary);
const settings = (hideVariantFiles: string[]): PeerServerSettings => ({
  modelPath: path.resolve(values.model),
  threads: Number(values.threads),
  parallel: 1,
  contextSize: 4096,
  batchSize: 512,
  hideVariantFiles,
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
const gaia = await GaiaTarget.start(settings(pins.hide.gaia));
const peer = await LlamaServerTarget.start(server.path, settings(pins.hide.llamaServer));
const decode = { "gaia-core": [] as number[], "llama-server": [] as number[] };
const ttft = { "gaia-core": [] as number[], "llama-server": [] as number[] };
try {
  for (let i = 0; i < Number(values.pairs); i++) {
    for (const target of i % 2 === 0 ? [gaia, peer] : [peer, gaia]) {
      const turn = await target.streamTurn({
        sessionId: `il-${i}-${target.name}`,
        packetId: `il-${i}-${target.name}`,
        // a persona of the pair's own: both sides evaluate the whole prompt, as the bench's cold turn does
        personaId: `il-persona-${i}`,
        prompt: benchText(Number(values.words), 50 + i),
        maxTokens: Number(values.tokens),
      });
      const tokPerS = decodeTokensPerSecond(turn) ?? Number.NaN;
      const first = ttftMs(turn) ?? Number.NaN;
      decode[target.name].push(tokPerS);
      ttft[target.name].push(first);
      console.log(`${i} ${target.name}: decode ${tokPerS.toFixed(1)} tok/s, ttft ${first.toFixed(0)} ms`);
      // gaia-core prepares a session's next turn once idle; let that finish before the other side is timed
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
} finally {
  await gaia.stop();
  await peer.stop();
}
const ratios = (of: typeof decode) => of["gaia-core"].map((g, i) => g / (of["llama-server"][i] ?? Number.NaN));
console.log(
  JSON.stringify({
    threads: Number(values.threads),
    decodeTokensPerSecond: { gaia: median(decode["gaia-core"]), llamaServer: median(decode["llama-server"]) },
    decodeMedianPairRatio: median(ratios(decode)),
    ttftMs: { gaia: median(ttft["gaia-core"]), llamaServer: median(ttft["llama-server"]) },
    ttftMedianPairRatio: median(ratios(ttft)),
  }),
);
