// `npm run start:pair`: the HA pair on one machine, for development and demos. A primary core (6415), a candidate
// core (6416) and the gateway (6414) in front of them, each as a child process with its output prefixed by its name.
// Ctrl-C or SIGTERM stops all three. Kill the primary (kill -9 <pid>) or freeze it (kill -STOP <pid>) to watch the
// gateway fail over, start it again with `GAIA_SHARED_DIR=.data/primary GAIA_PEER_SHARED_DIR=.data/candidate npm start`
// (or kill -CONT) to watch traffic come back, or `touch .data/primary/ha_maintenance` to switch failover off.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { CORE_NODE_FLAGS, CORE_PROCESS_ENV } from "../services/core/launchFlags.js";
import { repoRoot } from "../shared/config/repoRoot.js";
import { SHARED_SUBDIRS } from "../shared/config/sharedDirs.js";
import { maintenanceFlagPath } from "../shared/maintenance/MaintenanceFlag.js";
import { waitForOk } from "./lib/localServices.js";

interface ChildSpec {
  name: string;
  entry: string;
  port: number;
  env: Record<string, string>;
  nodeFlags?: readonly string[];
}

interface Running {
  spec: ChildSpec;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const root = repoRoot();
const host = process.env.HOST ?? "127.0.0.1";
const ports = {
  primary: Number(process.env.PRIMARY_PORT ?? 6415),
  candidate: Number(process.env.CANDIDATE_PORT ?? 6416),
  web: Number(process.env.WEB_PORT ?? 6414),
};
const primaryDir = path.join(root, ".data/primary");
const candidateDir = path.join(root, ".data/candidate");
const localUrl = (port: number) => `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;

const specs: ChildSpec[] = [
  {
    name: "primary",
    entry: "dist/services/core/main.js",
    port: ports.primary,
    // each core writes only its own dir and reads the other's sessions: one conversation across the pair
    env: { ...CORE_PROCESS_ENV, GAIA_ROLE: "primary", GAIA_SHARED_DIR: primaryDir, GAIA_PEER_SHARED_DIR: candidateDir },
    nodeFlags: CORE_NODE_FLAGS,
  },
  {
    name: "candidate",
    entry: "dist/services/core/main.js",
    port: ports.candidate,
    env: {
      ...CORE_PROCESS_ENV,
      GAIA_ROLE: "candidate",
      GAIA_SHARED_DIR: candidateDir,
      GAIA_PEER_SHARED_DIR: primaryDir,
    },
    nodeFlags: CORE_NODE_FLAGS,
  },
  {
    name: "web",
    entry: "dist/services/web/main.js",
    port: ports.web,
    env: {
      CORE_ENDPOINT: localUrl(ports.primary),
      CORE_FALLBACK_ENDPOINT: localUrl(ports.candidate),
      // the primary's volume holds the flag, as in the original; the gateway must see it
      GAIA_MAINTENANCE_FLAG: maintenanceFlagPath(primaryDir),
    },
  },
];

const COLORS = { primary: "\x1b[36m", candidate: "\x1b[35m", web: "\x1b[33m" } as Record<string, string>;
const RESET = "\x1b[0m";
const useColor = process.stdout.isTTY;
const width = Math.max(...specs.map((s) => s.name.length));

function prefixed(name: string, line: string): string {
  const label = name.padEnd(width);
  return useColor ? `${COLORS[name] ?? ""}${label}${RESET} | ${line}` : `${label} | ${line}`;
}

function say(line: string): void {
  process.stdout.write(`${prefixed("pair".padEnd(width), line)}\n`);
}

function start(spec: ChildSpec): Running {
  const child = spawn(process.execPath, [...(spec.nodeFlags ?? []), path.join(root, spec.entry)], {
    cwd: root,
    env: { ...process.env, HOST: host, ...spec.env, PORT: String(spec.port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      readline
        .createInterface({ input: stream })
        .on("line", (line) => process.stdout.write(`${prefixed(spec.name, line)}\n`));
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))),
  );
  return { spec, child, exited };
}

async function waitHealthy(running: Running, timeoutMs: number): Promise<void> {
  const died = () => running.child.exitCode !== null || running.child.signalCode !== null;
  await waitForOk(`${localUrl(running.spec.port)}/health`, timeoutMs, died, 250).catch((error: Error) => {
    throw new Error(`${running.spec.name} not healthy: ${error.message}`);
  });
}

async function main(): Promise<void> {
  for (const spec of specs) {
    if (!fs.existsSync(path.join(root, spec.entry))) {
      say(`missing ${spec.entry}: run \`npm run build\` first (npm run start:pair does)`);
      process.exit(1);
    }
  }
  for (const dir of [primaryDir, candidateDir]) {
    for (const sub of SHARED_SUBDIRS) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  }

  const running = specs.map(start);
  let stopping = false;
  let ready = false;
  const stopAll = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`stopping all three (${signal})`);
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGTERM");
    const forced = setTimeout(() => {
      for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
    }, 25_000);
    await Promise.all(running.map((r) => r.exited));
    clearTimeout(forced);
    process.exit(0);
  };
  process.on("SIGINT", () => void stopAll("SIGINT"));
  process.on("SIGTERM", () => void stopAll("SIGTERM"));
  for (const r of running) {
    void r.exited.then((code) => {
      if (!stopping && ready) say(`${r.spec.name} exited (code ${code}); the others keep running`);
      if (!stopping && running.every((x) => x.child.exitCode !== null || x.child.signalCode !== null)) process.exit(1);
    });
  }

  try {
    await Promise.all(running.map((r) => waitHealthy(r, 180_000)));
  } catch (error) {
    say(`start failed: ${(error as Error).message}`);
    await stopAll("SIGTERM");
    return;
  }
  ready = true;
  say("ready:");
  say(`  gateway    ${localUrl(ports.web)}   (POST /process_user_input?user_input=Hello, GET /health)`);
  say(
    `  primary    ${localUrl(ports.primary)}   pid ${running[0]!.child.pid}, data ${path.relative(root, primaryDir)}`,
  );
  say(
    `  candidate  ${localUrl(ports.candidate)}   pid ${running[1]!.child.pid}, data ${path.relative(root, candidateDir)}`,
  );
  say(`  maintenance flag: ${path.relative(root, maintenanceFlagPath(primaryDir))} (exists = no failover)`);
  say("Ctrl-C stops all three.");
}

await main();
