// `npm run bench`: gaia-core measured in ONE run against llama.cpp's own llama-server (the server a user would run
// instead: same GGUF, threads, context, slots, messages and sampler, one server at a time), plus node-llama-cpp called
// directly and llama-bench for the engine's raw speed, and the service's own overhead with a stub engine. Prints the
// peer table (gaia-core, llama-server, ratio, target, PASS/MISS) and the detail table, and writes
// bench/results/bench.json. Never fails on a missed target: it reports (exit 0); exit 2 only for bad flags.
//
// Both sides of the peer table are pinned to one ggml CPU variant (--cpu-variant; on an AMX CPU zen4 by default) and
// every row says which variant each side ran; a row whose sides differ is "not comparable", never PASS/MISS.
//
//   node dist/bench/main.js [--model <gguf>] [--threads <n> (default: the service default, defaultThreads())] [--quick]
//     [--peer-only] [--peer-threads 1,2] [--cpu-variant <name>|none] [--no-build] [--out <json>]
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { getLlama, readGgufFileInfo } from "node-llama-cpp";
import { defaultThreads, physicalCores } from "../services/core/config.js";
import { BUNDLED_EMBED_DIR_RELATIVE } from "../shared/config/bundledModels.js";
import { repoRoot } from "../shared/config/repoRoot.js";
import { type BenchRow, renderTable, targetRow } from "./BenchTable.js";
import { fileBytes, measureDefaultRss } from "./defaultRss.js";
import { type DirectResult, measureDirectPinned } from "./directBench.js";
import { type LlamaBenchEntry, runLlamaBench } from "./llamaBench.js";
import { ensureLlamaCppTools, type ToolBinary } from "./llamaCppTools.js";
import { measureOverhead, type OverheadResult } from "./overheadBench.js";
import { peerBufferLines, peerRows, renderPeerTable } from "./PeerTable.js";
import { measurePeers, type PeerRun } from "./peerBench.js";
import { planPeerPins } from "./peerPins.js";
import { ratio } from "./stats.js";
import { measureStoreOverhead, type StoreOverheadResult, storeOverheadRows } from "./storeOverheadBench.js";

const USAGE =
  "usage: bench [--model <gguf>] [--threads <n>] [--quick] [--peer-only] [--peer-threads 1,2] [--cpu-variant <name>|none] [--no-build] [--out <file.json>]";
const MB = 1024 * 1024;
const root = repoRoot();
/** The peer table is measured at these thread counts whatever --threads says (--peer-threads 1 to iterate faster). */
const PEER_THREADS = [1, 2];

interface BenchOptions {
  modelPath: string;
  threads: number;
  quick: boolean;
  /** Only the gaia-core vs llama-server table (for iterating on it). */
  peerOnly: boolean;
  peerThreads: number[];
  /** The ggml CPU variant both peer sides are pinned to; "none": no pin; undefined: the machine's default. */
  cpuVariant: string | undefined;
  /** Build llama-bench and llama-server once when they are missing from the cache. */
  buildTools: boolean;
  out: string;
}

