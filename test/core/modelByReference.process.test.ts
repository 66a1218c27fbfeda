// The compiled core as a process with GAIA_LITE_MODEL=hf:… (a local hub server in this test): it listens at once,
// downloads into GAIA_MODEL_CACHE, logs the progress, becomes ready; a restart loads the cached file without the hub.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type ModelHub, startModelHub } from "../support/modelHub.js";
import { BUNDLED_LITE_MODEL, spawnCore, tempDir } from "../support/processes.js";

const GGUF = fs.readFileSync(BUNDLED_LITE_MODEL);
const REF = "hf:gaia-test/lite-GGUF:Q8_0";
let hub: ModelHub;

beforeAll(async () => {
  hub = await startModelHub("gaia-test", "lite-GGUF", "lite-Q8_0.gguf", GGUF);
});
afterAll(async () => {
  await hub?.close();
});

describe("gaia-core process with a model by reference", () => {
  it("downloads it once, logs the progress, serves it, and loads it from the cache on the next start", async () => {
    const cache = tempDir("gaia-ref-process-cache-");
    const env = { GAIA_LITE_MODEL: REF, GAIA_MODEL_CACHE: cache, GAIA_HF_ENDPOINT: hub.url, LOG_LEVEL: "info" };
    const first = await spawnCore({ env });
    try {
      const health = (await (await fetch(`${first.url}/health`)).json()) as { model: { path: string; file: string } };
      expect(health.model.path).toBe(REF);
      expect(fs.readFileSync(health.model.file).equals(GGUF)).toBe(true);
      const log = first.output();
      expect(log).toMatch(/"phase":"downloading".*"percent":100.*"msg":"model downloading"/);
      expect(log).toContain('"msg":"model downloaded and verified"');
    } finally {
      await first.kill();
    }
    const requests = hub.requests.length;
    const second = await spawnCore({ env });
    try {
      expect(second.output()).toContain('"msg":"model found in the cache"');
      expect(hub.requests.length).toBe(requests);
    } finally {
      await second.kill();
    }
  });
});
