// Container mode against a real Docker engine and docker-compose: a compose project whose gaia-core and
// gaia-core-candidate are stand-in cores (node serving the /health contract, /shared on fresh named volumes).
// Runs when an engine answers (DOCKER_HOST, e.g. the private engine scripts/test-containers.sh starts) and the
// node:24-bookworm-slim image is present; otherwise its tests are skipped and say why.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { SHARED_SUBDIRS } from "../../shared/config/sharedDirs.js";
import { gatewayBody, parseSummaryLine, runDoctorCli, type StandIn, standIn } from "../doctor/support.js";
import { freePort, tempDir, waitForOk } from "../support/processes.js";

const IMAGE = "node:24-bookworm-slim";

function engineReady(): string | null {
  try {
    execFileSync("docker", ["image", "inspect", IMAGE], { stdio: "ignore", timeout: 10_000 });
    execFileSync("docker-compose", ["version"], { stdio: "ignore", timeout: 10_000 });
    return null;
  } catch {
    return `no Docker engine with ${IMAGE} and docker-compose (DOCKER_HOST=${process.env.DOCKER_HOST ?? "unset"})`;
  }
}

const skipReason = engineReady();
const maybe = skipReason === null ? describe : describe.skip;
if (skipReason !== null) console.warn(`containerMode.test.ts skipped: ${skipReason}`);

const FAKE_CORE = `
const http = require("http"), fs = require("fs");
const server = http.createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  if (req.url === "/slots") return res.end(JSON.stringify([{ id: 0, is_processing: false, session: null, tokens_cached: 0 }]));
  res.end(JSON.stringify({
    status: "ready", service: "gaia-core", role: process.env.GAIA_ROLE, build_id: "img-1", version: "0.1.0", uptime_s: 1,
    model: { path: "/app/models/bundled/gaia-lite-tiny.gguf", name: "tiny", loaded: true, load_ms: 1 },
    history_mode: "semantic", history_mode_reason: null, queue: { active: 0, waiting: 0, capacity: 4 },
    maintenance: fs.existsSync("/shared/ha_maintenance"), shared_dir: "/shared",
  }));
});
server.listen(6415);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

maybe("doctor in container mode (docker-compose)", () => {
  const dir = tempDir("gaia-doctor-compose-");
  const project = `gaiadoctor${process.pid}`;
  const env = {
    COMPOSE_PROJECT_NAME: project,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  };
  let ports: { primary: number; candidate: number };
  let gateway: StandIn;
  const compose = (...args: string[]) =>
    execFileSync("docker-compose", args, {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: "pipe",
      timeout: 120_000,
    }).toString();

  beforeAll(async () => {
    ports = { primary: await freePort(), candidate: await freePort() };
    fs.writeFileSync(path.join(dir, "fake-core.js"), FAKE_CORE);
    const service = (role: string, port: number, volume: string) => `
    image: ${IMAGE}
    command: ["node", "/fake-core.js"]
    environment: { GAIA_ROLE: ${role} }
    ports: ["127.0.0.1:${port}:6415"]
    volumes: ["./fake-core.js:/fake-core.js:ro", "${volume}:/shared"]`;
    fs.writeFileSync(
      path.join(dir, "docker-compose.yml"),
      `services:\n  gaia-core:${service("primary", ports.primary, "gaia-shared")}\n  gaia-core-candidate:${service("candidate", ports.candidate, "gaia-candidate-shared")}\nvolumes:\n  gaia-shared:\n  gaia-candidate-shared:\n`,
    );
    compose("up", "-d");
    await waitForOk(`http://127.0.0.1:${ports.primary}/health`, 30_000);
    await waitForOk(`http://127.0.0.1:${ports.candidate}/health`, 30_000);
    compose("stop", "-t", "5", "gaia-core-candidate"); // the candidate's container exists, stopped
    gateway = await standIn(200, gatewayBody("http://gaia-core:6415", "http://gaia-core-candidate:6415"));
  });

  afterAll(async () => {
    await gateway?.close();
    try {
      compose("down", "-v", "-t", "2");
    } catch {
      // best effort
    }
  });

  const args = () => [
    "--core-url",
    `http://127.0.0.1:${ports.primary}`,
    "--candidate-url",
    `http://127.0.0.1:${ports.candidate}`,
    "--web-url",
    gateway.url,
    "--wait-ms",
    "30000",
  ];

  it("detects container mode, finds both volumes through docker, and fails the stopped candidate and root-owned volumes", async () => {
    const run = await runDoctorCli(args(), { cwd: dir, env });
    expect(run.stdout).toMatch(
      /container mode \(compose has a gaia-core container \(docker-compose\.yml\)\)|container mode \(the primary reports/,
    );
    expect(run.stdout).toMatch(
      /shared dirs: primary \/\S+ \[volume gaiadoctor\d+_gaia-shared\] · candidate \/\S+ \[volume gaiadoctor\d+_gaia-candidate-shared\]/,
    );
    expect(run.stdout).toMatch(/reachability\s+candidate\s+health\s+✗ fail/);
    // a fresh named volume is root-owned and empty: the original candidate's "permission denied"
    expect(run.stdout).toMatch(/shared-dirs\s+candidate:\S+\s+subdirs\s+✗ fail\s+missing sessions, council/);
    expect(run.stdout).toMatch(/shared-dirs\s+candidate:\S+\s+owner\s+✗ fail\s+owned by uid 0, not 1000/);
    expect(run.code).toBe(2);
  });

  (process.getuid?.() === 0 ? it : it.skip)(
    "--fix (as root) creates the subdirs, hands the volumes to 1000 and starts the candidate with compose",
    async () => {
      const run = await runDoctorCli([...args(), "--fix"], { cwd: dir, env });
      expect(run.stdout).toMatch(
        /⟳ candidate: started and answering \/health \[docker-compose -f docker-compose\.yml up -d --no-deps gaia-core-candidate\]/,
      );
      expect(run.stdout).toMatch(
        /⟳ candidate:\S+: created the candidate's shared dir|⟳ candidate:\S+: created sessions, council/,
      );
      expect(run.stdout).toMatch(/⟳ primary:\S+: owner set to 1000:1000/);
      expect(parseSummaryLine(run.stdout)).toMatchObject({ warnings: 0, failures: 0 });
      expect(run.code).toBe(0);

      const mount = execFileSync(
        "docker",
        ["volume", "inspect", "--format", "{{.Mountpoint}}", `${project}_gaia-candidate-shared`],
        { env: { ...process.env, ...env } },
      )
        .toString()
        .trim();
      for (const sub of SHARED_SUBDIRS) expect(fs.statSync(path.join(mount, sub)).uid).toBe(1000);
    },
  );
});
