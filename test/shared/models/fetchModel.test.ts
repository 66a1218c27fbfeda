// Fetching a model by reference with node-llama-cpp's own resolver and downloader, offline: a real local HTTP server
// in the hub's URL layout serves the bundled GGUF (whole, cut mid-file, stalled, or as a short copy).
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { findCachedModel, modelFolder } from "../../../shared/models/cachedModel.js";
import { fetchModel, type ModelFetchProgress } from "../../../shared/models/fetchModel.js";
import { ModelFetchError } from "../../../shared/models/ModelFetchError.js";
import { type ModelHub, startModelHub } from "../../support/modelHub.js";
import { BUNDLED_LITE_MODEL, tempDir } from "../../support/processes.js";

// the bundled GGUF with zeros after its tensor data, so it spans three of the downloader's 5 MiB chunks (it resumes
// a cut download from the first chunk it does not have); the tail does not change what the header declares
const GGUF = Buffer.concat([fs.readFileSync(BUNDLED_LITE_MODEL), Buffer.alloc(8 * 1024 * 1024)]);
const CHUNK = 5 * 1024 * 1024;
const URI = "hf:gaia-test/lite-GGUF:Q8_0";
const hubs: ModelHub[] = [];

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function hub(): Promise<ModelHub> {
  const started = await startModelHub("gaia-test", "lite-GGUF", "lite-Q8_0.gguf", GGUF);
  hubs.push(started);
  return started;
}

