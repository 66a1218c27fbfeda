// A small real HTTP stand-in for gaia-core: completes the packet it receives and says which role it is.
import type http from "node:http";
import { type StubServer, startStub } from "../support/stubServer.js";

export interface StandInCore extends StubServer {
  role: string;
  /** Packets received, parsed. */
  packets(): Array<{ header: { packet_id: string; session_id: string }; content: { original_prompt: string } }>;
}

/** Answers `POST /process_packet` like core: the completed packet as JSON, or NDJSON when asked. */
export function completePacket(
  role: string,
): (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void {
  return (req, res, body) => {
    if (req.method === "GET" && req.url === "/health") {
      // the gateway's active health check
      res.writeHead(200, { "content-type": "application/json", "X-Gaia-Role": role });
      res.end(JSON.stringify({ status: "ready", service: "gaia-core", role }));
      return;
    }
    const packet = JSON.parse(body) as {
      response: { candidate: string };
      content: { original_prompt: string };
      status: Record<string, unknown>;
    };
    packet.response.candidate = `[${role}] echo: ${packet.content.original_prompt}`;
    packet.status = { ...packet.status, finalized: true, state: "completed" };
    const headers = { "X-Gaia-Role": role, "X-Gaia-Build": "test-build" };
    if ((req.headers.accept ?? "").includes("application/x-ndjson")) {
      res.writeHead(200, { ...headers, "content-type": "application/x-ndjson" });
      res.write(`${JSON.stringify({ type: "token", value: "echo" })}\n`);
      res.end(`${JSON.stringify({ type: "flush" })}\n${JSON.stringify({ type: "packet", value: packet })}\n`);
      return;
    }
    res.writeHead(200, { ...headers, "content-type": "application/json" });
    res.end(JSON.stringify(packet));
  };
}

export async function startStandInCore(role: "primary" | "candidate", port = 0): Promise<StandInCore> {
  const stub = await startStub(completePacket(role), port);
  return Object.assign(stub, {
    role,
    packets: () =>
      stub.calls
        .filter((call) => call.method === "POST")
        .map((call) => JSON.parse(call.body) as ReturnType<StandInCore["packets"]>[number]),
  });
}
