// `npm run bench`: inference performance of gaia-core measured in ONE run against node-llama-cpp called directly and
// llama.cpp's own llama-bench on the same GGUF and threads. Prints a table (figure, target, ratio, PASS/MISS)
// and writes bench/results/bench.json. Never fails on a missed target: it reports (exit 0); exit 2 only for bad flags.
//
//   node dist/bench/main.js [--model <gguf>] [--threads <n> (default: the service default, defaultThreads())] [--quick] [--no-build-llama-bench] [--out <json>]
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { readGgufFileInfo } from "node-llama-cpp";
import { defaultThreads, physicalCores } from "../services/core/config.js";
import { BUNDLED_EMBED_DIR_RELATIVE } from "../shared/config/bundledModels.js";
import { repoRoot } from "../shared/config/repoRoot.js";
import { type BenchRow, renderTable, targetRow } from "./BenchTable.js";
import { type DirectResult, measureDirect } from "./directBench.js";
import { ensureLlamaBench, type LlamaBenchBinary, type LlamaBenchEntry, runLlamaBench } from "./llamaBench.js";
import { measureOverhead, type OverheadResult } from "./overheadBench.js";
import { fileBytes, measureDefaultRss, measureService, type ServiceResult } from "./serviceBench.js";
import { ratio } from "./stats.js";

const USAGE = "usage: bench [--model <gguf>] [--threads <n>] [--quick] [--no-build-llama-bench] [--out <file.json>]";
const MB = 1024 * 1024;
const root = repoRoot();

interface BenchOptions {
  modelPath: string;
  threads: number;
  quick: boolean;
  buildLlamaBench: boolean;
  out: string;
}

function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      threads: { type: "string" },
      quick: { type: "boolean", default: false },
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
  return {
    modelPath: path.resolve(values.model ?? path.join(root, "models/bundled/gaia-lite-mid.gguf")),
    threads,
    quick: values.quick,
    buildLlamaBench: !values["no-build-llama-bench"],
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
  direct: DirectResult | null;
  llamaBenchBinary: LlamaBenchBinary;
  llamaBench: LlamaBenchEntry[] | null;
  service: ServiceResult | null;
  defaultRss: Awaited<ReturnType<typeof measureDefaultRss>> | null;
  settings: Record<string, number>;
}

