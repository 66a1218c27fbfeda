// A slow client on a raw socket: announces a body, then sends it a byte at a time until the server closes the socket.
import net from "node:net";

export interface TrickleOutcome {
  /** What the server sent before it closed (status line, headers, body), "" if nothing. */
  response: string;
  /** Body bytes sent before the socket closed (always fewer than announced when the server cut it). */
  bytesSent: number;
  announced: number;
}

/**
 * Sends `POST path` with `Content-Length: announced` and trickles the body one byte every `everyMs`; resolves when
 * the server closes the connection. Never resolves on its own otherwise: the test's timeout is the failure.
 */
export function trickleBody(
  url: string,
  path: string,
  options: {
    headers?: Record<string, string>;
    announced?: number;
    everyMs?: number;
    /** Never finish the headers: send one more header byte every `everyMs` instead of the body. */
    headersOnlyTrickle?: boolean;
  } = {},
): Promise<TrickleOutcome> {
  const { port, hostname } = new URL(url);
  const announced = options.announced ?? 100_000;
  const headers = {
    Host: `${hostname}:${port}`,
    "Content-Type": "application/json",
    "Content-Length": String(announced),
    ...options.headers,
  };
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let response = "";
    let bytesSent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on("connect", () => {
      const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
      if (options.headersOnlyTrickle) {
        socket.write(`POST ${path} HTTP/1.1\r\n${head.join("")}X-Trickle: `);
        timer = setInterval(() => socket.destroyed || socket.write("x"), options.everyMs ?? 50);
        return;
      }
      socket.write(`POST ${path} HTTP/1.1\r\n${head.join("")}\r\n{`);
      bytesSent = 1;
      timer = setInterval(() => {
        if (bytesSent >= announced - 1 || socket.destroyed) return;
        socket.write(" ");
        bytesSent += 1;
      }, options.everyMs ?? 50);
    });
    socket.on("data", (chunk: Buffer) => (response += chunk.toString()));
    socket.on("error", () => undefined); // a reset is a close too
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ response, bytesSent, announced });
    });
  });
}
