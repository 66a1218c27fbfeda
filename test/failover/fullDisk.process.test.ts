// A full /shared for real: the primary's GAIA_SHARED_DIR is a 256 KiB tmpfs, filled up while the pair runs. Needs root
// (mount); otherwise the test is skipped and says why.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { buildUserPacket } from "../../services/web/buildPacket.js";
import { SHARED_SUBDIRS } from "../../shared/config/sharedDirs.js";
import { type ServiceProcess, tempDir } from "../support/processes.js";
import { waitFor } from "../support/waitFor.js";
import { type Core, sendTurn, startPair, stopPair } from "./pair.js";

/** Why this machine cannot run the test, or null. */
function cannotMount(): string | null {
  if (process.getuid?.() !== 0) return "not running as root (mount -t tmpfs needs it)";
  const probe = tempDir("gaia-tmpfs-probe-");
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { stdio: "pipe" });
    execFileSync("umount", [probe], { stdio: "pipe" });
    return null;
  } catch (error) {
    return `mount -t tmpfs failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const skipReason = cannotMount();
if (skipReason) console.log(`fullDisk.process.test.ts SKIPPED: ${skipReason}`);
const maybe = skipReason ? describe.skip : describe;

const primaryDir = tempDir("gaia-full-primary-");
const candidateDir = tempDir("gaia-full-candidate-");
const filler = path.join(primaryDir, "filler");
let mounted = false;
let primary: Core;
let candidate: Core;
let gateway: ServiceProcess;

/** Writes zeros until the volume says ENOSPC. */
function fillUp(): void {
  const fd = fs.openSync(filler, "a");
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    fs.closeSync(fd);
  }
}

/** Every line of every session file is a complete JSON record (nothing half-written). */
function assertFilesParse(dir: string): number {
  let lines = 0;
  for (const file of fs.readdirSync(path.join(dir, "sessions"))) {
    const text = fs.readFileSync(path.join(dir, "sessions", file), "utf8");
    if (text.length > 0) expect(text.endsWith("\n")).toBe(true);
    for (const line of text.split("\n").filter((l) => l !== "")) {
      expect(() => JSON.parse(line)).not.toThrow();
      lines++;
    }
  }
  return lines;
}

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/health`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

maybe("primary's shared dir full (ENOSPC on a real tmpfs)", () => {
  beforeAll(async () => {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", primaryDir]);
    mounted = true;
    for (const sub of SHARED_SUBDIRS) fs.mkdirSync(path.join(primaryDir, sub), { recursive: true });
    const env = { GAIA_STORE_PROBE_MS: "500" };
    ({ primary, candidate, gateway } = await startPair(primaryDir, candidateDir, { primaryEnv: env }));
  }, 320_000);

  afterAll(async () => {
    await stopPair({ primary, candidate, gateway });
    if (mounted) execFileSync("umount", ["-l", primaryDir]);
  });

  it("answers 503 naming the store, /health turns not ready, the gateway fails over, and recovers when freed", async () => {
    expect(await sendTurn(gateway.url, "disk", "first turn")).toMatchObject({ status: 200, servedBy: "primary" });

    fillUp();
    // a new session: a new file needs a new page (an existing file's last page may still have room for a line)
    const packet = buildUserPacket("the disk is full now", { sessionId: "disk-new" });
    const res = await fetch(`${primary.url}/process_packet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(packet),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      status: 503,
      title: "Session Store Unavailable",
      store: `file store ${path.join(primaryDir, "sessions")}`,
      reason: expect.stringMatching(/^ENOSPC/),
    });

    const sick = await health(primary.url);
    expect(sick.status).toBe(503);
    expect(sick.body).toMatchObject({
      status: "unavailable",
      reason: expect.stringMatching(/ENOSPC/),
      session_store: { writable: false },
    });

    // a second packet is refused before the model runs (the store is known unwritable)
    const second = await fetch(`${primary.url}/process_packet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(buildUserPacket("again", { sessionId: "disk" })),
    });
    expect(second.status).toBe(503);

    // through the gateway the conversation goes on, on the candidate, with its history
    const viaGateway = await sendTurn(gateway.url, "disk", "still there?");
    expect(viaGateway).toMatchObject({ status: 200, servedBy: "candidate", turnsVerbatim: 1 });
    expect(assertFilesParse(primaryDir)).toBe(1);

    fs.rmSync(filler);
    await waitFor("the primary ready again", async () => (await health(primary.url)).status === 200, {
      timeoutMs: 15_000,
      everyMs: 100,
    });
    expect((await health(primary.url)).body).toMatchObject({ status: "ready", session_store: { writable: true } });
    let back = await sendTurn(gateway.url, "disk", "back on the primary?");
    await waitFor(
      "a turn the primary answers",
      async () => {
        if (back.servedBy === "primary") return true;
        back = await sendTurn(gateway.url, `disk-probe-${Date.now()}`, "back?");
        return false;
      },
      { timeoutMs: 20_000, everyMs: 100 },
    );
    expect(back).toMatchObject({ status: 200 });
    expect(assertFilesParse(primaryDir)).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