function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      threads: { type: "string" },
      quick: { type: "boolean", default: false },
      "peer-only": { type: "boolean", default: false },
      "peer-threads": { type: "string" },
      "cpu-variant": { type: "string" },
      "no-build": { type: "boolean", default: false },
      "no-build-llama-bench": { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const threads = values.threads === undefined ? defaultThreads() : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`--threads must be a positive integer, got "${values.threads}"`);
  if (values["peer-threads"] !== undefined && !/^\d+(,\d+)*$/.test(values["peer-threads"]))
    throw new Error(`--peer-threads must be a comma-separated list of thread counts, got "${values["peer-threads"]}"`);
  const cpuVariant = values["cpu-variant"];
  if (cpuVariant !== undefined && !/^[A-Za-z0-9_]+$/.test(cpuVariant))
    throw new Error(`--cpu-variant must name a ggml CPU variant (zen4, haswell, …) or none, got "${cpuVariant}"`);
  return {
    cpuVariant,
    modelPath: path.resolve(values.model ?? path.join(root, "models/bundled/gaia-lite-mid.gguf")),
    threads,
    quick: values.quick,
    peerOnly: values["peer-only"],
    peerThreads: values["peer-threads"] === undefined ? PEER_THREADS : values["peer-threads"].split(",").map(Number),
    buildTools: !values["no-build"] && !values["no-build-llama-bench"],
    out: path.resolve(values.out ?? path.join(root, "bench/results/bench.json")),
  };
}

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** The default bench model is a synthetic Qwen2.5-0.5B-shaped Q8_0 GGUF, generated once (~0.5 GB, seconds). */
function ensureDefaultModel(modelPath: string): void {
  if (fs.existsSync(modelPath)) return;
  const defaultPath = path.join(root, "models/bundled/gaia-lite-mid.gguf");
  if (modelPath !== defaultPath) throw new Error(`model not found: ${modelPath}`);
  say("generating the benchmark model (preset mid, ~0.5 GB) once");
  execFileSync(
    process.execPath,
    [path.join(root, "dist/models/scripts/ensureModels.js"), "--preset", "mid", "--out", modelPath],
    { stdio: "inherit" },
  );
}

/** Runs a part of the bench; a failure is recorded and the bench goes on. */
async function attempt<T>(what: string, errors: string[], task: () => Promise<T>): Promise<T | null> {
  try {
    return await task();
  } catch (error) {
    const message = `${what}: ${(error as Error).message.split("\n")[0]}`;
    errors.push(message);
    say(`FAILED ${message}`);
    return null;
  }
}

interface Measured {
  options: BenchOptions;
  compareThreads: number[];
  modelBytes: number | null;
  /** f16 KV-cache bytes per context cell (token), from the GGUF's shape. */
  modelKv: number | null;
  overhead: OverheadResult | null;
  overheadSemantic: OverheadResult | null;
  storeOverhead: StoreOverheadResult | null;
  direct: DirectResult | null;
  tools: Record<"llama-bench" | "llama-server", ToolBinary>;
  llamaBench: LlamaBenchEntry[] | null;
  defaultRss: Awaited<ReturnType<typeof measureDefaultRss>> | null;
  settings: Record<string, number>;
  /** The variant llama-bench and the direct measurement were pinned to, or null. */
  pinnedVariant: string | null;
}