const fetchFrom = (h: ModelHub, cacheDir: string, extra: Partial<Parameters<typeof fetchModel>[0]> = {}) =>
  fetchModel({ uri: URI, cacheDir, huggingFaceEndpoint: h.url, ...extra });

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("fetchModel", () => {
  it("resolves hf:user/repo:quant through the hub's manifest, downloads once, and serves the cache after", async () => {
    const h = await hub();
    const cache = tempDir("gaia-model-cache-");
    const progress: ModelFetchProgress[] = [];
    const first = await fetchFrom(h, cache, { onProgress: (p) => progress.push(p) });
    expect(first.downloaded).toBe(true);
    expect(fs.readFileSync(first.path).equals(GGUF)).toBe(true);
    expect(path.dirname(first.path)).toBe(modelFolder(cache, URI));
    expect(h.requests.some((r) => r.path === "/v2/gaia-test/lite-GGUF/manifests/Q8_0")).toBe(true);
    expect(progress.at(-2)).toMatchObject({ phase: "downloading", bytesDone: GGUF.length, bytesTotal: GGUF.length });
    expect(progress.at(-1)?.phase).toBe("verifying");

    const served = h.requests.length;
    const again = await fetchFrom(h, cache);
    expect(again).toEqual({ path: first.path, downloaded: false });
    expect(h.requests.length).toBe(served); // no network at all for a cached model
  });

  it("fetches a plain http:// URL (a mirror on the operator's network)", async () => {
    const h = await hub();
    const cache = tempDir("gaia-model-cache-");
    const fetched = await fetchModel({ uri: `${h.url}mirror/lite-Q8_0.gguf`, cacheDir: cache });
    expect(path.basename(fetched.path)).toBe("lite-Q8_0.gguf");
    expect(fs.readFileSync(fetched.path).equals(GGUF)).toBe(true);
  });

  it("after a cut mid-file fetches again only the chunk that was cut, and the file is whole", async () => {
    const h = await hub();
    h.fault.cutOnce = { rangeStart: 0, after: 700_000 };
    const fetched = await fetchFrom(h, tempDir("gaia-model-cache-"));
    expect(fs.readFileSync(fetched.path).equals(GGUF)).toBe(true);
    const ranges = h.fileRequests().flatMap((r) => (r.range ? [r.range] : []));
    // the downloader fetches 5 MiB chunks over ranged requests; the cut one is asked for again, nothing else is
    expect(ranges.filter((r) => r === `bytes=0-${CHUNK - 1}`)).toHaveLength(2);
    expect(new Set(ranges).size).toBe(ranges.length - 1);
  });

  it("resumes a download stopped half-way (a restart) from the chunks it has, never serving the partial file", async () => {
    const h = await hub();
    const cache = tempDir("gaia-model-cache-");
    h.fault.stallFrom = CHUNK; // the first chunk arrives, the others hang
    const stop = new AbortController();
    let done = 0;
    const stopped = fetchFrom(h, cache, { signal: stop.signal, onProgress: (p) => (done = p.bytesDone) });
    await until(() => done >= CHUNK);
    await new Promise((r) => setTimeout(r, 200)); // the downloader records the finished chunk
    stop.abort(new Error("restart"));
    await expect(stopped).rejects.toThrow("restart");
    const folder = modelFolder(cache, URI);
    expect(findCachedModel(folder)).toBeNull();
    expect(fs.readdirSync(folder).filter((f) => f.endsWith(".gguf"))).toEqual([]); // only .partial holds it

    h.fault.stallFrom = undefined;
    h.requests.length = 0;
    const fetched = await fetchFrom(h, cache);
    expect(fs.readFileSync(fetched.path).equals(GGUF)).toBe(true);
    const starts = h.fileRequests().flatMap((r) => (r.range ? [Number(/^bytes=(\d+)-/.exec(r.range)?.[1])] : []));
    expect(starts.length).toBeGreaterThan(0);
    expect(Math.min(...starts)).toBe(CHUNK); // the first chunk was kept
  });

  it("refuses a copy shorter than its GGUF header declares, and keeps nothing of it", async () => {
    const h = await hub();
    h.fault.truncateTo = 2_000_000; // shorter than the tensor data the header declares
    const cache = tempDir("gaia-model-cache-");
    const failed = fetchFrom(h, cache);
    await expect(failed).rejects.toThrow(ModelFetchError);
    await expect(failed).rejects.toThrow(/is not a complete GGUF: it has 2000000 bytes but its GGUF header declares/);
    const folder = modelFolder(cache, URI);
    expect(findCachedModel(folder)).toBeNull();
    expect(fs.readdirSync(path.join(folder, ".partial"))).toEqual([]);
    expect(fs.existsSync(path.join(folder, ".lock"))).toBe(false);

    h.fault.truncateTo = undefined; // the hub is fixed: the next attempt downloads the whole file again
    expect(fs.readFileSync((await fetchFrom(h, cache)).path).equals(GGUF)).toBe(true);
  });

  it("lets a second core wait for the first one's download and load the same file", async () => {
    const h = await hub();
    h.fault.chunkDelayMs = 5;
    const cache = tempDir("gaia-model-cache-");
    let firstDone = 0;
    const first = fetchFrom(h, cache, { onProgress: (p) => (firstDone = p.bytesDone) });
    await until(() => firstDone > 0);
    const waited: ModelFetchProgress[] = [];
    const second = fetchFrom(h, cache, { pollMs: 20, onProgress: (p) => waited.push(p) });
    const [a, b] = await Promise.all([first, second]);
    expect(b).toEqual({ path: a.path, downloaded: false });
    expect(a.downloaded).toBe(true);
    expect(waited.length).toBeGreaterThan(0);
    expect(waited.every((p) => p.phase === "waiting_for_peer")).toBe(true);
    expect(waited.some((p) => p.bytesDone > 0 && p.bytesTotal === GGUF.length)).toBe(true);
    expect(h.requests.filter((r) => r.path.includes("/manifests/"))).toHaveLength(1);
  });

  it("takes over a lock left by a core that died (not rewritten for longer than the stale time)", async () => {
    const h = await hub();
    const cache = tempDir("gaia-model-cache-");
    const folder = modelFolder(cache, URI);
    fs.mkdirSync(folder, { recursive: true });
    const lock = path.join(folder, ".lock");
    fs.writeFileSync(lock, JSON.stringify({ owner: "gone:1", bytesDone: 5, bytesTotal: 10 }));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    const fetched = await fetchFrom(h, cache, { staleLockMs: 5_000 });
    expect(fetched.downloaded).toBe(true);
    expect(fs.existsSync(lock)).toBe(false);
  });
});
