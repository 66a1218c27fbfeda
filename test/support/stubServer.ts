// A real HTTP server on 127.0.0.1 for client tests: records every request, answers with a swappable handler.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  at: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type StubHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

export interface StubServer {
  url: string;
  port: number;
  calls: RecordedCall[];
  handler: StubHandler;
  close(): Promise<void>;
}

/** Starts a server; `handler` can be replaced later through the returned object. */
export async function startStub(handler: StubHandler, port = 0): Promise<StubServer> {
  const stub: StubServer = { url: "", port: 0, calls: [], handler, close: async () => undefined };
  const server = http.createServer((req, res) => {
    // recorded on arrival (the body is filled in when it has been read), so a client that gives up early still counts
    const call: RecordedCall = {
      at: performance.now(),
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body: "",
    };
    stub.calls.push(call);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      call.body = Buffer.concat(chunks).toString();
      stub.handler(req, res, call.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  stub.port = (server.address() as AddressInfo).port;
  stub.url = `http://127.0.0.1:${stub.port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

/** Handler helpers. */
export const json =
  (status: number, value: unknown, headers: Record<string, string> = {}): StubHandler =>
  (_req, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(value));
  };

/** Never answers (until the server closes): a slow upstream. */
export const hang: StubHandler = () => undefined;

/** Drops the connection without answering: "other side closed". */
export const dropConnection: StubHandler = (req) => req.socket.destroy();

/** Answers with each handler in turn, repeating the last one. */
export function sequence(...handlers: StubHandler[]): StubHandler {
  let index = 0;
  return (req, res, body) => {
    const handler = handlers[Math.min(index++, handlers.length - 1)]!;
    handler(req, res, body);
  };
}
