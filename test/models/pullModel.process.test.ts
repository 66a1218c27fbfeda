// The compiled `npm run models -- pull <ref>` (needs `npm run build`): fetches into GAIA_MODEL_CACHE from a local hub
// server once, then finds it in the cache; a core pointed at the same cache then starts without downloading.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { findCachedModel, modelFolder } from "../../shared/models/cachedModel.js";
import { fetchModel } from "../../shared/models/fetchModel.js";
import { type ModelHub, startModelHub } from "../support/modelHub.js";
import { BUNDLED_LITE_MODEL, REPO_ROOT, tempDir } from "../support/processes.js";

const cli = path.join(REPO_ROOT, "dist/models/scripts/ensureModels.js");
const GGUF = fs.readFileSync(BUNDLED_LITE_MODEL);
const REF = "hf:gaia-test/lite-GGUF:Q8_0";
let hub: ModelHub;

beforeAll(async () => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npx tsc -p tsconfig.build.json\` first`);
  hub = await startModelHub("gaia-test", "lite-GGUF", "lite-Q8_0.gguf", GGUF);
});
afterAll(async () => {
  await hub?.close();
});

/** Runs the CLI without blocking the event loop (the hub server answers it from this process). */
function runCli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: tempDir("gaia-pull-home-"), ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() }));
  });
}

describe("npm run models -- pull", () => {
  it("downloads a reference into GAIA_MODEL_CACHE once, with progress, then reports it as cached", async () => {
    const cache = tempDir("gaia-pull-cache-");
    const env = { GAIA_MODEL_CACHE: cache, GAIA_HF_ENDPOINT: hub.url };
    const first = await runCli(["pull", REF], env);
    expect(first.code).toBe(0);
    const file = findCachedModel(modelFolder(cache, REF));
    expect(file).not.toBeNull();
    expect(first.stdout).toBe(`model: downloaded ${REF} → ${file}`);
    expect(first.stderr).toMatch(/^pull: resolving$/m);
    expect(first.stderr).toMatch(/^pull: downloading 100% \(3\.5 MB of 3\.5 MB\)$/m);
    expect(fs.readFileSync(file as string).equals(GGUF)).toBe(true);

    const manifests = hub.requests.filter((r) => r.path.includes("/manifests/")).length;
    const second = await runCli(["pull", REF], env);
    expect(second).toMatchObject({ code: 0, stdout: `model: ${REF} already in the cache (${file})` });
    expect(hub.requests.filter((r) => r.path.includes("/manifests/")).length).toBe(manifests);
    // what a core does at start finds the same file without the network
    expect(await fetchModel({ uri: REF, cacheDir: cache })).toEqual({ path: file, downloaded: false });
  });

  it("refuses a file path or a missing reference with the usage (exit 2)", async () => {
    const notRef = await runCli(["pull", "models/x.gguf"], {});
    expect(notRef.code).toBe(2);
    expect(notRef.stderr).toMatch(/is not a model reference/);
    expect((await runCli(["pull"], {})).code).toBe(2);
  });
});
