import fs from "node:fs";
import path from "node:path";
import { createModelDownloader } from "node-llama-cpp";
import { findCachedModel, modelFolder, recordCachedModel } from "./cachedModel.js";
import { DownloadLock } from "./downloadLock.js";
import { ModelFetchError } from "./ModelFetchError.js";
import { ggufProblem } from "./verifyGguf.js";

/** Where a fetch is: asking the hub which file, downloading, waiting for another core's download, checking the file. */
export interface ModelFetchProgress {
  uri: string;
  phase: "resolving" | "downloading" | "waiting_for_peer" | "verifying";
  bytesDone: number;
  bytesTotal: number | null;
}

export interface FetchModelOptions {
  /** `hf:user/repo[:quant]`, `https://…gguf`, or another form node-llama-cpp's resolver accepts. */
  uri: string;
  cacheDir: string;
  /** The Hugging Face endpoint `hf:` references resolve against (a mirror, or a test's local server). */
  huggingFaceEndpoint?: string | null;
  onProgress?: (progress: ModelFetchProgress) => void;
  /** Stops the download; what was fetched stays for the next attempt to resume. */
  signal?: AbortSignal;
  /** A peer's lock not rewritten for this long is taken over (its core died). Default 30 s. */
  staleLockMs?: number;
  /** How often a waiting core looks at the peer's lock. Default 500 ms. */
  pollMs?: number;
}

export interface FetchedModel {
  /** The GGUF to load (the first part of a split model). */
  path: string;
  /** False when the cache already held it (or a peer core fetched it meanwhile). */
  downloaded: boolean;
}

/**
 * The local file of a model named by reference, fetched once into the cache with node-llama-cpp's own resolver and
 * downloader. Downloads go to the model's `.partial` folder (ipull writes `<name>.ipull` and resumes it after a cut
 * or a restart), are verified (GGUF header, announced size, the size the header implies) and only then renamed into
 * place and recorded: a core never loads a half-written file. Cores sharing the cache take turns through a lock file;
 * the one that waits reports the downloader's progress and then loads the same file.
 */
export async function fetchModel(options: FetchModelOptions): Promise<FetchedModel> {
  const folder = modelFolder(options.cacheDir, options.uri);
  const lockFile = path.join(folder, ".lock");
  const staleMs = options.staleLockMs ?? 30_000;
  fs.mkdirSync(folder, { recursive: true });
  for (;;) {
    options.signal?.throwIfAborted();
    const cached = findCachedModel(folder);
    if (cached) return { path: cached, downloaded: false };
    const lock = DownloadLock.tryAcquire(lockFile, staleMs);
    if (!lock) {
      await waitForPeer(lockFile, options);
      continue;
    }
    try {
      const fetchedMeanwhile = findCachedModel(folder); // the peer finished between our look and the lock
      if (fetchedMeanwhile) return { path: fetchedMeanwhile, downloaded: false };
      return { path: await download(folder, lock, options), downloaded: true };
    } finally {
      lock.release();
    }
  }
}

/** Downloads into `.partial`, verifies every file, moves them into the model's folder, then writes the record. */
async function download(folder: string, lock: DownloadLock, options: FetchModelOptions): Promise<string> {
  const { uri, onProgress } = options;
  const staging = path.join(folder, ".partial");
  fs.mkdirSync(staging, { recursive: true });
  onProgress?.({ uri, phase: "resolving", bytesDone: 0, bytesTotal: null });
  let downloader: Awaited<ReturnType<typeof createModelDownloader>>;
  try {
    downloader = await createModelDownloader({
      modelUri: uri,
      dirPath: staging,
      showCliProgress: false,
      deleteTempFileOnCancel: false, // a later start resumes it
      ...(options.huggingFaceEndpoint ? { endpoints: { huggingFace: options.huggingFaceEndpoint } } : {}),
      onProgress: ({ downloadedSize, totalSize }) => {
        lock.progress(downloadedSize, totalSize);
        onProgress?.({ uri, phase: "downloading", bytesDone: downloadedSize, bytesTotal: totalSize });
      },
    });
  } catch (error) {
    throw new ModelFetchError(uri, (error as Error).message);
  }
  try {
    // a stop keeps the partial file (deleteTempFileOnCancel: false) for the next attempt to resume
    await downloader.download(options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (!options.signal?.aborted) throw new ModelFetchError(uri, `download failed: ${(error as Error).message}`);
  }
  options.signal?.throwIfAborted(); // a stopped download may also resolve
  const files = downloader.filesInfo;
  onProgress?.({ uri, phase: "verifying", bytesDone: downloader.downloadedSize, bytesTotal: downloader.totalSize });
  for (const file of files) {
    const problem = await ggufProblem(file.filePath, file.totalSize);
    if (problem) {
      fs.rmSync(file.filePath, { force: true }); // a bad copy is fetched again next time, never resumed
      throw new ModelFetchError(uri, `${file.fileName} is not a complete GGUF: ${problem}`);
    }
  }
  for (const file of files) fs.renameSync(file.filePath, path.join(folder, file.fileName));
  const entry = downloader.entrypointFilename;
  const ordered = [...files].sort((a, b) => Number(b.fileName === entry) - Number(a.fileName === entry));
  recordCachedModel(folder, {
    uri,
    files: ordered.map((f) => ({ name: f.fileName, bytes: fs.statSync(path.join(folder, f.fileName)).size })),
    verifiedAt: new Date().toISOString(),
  });
  return path.join(folder, entry);
}

/** Waits while a live peer holds the lock, showing its progress; returns when it is gone or stale (then try again). */
async function waitForPeer(lockFile: string, options: FetchModelOptions): Promise<void> {
  const staleMs = options.staleLockMs ?? 30_000;
  const pollMs = options.pollMs ?? 500;
  for (;;) {
    options.signal?.throwIfAborted();
    const state = DownloadLock.read(lockFile);
    if (state === null || DownloadLock.isStale(lockFile, staleMs)) return;
    if (state !== "unreadable")
      options.onProgress?.({
        uri: options.uri,
        phase: "waiting_for_peer",
        bytesDone: state.bytesDone,
        bytesTotal: state.bytesTotal,
      });
    await new Promise<void>((resolve) => setTimeout(resolve, pollMs).unref());
  }
}
