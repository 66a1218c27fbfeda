// GAIA_LITE_MODEL=hf:… on a real core (real app, real bundled GGUF served by a local hub server, real llama.cpp load):
// progress in /health while it downloads, a second core waiting on the first one's download, a bad copy refused.
import fs from "node:fs";
import { afterEach, describe, expect, it } from "@jest/globals";
import request from "supertest";
import { loadCoreConfig } from "../../services/core/config.js";
import { type Core, createCore } from "../../services/core/createCore.js";
import { createLogger } from "../../shared/logging/logger.js";
import { type ModelHub, startModelHub } from "../support/modelHub.js";
import { BUNDLED_LITE_MODEL, tempDir } from "../support/processes.js";

const GGUF = fs.readFileSync(BUNDLED_LITE_MODEL);
const REF = "hf:gaia-test/lite-GGUF:Q8_0";
const cleanup: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function hub(): Promise<ModelHub> {
  const h = await startModelHub("gaia-test", "lite-GGUF", "lite-Q8_0.gguf", GGUF);
  cleanup.push(() => h.close());
  return h;
}

function core(h: ModelHub, cache: string, role: "primary" | "candidate" = "primary"): Core {
  const config = loadCoreConfig({
    GAIA_ROLE: role,
    GAIA_SHARED_DIR: tempDir("gaia-ref-core-"),
    GAIA_LITE_MODEL: REF,
    GAIA_MODEL_CACHE: cache,
    GAIA_HF_ENDPOINT: h.url,
    GAIA_EMBED_MODEL_DIR: "none",
    GAIA_THREADS: "1",
    GAIA_CONTEXT_SIZE: "1024",
    GAIA_MAX_TOKENS_CAP: "8",
  });
  const c = createCore(config, createLogger({ service: "gaia-core-test", level: "silent" }));
  cleanup.push(() => c.dispose());
  return c;
}

/** The parts of the /health body these tests read. */
interface HealthBody {
  status?: string;
  model?: { download?: { bytes_done?: number; phase?: string } };
}

async function healthUntil(c: Core, ok: (body: HealthBody) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(c.app).get("/health");
    if (ok(res.body)) return res;
    if (Date.now() > deadline) throw new Error(`health never matched: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("GAIA_LITE_MODEL=hf:<user>/<repo>:<quant>", () => {
  it("shows the download in /health while loading, then serves the verified file from the cache", async () => {
    const h = await hub();
    h.fault.chunkDelayMs = 25;
    const cache = tempDir("gaia-ref-cache-");
    const c = core(h, cache);
    const downloading = await healthUntil(c, (b) => (b.model?.download?.bytes_done ?? 0) > 0);
    expect(downloading.status).toBe(503);
    expect(downloading.body.status).toBe("loading");
    expect(downloading.body.model.path).toBe(REF);
    expect(downloading.body.model.download).toMatchObject({ ref: REF, phase: "downloading", bytes_total: GGUF.length });
    await c.started;
    expect(c.state.status).toBe("ready");
    const ready = await request(c.app).get("/health");
    expect(ready.status).toBe(200);
    expect(ready.body.model.download).toBeUndefined();
    expect(ready.body.model.file.startsWith(cache)).toBe(true);
    expect(fs.readFileSync(ready.body.model.file).equals(GGUF)).toBe(true);
    const props = await request(c.app).get("/props");
    expect(props.body.model_path).toBe(ready.body.model.file);
    const chat = await request(c.app)
      .post("/v1/chat/completions")
      .send({ model: "any", messages: [{ role: "user", content: "Hello" }], max_tokens: 4 });
    expect(chat.status).toBe(200);
    expect(chat.body.usage.completion_tokens).toBeGreaterThan(0);
  });

  it("lets the candidate wait on the primary's download (one download) and load the same file", async () => {
    const h = await hub();
    h.fault.chunkDelayMs = 25;
    const cache = tempDir("gaia-ref-cache-");
    const primary = core(h, cache);
    await healthUntil(primary, (b) => (b.model?.download?.bytes_done ?? 0) > 0);
    const candidate = core(h, cache, "candidate");
    const waiting = await healthUntil(candidate, (b) => b.model?.download?.phase === "waiting_for_peer");
    expect(waiting.body.status).toBe("loading");
    await Promise.all([primary.started, candidate.started]);
    expect([primary.state.status, candidate.state.status]).toEqual(["ready", "ready"]);
    expect(candidate.state.modelFile).toBe(primary.state.modelFile);
    expect(h.requests.filter((r) => r.path.includes("/manifests/"))).toHaveLength(1);
  });

  it("fails the core with the reason when the hub's copy is shorter than its header declares", async () => {
    const h = await hub();
    h.fault.truncateTo = 1_000_000;
    const c = core(h, tempDir("gaia-ref-cache-"));
    await c.started;
    expect(c.state.status).toBe("failed");
    const health = await request(c.app).get("/health");
    expect(health.status).toBe(503);
    expect(health.body.model.error).toMatch(
      /ModelFetchError: cannot fetch model hf:gaia-test\/lite-GGUF:Q8_0: .* cut short/,
    );
  });
});