function buildRows(m: Measured): BenchRow[] {
  const { options, direct, llamaBench, overhead } = m;
  const T = options.threads;
  const rows: BenchRow[] = [];
  const info = (section: string, metric: string, value: number | null, unit: string, note?: string): BenchRow => ({
    section,
    metric,
    value,
    unit,
    ...(note ? { note } : {}),
  });
  const lb = (threads: number, kind: "pp" | "tg") =>
    llamaBench?.find(
      (e) => e.threads === threads && (kind === "pp" ? e.nPrompt > 0 && e.nGen === 0 : e.nGen > 0 && e.nPrompt === 0),
    )?.tokensPerSecond ?? null;
  const directAt = (threads: number) => direct?.runs.find((r) => r.threads === threads) ?? null;
  const lbNote = m.tools["llama-bench"].ok ? undefined : `llama-bench unavailable: ${m.tools["llama-bench"].reason}`;

  // model
  const modelSection = `model ${path.basename(options.modelPath)} (${m.modelBytes === null ? "?" : (m.modelBytes / MB).toFixed(0)} MB)`;
  rows.push(info(modelSection, "load, node-llama-cpp direct (loadModel)", direct?.loadModelMs ?? null, "ms"));
  rows.push(info(modelSection, "context creation, direct", direct?.createContextMs ?? null, "ms"));

  // the engine's raw speed at the service's thread count (what the peer table's rows are bounded by)
  const tput = `engine throughput, threads=${T} (pp${m.settings.promptTokens}/tg${m.settings.decodeTokens})`;
  const pinned = m.pinnedVariant
    ? `both pinned to ${m.pinnedVariant}; node-llama-cpp ran ${direct?.variant ?? "?"}`
    : "not pinned";
  rows.push(info(tput, "CPU variant", null, "", pinned));
  rows.push(info(tput, "prompt tok/s, llama-bench", lb(T, "pp"), "tok/s", lbNote));
  rows.push(info(tput, "prompt tok/s, node-llama-cpp direct", directAt(T)?.promptTokensPerSecond ?? null, "tok/s"));
  rows.push(info(tput, "decode tok/s, llama-bench", lb(T, "tg"), "tok/s", lbNote));
  rows.push(info(tput, "decode tok/s, direct, greedy", directAt(T)?.decodeGreedyTokensPerSecond ?? null, "tok/s"));
  rows.push(
    info(
      tput,
      "decode tok/s, direct, service sampler (T 0.8, top-k/min-p/top-p)",
      directAt(T)?.decodeSampledTokensPerSecond ?? null,
      "tok/s",
    ),
  );
  rows.push({
    ...info(tput, "decode: direct greedy / llama-bench", null, ""),
    ratio: ratio(directAt(T)?.decodeGreedyTokensPerSecond, lb(T, "tg")),
  });

  // service overhead
  const oh = `service overhead without a model (stub engine, ${overhead?.packets ?? "?"} packets over HTTP, one at a time)`;
  rows.push(
    targetRow(
      { section: oh, metric: "per packet p50 (full-history mode)", value: overhead?.p50Ms ?? null, unit: "ms" },
      overhead?.p50Ms ?? null,
      "<=",
      2,
      "≤ 2 ms",
    ),
  );
  rows.push(info(oh, "per packet p95", overhead?.p95Ms ?? null, "ms"));
  rows.push(info(oh, "per packet p99", overhead?.p99Ms ?? null, "ms"));
  rows.push(info(oh, "HTTP + client floor (GET /health p50, same client)", overhead?.httpFloorP50Ms ?? null, "ms"));
  rows.push(info(oh, "per packet p50, NDJSON", overhead?.ndjsonP50Ms ?? null, "ms"));
  rows.push(
    info(
      oh,
      "per packet p50, semantic mode (embedding fixture)",
      m.overheadSemantic?.p50Ms ?? null,
      "ms",
      m.overheadSemantic ? `history_mode=${m.overheadSemantic.historyMode}` : undefined,
    ),
  );
  rows.push(...storeOverheadRows(m.storeOverhead));

  // memory
  const mem = "memory (peak RSS = VmHWM of the service process)";
  const limit = m.modelBytes === null ? null : m.modelBytes + 300 * MB;
  const limitText = limit === null ? "≤ model + 300 MB" : `≤ ${(limit / MB).toFixed(0)} MB (model + 300)`;
  const kvMb = (cells: number | null) =>
    m.modelKv === null || cells === null ? null : Math.round((m.modelKv * cells) / MB);
  const memoryRow = (metric: string, rss: number | null, cells: number | null) => {
    const kv = kvMb(cells);
    return targetRow(
      {
        section: mem,
        metric,
        value: rss === null ? null : rss / MB,
        unit: "MB",
        ...(kv === null ? {} : { note: `f16 KV cache ≈ ${kv} MB of it` }),
      },
      ratio(rss, limit),
      "<=",
      1,
      limitText,
    );
  };
  const d = m.defaultRss;
  rows.push(
    memoryRow(
      `defaults (GAIA_PARALLEL=${d?.parallel ?? "?"} × ctx ${d?.contextSize ?? "?"})`,
      d?.peakRssBytes ?? null,
      d?.contextSize && d.parallel ? d.contextSize * d.parallel : null,
    ),
  );

  // threads
  const th = `threads 1 vs 2 (service default: defaultThreads() = ${defaultThreads()}; physical cores ${physicalCores()})`;
  for (const t of m.compareThreads) {
    rows.push(
      info(th, `decode tok/s greedy, direct, threads=${t}`, directAt(t)?.decodeGreedyTokensPerSecond ?? null, "tok/s"),
    );
    rows.push(info(th, `decode tok/s, llama-bench, threads=${t}`, lb(t, "tg"), "tok/s", lbNote));
    rows.push(info(th, `prompt tok/s, direct, threads=${t}`, directAt(t)?.promptTokensPerSecond ?? null, "tok/s"));
    rows.push(
      info(
        th,
        `decode tok/s greedy, direct, threads=${t}, one core busy elsewhere`,
        directAt(t)?.decodeGreedyContendedTokensPerSecond ?? null,
        "tok/s",
      ),
    );
  }
  return rows;
}

