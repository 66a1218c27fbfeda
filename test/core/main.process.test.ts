// The compiled core as a real process: start-up failures print one line and exit 1; SIGTERM drains in-flight packets.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { gatewayPacket } from "../fixtures/packets.js";
import { BUNDLED_LITE_MODEL, REPO_ROOT, spawnCore, TINY_TEST_MODEL, tempDir } from "../support/processes.js";
import { waitFor } from "../support/waitFor.js";

function runCore(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "dist/services/core/main.js")], {
      env: {
        ...process.env,
        NODE_OPTIONS: "",
        PORT: "0",
        GAIA_SHARED_DIR: tempDir(),
        GAIA_LITE_MODEL: BUNDLED_LITE_MODEL,
        ...env,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("gaia-core process start-up", () => {
  it("exits 1 with one line naming a bad variable", async () => {
    const { code, stderr } = await runCore({ GAIA_THREADS: "lots", GAIA_ROLE: "backup" });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/GAIA_THREADS/);
    expect(stderr).toMatch(/GAIA_ROLE: expected primary or candidate/);
  });

  it("exits 1 with one line when the model file is missing", async () => {
    const { code, stderr } = await runCore({ GAIA_LITE_MODEL: "/nonexistent/model.gguf" });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/\/nonexistent\/model\.gguf/);
  });

  it("exits 1 with one line when the model is not a GGUF", async () => {
    const bogus = path.join(tempDir(), "bogus.gguf");
    fs.writeFileSync(bogus, "definitely not a model");
    const { code, stderr } = await runCore({ GAIA_LITE_MODEL: bogus });
    expect(code).toBe(1);
    expect(stderr).toMatch(/GGUF/);
  });
});

describe("gaia-core SIGTERM", () => {
  it("says in its model-ready line which CPU variant runs the model and the buffers llama.cpp allocated", async () => {
    // a process of its own: llama.cpp's log goes to the first binding instance of a process, as in production
    const core = await spawnCore({ env: { LOG_LEVEL: "info" } });
    try {
      // the line was written before the core turned ready, but its pipe may deliver it later than /health answers
      const ready = await waitFor("the model-ready line", () =>
        core
          .output()
          .split("\n")
          .slice(0, -1) // complete lines only
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((line) => line.msg === "model ready"),
      );
      expect(ready?.cpu_variant).toMatch(/^[\w.-]+$/);
      const buffers = ready?.buffers_mib as Record<string, number>;
      expect(Object.keys(buffers).some((k) => k.endsWith(" model"))).toBe(true);
      expect(buffers["CPU compute"]).toBeGreaterThan(0);
      expect(buffers["CPU KV"]).toBeGreaterThan(0);
      expect(ready?.flash_attention).toBe("auto");
      expect(ready?.batch_fill_patch).toBe(true);
    } finally {
      await core.kill("SIGTERM");
    }
  });

  it("finishes the packet in flight, refuses new ones, then exits 0", async () => {
    // the random-weight model keeps generating until max_tokens, so the packet is still in flight at SIGTERM
    const core = await spawnCore({
      env: { GAIA_LITE_MODEL: TINY_TEST_MODEL, GAIA_MAX_TOKENS_CAP: "2000", GAIA_THREADS: "1", LOG_LEVEL: "info" },
    });
    const long = gatewayPacket((p) => {
      p.header.packet_id = "in-flight";
      p.header.model.temperature = 0.8;
      p.context.constraints.max_tokens = 1500;
    });
    const inFlight = fetch(`${core.url}/process_packet`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/x-ndjson" },
      body: JSON.stringify(long),
    });
    const response = await inFlight; // headers arrive with the first token: generation is under way
    expect(response.status).toBe(200);
    const exited = core.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 100));
    const refused = await fetch(`${core.url}/process_packet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(gatewayPacket()),
    }).then(
      (r) => r.status,
      () => "connection refused",
    );
    expect([503, "connection refused"]).toContain(refused);
    const body = await response.text();
    expect(body.trim().split("\n").at(-1)).toMatch(/^\{"type":"packet"/);
    expect(await exited).toBe(0);
    expect(core.output()).toMatch(/draining/);
  });
});
