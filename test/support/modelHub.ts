// A real HTTP server on 127.0.0.1 that serves GGUF files in the Hugging Face hub's URL layout (the manifest
// node-llama-cpp's resolver asks for, then /<user>/<repo>/resolve/main/<file>) and as a plain mirror URL, with range
// requests, and faults on demand: a connection cut mid-file, a stall, a copy shorter than the real file.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface HubRequest {
  method: string;
  path: string;
  range: string | null;
}

export interface HubFault {
  /** The next data request (a ranged GET) for the range starting at `rangeStart` is cut after `after` bytes. */
  cutOnce?: { rangeStart: number; after: number };
  /** Data requests for ranges starting at or after this offset send 64 KiB, then hang until the client goes away. */
  stallFrom?: number;
  /** The file is served as only this many bytes (a mirror's half-copied file, announced with that size). */
  truncateTo?: number;
  /** Pause this long between 64 KiB chunks (so a download is slow enough to overlap with another core). */
  chunkDelayMs?: number;
}

export interface ModelHub {
  /** The hub's endpoint, with a trailing slash (node-llama-cpp's `endpoints.huggingFace`). */
  url: string;
  requests: HubRequest[];
  fault: HubFault;
  /** Requests for the file's bytes (not the manifest). */
  fileRequests(): HubRequest[];
  close(): Promise<void>;
}

/** Serves `bytes` as `/<user>/<repo>/resolve/main/<fileName>` (manifest for any tag) and as `/mirror/<fileName>`. */
export async function startModelHub(user: string, repo: string, fileName: string, full: Buffer): Promise<ModelHub> {
  const hub: ModelHub = {
    url: "",
    requests: [],
    fault: {},
    fileRequests: () => hub.requests.filter((r) => !r.path.includes("/manifests/")),
    close: async () => undefined,
  };
  const filePaths = new Set([`/${user}/${repo}/resolve/main/${fileName}`, `/mirror/${fileName}`]);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://hub");
    hub.requests.push({ method: req.method ?? "", path: url.pathname, range: req.headers.range ?? null });
    if (url.pathname.startsWith(`/v2/${user}/${repo}/manifests/`)) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ggufFile: { rfilename: fileName, size: full.length } }));
      return;
    }
    if (!filePaths.has(url.pathname)) {
      res.writeHead(404).end("not found");
      return;
    }
    const bytes = hub.fault.truncateTo === undefined ? full : full.subarray(0, hub.fault.truncateTo);
    void serveRange(req, res, bytes, hub.fault);
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  hub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return hub;
}

async function serveRange(req: http.IncomingMessage, res: http.ServerResponse, bytes: Buffer, fault: HubFault) {
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
  const start = range ? Number(range[1]) : 0;
  const end = range?.[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
  const headers: http.OutgoingHttpHeaders = {
    "content-type": "application/octet-stream",
    "accept-ranges": "bytes",
    "content-length": end - start + 1,
    "content-disposition": "attachment",
  };
  if (range) headers["content-range"] = `bytes ${start}-${end}/${bytes.length}`;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === "HEAD") return res.end();
  const body = bytes.subarray(start, end + 1);
  // the downloader's first GET only reads the headers (size, range support); its data requests carry a Range
  const cut = range && fault.cutOnce?.rangeStart === start ? fault.cutOnce.after : undefined;
  if (cut !== undefined) fault.cutOnce = undefined;
  const stall = range && fault.stallFrom !== undefined && start >= fault.stallFrom ? 65536 : undefined;
  const limit = Math.min(cut ?? stall ?? body.length, body.length);
  for (let at = 0; at < limit; at += 65536) {
    if (res.destroyed) return;
    const chunk = body.subarray(at, Math.min(at + 65536, limit));
    if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve));
    if (fault.chunkDelayMs) await new Promise((resolve) => setTimeout(resolve, fault.chunkDelayMs));
  }
  if (cut !== undefined) return res.destroy(); // the connection drops mid-file
  if (stall !== undefined && stall < body.length) return; // hangs until the client leaves
  res.end();
}