/** Threads 1 vs 2 side by side (direct node-llama-cpp): decode, prompt, and decode with one core busy elsewhere. */
function threadSummary(m: Measured): string | null {
  const one = m.direct?.runs.find((r) => r.threads === 1);
  const two = m.direct?.runs.find((r) => r.threads === 2);
  if (!one || !two) return null;
  const x = (a: number | null, b: number | null) =>
    a === null || b === null || b === 0 ? "?" : `${(a / b).toFixed(2)}×`;
  return (
    `threads=2 vs threads=1 (direct): decode ${x(two.decodeGreedyTokensPerSecond, one.decodeGreedyTokensPerSecond)}, ` +
    `prompt ${x(two.promptTokensPerSecond, one.promptTokensPerSecond)}, decode with one core busy elsewhere ` +
    `${x(two.decodeGreedyContendedTokensPerSecond, one.decodeGreedyContendedTokensPerSecond)}; service default defaultThreads() = ${defaultThreads()}`
  );
}

async function main(): Promise<void> {
  let options: BenchOptions | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (!options) {
    console.log(USAGE);
    return;
  }
  const errors: string[] = [];
  const loadAtStart = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  const quick = options.quick;
  const settings = {
    promptTokens: 256,
    decodeTokens: quick ? 32 : 64,
    repetitions: quick ? 1 : 3,
    parallel: 4,
    contextSize: 4096,
    batchSize: 512,
    overheadPackets: quick ? 150 : 500,
    promptWords: 56,
    longPromptWords: 780,
    followUpWords: 24,
    roundTrips: quick ? 4 : 8,
    readingPauseMs: 1500,
  };
  const compareThreads = [...new Set([options.threads, 1, 2])];
  say(`model ${options.modelPath}, threads ${options.threads}${quick ? ", quick" : ""}`);
  try {
    ensureDefaultModel(options.modelPath);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message.split("\n")[0]}\n`);
    process.exitCode = 2;
    return;
  }
  const modelBytes = fileBytes(options.modelPath);

  // llama.cpp's tools first: building them (once) must not run while anything is being measured
  const tools = await ensureLlamaCppTools(["llama-bench", "llama-server"], {
    build: options.buildTools,
    onProgress: say,
  });
  for (const [tool, binary] of Object.entries(tools)) if (!binary.ok) say(`${tool} not available: ${binary.reason}`);
  const llamaBenchBinary = tools["llama-bench"];
  const llamaServerBinary = tools["llama-server"];

  // one pin for every comparison with llama.cpp's tools (llama-bench sits beside llama-server)
  const pins = planPeerPins(options.cpuVariant, llamaServerBinary.ok ? llamaServerBinary.path : null, root);
  say(pins.summary);

  const skip = options.peerOnly;
  say("service overhead with the stub engine");
  const overhead = skip
    ? null
    : await attempt("overhead", errors, () =>
        measureOverhead({ packets: settings.overheadPackets, embedModelDir: "none" }),
      );
  const overheadSemantic = skip
    ? null
    : await attempt("overhead (semantic)", errors, () =>
        measureOverhead({
          packets: Math.min(200, settings.overheadPackets),
          embedModelDir: path.join(root, BUNDLED_EMBED_DIR_RELATIVE),
        }),
      );
  const storeOverhead = skip
    ? null
    : await attempt("overhead (session store)", errors, () =>
        measureStoreOverhead(Math.min(300, settings.overheadPackets)),
      );

  say("node-llama-cpp direct");
  const direct = skip
    ? null
    : await attempt("direct", errors, () =>
        measureDirectPinned(
          {
            modelPath: options.modelPath,
            threads: compareThreads,
            contextSize: settings.contextSize,
            sequences: settings.parallel,
            promptTokens: settings.promptTokens,
            decodeTokens: settings.decodeTokens,
            repetitions: settings.repetitions,
          },
          pins.hide.gaia,
        ),
      );

  let llamaBench: LlamaBenchEntry[] | null = null;
  if (llamaBenchBinary.ok && !skip) {
    say(`llama-bench (${llamaBenchBinary.path})`);
    llamaBench = await attempt("llama-bench", errors, async () =>
      runLlamaBench(llamaBenchBinary.path, {
        modelPath: options.modelPath,
        threads: compareThreads,
        promptTokens: settings.promptTokens,
        decodeTokens: settings.decodeTokens,
        repetitions: settings.repetitions,
        hide: pins.hide.llamaServer,
      }),
    );
  }

  say(
    `gaia-core and llama-server, one at a time${llamaServerBinary.ok ? "" : " (llama-server unavailable: gaia-core only)"}`,
  );
  const peerStarted = performance.now();
  const peers: PeerRun[] =
    (await attempt("peer", errors, () =>
      measurePeers({
        modelPath: options.modelPath,
        llamaServerBinary: llamaServerBinary.ok ? llamaServerBinary.path : null,
        threads: options.peerThreads,
        contextSize: settings.contextSize,
        batchSize: settings.batchSize,
        concurrentSlots: settings.parallel,
        hide: pins.hide,
        gaiaDefault: pins.gaiaDefault,
        workload: {
          promptWords: settings.promptWords,
          longPromptWords: settings.longPromptWords,
          followUpWords: settings.followUpWords,
          decodeTokens: settings.decodeTokens,
          repetitions: settings.repetitions,
          roundTrips: settings.roundTrips,
          readingPauseMs: settings.readingPauseMs,
        },
        onProgress: say,
        onError: (what, error) => {
          const message = `${what}: ${(error as Error).message.split("\n")[0]}`;
          errors.push(message);
          say(`FAILED ${message}`);
        },
      }),
    )) ?? [];
  const peerMinutes = (performance.now() - peerStarted) / 60_000;
  const peerTable = peerRows(peers, settings.parallel, pins.pin);
  const bufferLines = peerBufferLines(peers, settings.parallel);

  say("peak RSS with the default configuration");
  const defaultRss = skip
    ? null
    : await attempt("default-config RSS", errors, () =>
        measureDefaultRss(options.modelPath, options.threads, settings.decodeTokens),
      );

  const modelKv = await kvCacheBytes(options.modelPath, 1);
  const measured: Measured = {
    options,
    compareThreads,
    modelBytes,
    modelKv,
    overhead,
    overheadSemantic,
    storeOverhead,
    direct,
    tools,
    llamaBench,
    defaultRss,
    settings,
    pinnedVariant: pins.pin.problem ? null : pins.pin.variant,
  };
  const rows = buildRows(measured);
  const advice = threadSummary(measured);
  const cpu = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  // which binaries the service's engine runs: the binding's prebuilt ones, or a build from its source (engine:build)
  const engineBuild = (await getLlama({ gpu: false, build: "never" })).buildType;
  const header = [
    `gaia-core bench — ${new Date().toISOString()} — ${cpu.length} CPUs (${cpu[0]?.model ?? "?"}), node ${process.version}`,
    `model ${options.modelPath} (${modelBytes === null ? "?" : (modelBytes / MB).toFixed(0)} MB), threads ${options.threads}, ` +
      `repetitions ${settings.repetitions}, engine ${engineBuild}, llama.cpp ${llamaServerBinary.ok ? llamaServerBinary.commit.slice(0, 12) : llamaBenchBinary.ok ? llamaBenchBinary.commit.slice(0, 12) : "unavailable"}`,
    `load average at start ${loadAtStart}, at end ${load} (other work on the machine skews every figure, threads=2 most)`,
  ];
  const peerNote = llamaServerBinary.ok
    ? `gaia-core vs llama-server (${options.peerThreads.map((t) => `threads ${t}`).join(", ")}; 1 slot, or ${settings.parallel} slots × ctx ${settings.contextSize} for the concurrent rows and their RSS; ratio = gaia-core ÷ llama-server; variants = gaia-core / llama-server; peer run ${peerMinutes.toFixed(1)} min)`
    : `gaia-core vs llama-server: llama-server unavailable (${llamaServerBinary.reason}); its rows fail`;
  const peerLines = [peerNote, pins.summary, "", renderPeerTable(peerTable), "", ...bufferLines];
  console.log([...header, "", ...peerLines, "", renderTable(rows), ""].join("\n"));
  if (advice) console.log(advice);
  for (const error of errors) console.log(`error: ${error}`);
  const misses = [
    ...peerTable.filter((r) => r.pass === false).map((r) => `${r.metric} (threads ${r.threads})`),
    ...rows.filter((r) => r.pass === false).map((r) => r.metric),
  ];
  console.log(misses.length ? `MISS: ${misses.join("; ")}` : "all targets met");

  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(
    options.out,
    `${JSON.stringify(
      {
        when: new Date().toISOString(),
        machine: {
          cpus: cpu.length,
          cpuModel: cpu[0]?.model ?? null,
          physicalCores: physicalCores(),
          defaultThreads: defaultThreads(),
          node: process.version,
          engineBuild,
          totalMemMb: Math.round(os.totalmem() / MB),
        },
        model: { path: options.modelPath, bytes: modelBytes },
        loadAverage: { start: loadAtStart, end: load },
        threads: options.threads,
        quick,
        settings,
        peerPins: pins,
        peerMinutes,
        peerTable,
        peerBuffers: bufferLines,
        rows,
        threadSummary: advice,
        errors,
        raw: { tools, overhead, overheadSemantic, storeOverhead, direct, llamaBench, peers, defaultRss },
      },
      null,
      2,
    )}\n`,
  );
  say(`wrote ${path.relative(process.cwd(), options.out) || options.out}`);
}

interface AttentionShape {
  block_count?: number;
  embedding_length?: number;
  attention?: { head_count?: number; head_count_kv?: number | number[] };
}

/** f16 K+V cache bytes for `cells` tokens, from the GGUF's shape metadata (an estimate for the report; null if unknown). */
async function kvCacheBytes(modelPath: string, cells: number): Promise<number | null> {
  try {
    const info = await readGgufFileInfo(modelPath, { readTensorInfo: false });
    const metadata = info.metadata as unknown as Record<string, AttentionShape> & { general: { architecture: string } };
    const shape = metadata[metadata.general.architecture];
    const heads = shape?.attention?.head_count;
    const kv = shape?.attention?.head_count_kv;
    const kvHeads = Array.isArray(kv) ? Math.max(...kv) : kv;
    if (!shape?.block_count || !shape.embedding_length || !heads || !kvHeads) return null;
    return cells * shape.block_count * kvHeads * (shape.embedding_length / heads) * 2 * 2;
  } catch {
    return null;
  }
}

await main();