function buildRows(m: Measured): BenchRow[] {
  const { options, direct, llamaBench, service, overhead } = m;
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
  const lbNote = m.llamaBenchBinary.ok ? undefined : `llama-bench unavailable: ${m.llamaBenchBinary.reason}`;

  // model
  const modelSection = `model ${path.basename(options.modelPath)} (${m.modelBytes === null ? "?" : (m.modelBytes / MB).toFixed(0)} MB)`;
  rows.push(info(modelSection, "load in the service (/health model.load_ms)", service?.loadMs ?? null, "ms"));
  rows.push(info(modelSection, "service start → ready (spawn, load, context)", service?.readyMs ?? null, "ms"));
  rows.push(info(modelSection, "load, node-llama-cpp direct (loadModel)", direct?.loadModelMs ?? null, "ms"));
  rows.push(info(modelSection, "context creation, direct", direct?.createContextMs ?? null, "ms"));

  // throughput at the service's thread count
  const tput = `throughput, threads=${T} (pp${m.settings.promptTokens}/tg${m.settings.decodeTokens}; service prompts ≈ its own length)`;
  const lbPp = lb(T, "pp");
  const lbTg = lb(T, "tg");
  rows.push(info(tput, "prompt tok/s, llama-bench", lbPp, "tok/s", lbNote));
  rows.push(info(tput, "prompt tok/s, node-llama-cpp direct", directAt(T)?.promptTokensPerSecond ?? null, "tok/s"));
  rows.push({
    ...info(tput, "prompt tok/s, service (cold prompt ÷ TTFT)", service?.promptTokensPerSecond ?? null, "tok/s"),
    ratio: ratio(service?.promptTokensPerSecond, lbPp),
    note: "ratio vs llama-bench",
  });
  rows.push(info(tput, "decode tok/s, llama-bench", lbTg, "tok/s", lbNote));
  rows.push(info(tput, "decode tok/s, direct, greedy", directAt(T)?.decodeGreedyTokensPerSecond ?? null, "tok/s"));
  rows.push(
    info(
      tput,
      "decode tok/s, direct, service sampler (T 0.8, top-k/min-p/top-p)",
      directAt(T)?.decodeSampledTokensPerSecond ?? null,
      "tok/s",
    ),
  );
  rows.push(
    info(tput, "decode tok/s, service (NDJSON, T 0.8, packet seed)", service?.decodeTokensPerSecond ?? null, "tok/s"),
  );
  rows.push(
    targetRow(
      {
        section: tput,
        metric: "decode: service / llama-bench",
        value: service?.decodeTokensPerSecond ?? null,
        unit: "tok/s",
        ...(lbNote ? { note: lbNote } : {}),
      },
      ratio(service?.decodeTokensPerSecond, lbTg),
      ">=",
      0.9,
    ),
  );
  rows.push({
    ...info(tput, "decode: direct greedy / llama-bench", null, ""),
    ratio: ratio(directAt(T)?.decodeGreedyTokensPerSecond, lbTg),
  });
  rows.push({
    ...info(tput, "decode: service / direct (same sampling)", null, ""),
    ratio: ratio(service?.decodeTokensPerSecond, directAt(T)?.decodeSampledTokensPerSecond),
  });

  // sessions: KV reuse
  const sessions = "session turns (KV cache reuse; turn 2 and the cold prompt are the same length)";
  const st = (service?.secondTurn ?? []).filter((s) => s.answerTokens > 1);
  const short = (service?.secondTurn ?? []).filter((s) => s.answerTokens === 1);
  const med = (values: number[]) =>
    values.length ? values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]! : null;
  const ttft = (t: { firstTokenAt: number | null; sentAt: number }) =>
    t.firstTokenAt === null ? NaN : t.firstTokenAt - t.sentAt;
  const tokens = (t: { promptTokens: number; kvReusedTokens: number }) =>
    `prompt ${t.promptTokens} tok, reused ${t.kvReusedTokens}`;
  rows.push(
    info(
      sessions,
      "TTFT turn 1 (cold)",
      med(st.map((s) => ttft(s.turn1)).filter(Number.isFinite)),
      "ms",
      st[0] ? tokens(st[0].turn1) : undefined,
    ),
  );
  rows.push(
    info(
      sessions,
      "TTFT turn 2 (warm)",
      med(st.map((s) => ttft(s.turn2)).filter(Number.isFinite)),
      "ms",
      st[0] ? tokens(st[0].turn2) : undefined,
    ),
  );
  rows.push(
    info(
      sessions,
      "TTFT same prompt as turn 2, cold sequence",
      med(st.map((s) => ttft(s.cold)).filter(Number.isFinite)),
      "ms",
      st[0] ? tokens(st[0].cold) : undefined,
    ),
  );
  rows.push(
    targetRow(
      { section: sessions, metric: "TTFT turn 2 / first evaluation of the same prompt", value: null, unit: "" },
      service?.secondVsColdSamePrompt ?? null,
      "<=",
      0.5,
    ),
  );
  rows.push({
    ...info(sessions, "TTFT turn 2 / turn 1 (same session, equal user text)", null, ""),
    ratio: service?.secondVsFirstTurn ?? null,
  });
  const evaluated = med(st.map((s) => s.turn2.promptTokens - s.turn2.kvReusedTokens));
  rows.push(
    info(
      sessions,
      "turn-2 prompt tokens evaluated (not from the KV cache)",
      evaluated,
      "tok",
      "the new user message and the template around it; the rest was prepared after turn 1",
    ),
  );
  rows.push({
    ...info(
      sessions,
      "same ratio, 1-token turn-1 answer (prefix reuse only)",
      null,
      "",
      short[0] ? `turn 2: ${tokens(short[0].turn2)}; cold: ${tokens(short[0].cold)}` : undefined,
    ),
    ratio: service?.secondVsColdShortAnswer ?? null,
  });

  // concurrency
  const conc = `concurrency (GAIA_PARALLEL=${m.settings.parallel}, ${m.settings.decodeTokens} tokens per session)`;
  const c = service?.concurrency ?? {};
  for (const n of [1, 2, 4])
    rows.push(info(conc, `aggregate tok/s, ${n} session${n > 1 ? "s" : ""}`, c[n] ?? null, "tok/s"));
  rows.push({ ...info(conc, "2 sessions vs 1", null, ""), ratio: ratio(c[2], c[1]) });
  rows.push(
    targetRow({ section: conc, metric: "4 sessions vs 1", value: null, unit: "" }, ratio(c[4], c[1]), ">=", 1.5),
  );

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
  rows.push(
    memoryRow(
      `bench service (GAIA_PARALLEL=${m.settings.parallel} × ctx ${m.settings.contextSize})`,
      service?.peakRssBytes ?? null,
      m.settings.parallel! * m.settings.contextSize!,
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
    overheadPackets: quick ? 150 : 500,
    promptWords: 96,
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

  // llama-bench first: building it (once) must not run while anything is being measured
  const llamaBenchBinary = await ensureLlamaBench({ build: options.buildLlamaBench, onProgress: say });
  if (!llamaBenchBinary.ok) say(`llama-bench not available: ${llamaBenchBinary.reason}`);

  say("service overhead with the stub engine");
  const overhead = await attempt("overhead", errors, () =>
    measureOverhead({ packets: settings.overheadPackets, embedModelDir: "none" }),
  );
  const overheadSemantic = await attempt("overhead (semantic)", errors, () =>
    measureOverhead({
      packets: Math.min(200, settings.overheadPackets),
      embedModelDir: path.join(root, BUNDLED_EMBED_DIR_RELATIVE),
    }),
  );

  say("node-llama-cpp direct");
  const direct = await attempt("direct", errors, () =>
    measureDirect({
      modelPath: options.modelPath,
      threads: compareThreads,
      contextSize: settings.contextSize,
      sequences: settings.parallel,
      promptTokens: settings.promptTokens,
      decodeTokens: settings.decodeTokens,
      repetitions: settings.repetitions,
    }),
  );

  let llamaBench: LlamaBenchEntry[] | null = null;
  if (llamaBenchBinary.ok) {
    say(`llama-bench (${llamaBenchBinary.path})`);
    llamaBench = await attempt("llama-bench", errors, async () =>
      runLlamaBench(llamaBenchBinary.path, {
        modelPath: options.modelPath,
        threads: compareThreads,
        promptTokens: settings.promptTokens,
        decodeTokens: settings.decodeTokens,
        repetitions: settings.repetitions,
      }),
    );
  }

  say("the service");
  const service = await attempt("service", errors, () =>
    measureService({
      modelPath: options.modelPath,
      threads: options.threads,
      parallel: settings.parallel,
      contextSize: settings.contextSize,
      promptWords: settings.promptWords,
      decodeTokens: settings.decodeTokens,
      repetitions: settings.repetitions,
      onProgress: say,
    }),
  );

  say("peak RSS with the default configuration");
  const defaultRss = await attempt("default-config RSS", errors, () =>
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
    direct,
    llamaBenchBinary,
    llamaBench,
    service,
    defaultRss,
    settings,
  };
  const rows = buildRows(measured);
  const advice = threadSummary(measured);
  const cpu = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  const header = [
    `gaia-core bench — ${new Date().toISOString()} — ${cpu.length} CPUs (${cpu[0]?.model ?? "?"}), node ${process.version}`,
    `model ${options.modelPath} (${modelBytes === null ? "?" : (modelBytes / MB).toFixed(0)} MB), threads ${options.threads}, ` +
      `repetitions ${settings.repetitions}, llama-bench ${llamaBenchBinary.ok ? llamaBenchBinary.commit.slice(0, 12) : "unavailable"}`,
    `load average at start ${loadAtStart}, at end ${load} (other work on the machine skews every figure, threads=2 most)`,
  ];
  console.log([...header, "", renderTable(rows), ""].join("\n"));
  if (advice) console.log(advice);
  for (const error of errors) console.log(`error: ${error}`);
  const misses = rows.filter((r) => r.pass === false).map((r) => r.metric);
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
          totalMemMb: Math.round(os.totalmem() / MB),
        },
        model: { path: options.modelPath, bytes: modelBytes },
        loadAverage: { start: loadAtStart, end: load },
        threads: options.threads,
        quick,
        settings,
        rows,
        threadSummary: advice,
        errors,
        raw: { overhead, overheadSemantic, direct, llamaBenchBinary, llamaBench, service, defaultRss },
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
