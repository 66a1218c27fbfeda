import express, { type Router } from "express";
import { abortOnClose } from "../../../shared/http/abortOnClose.js";
import { sendProblem } from "../../../shared/http/problemResponse.js";
import type { CoreClient } from "../CoreClient.js";
import { problemForCoreFailure } from "../coreFailure.js";
import { relayResponse } from "../http/relayResponse.js";
import { servedByRole } from "./coreRole.js";

/** Best effort, for the log line and session affinity only: core validates the packet, the gateway does not. */
function idsOf(body: Buffer): { packet_id?: string; session_id?: string } {
  try {
    const header = (JSON.parse(body.toString("utf8")) as { header?: { packet_id?: unknown; session_id?: unknown } })
      .header;
    return {
      ...(typeof header?.packet_id === "string" ? { packet_id: header.packet_id } : {}),
      ...(typeof header?.session_id === "string" ? { session_id: header.session_id } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * `POST /process_packet`: for clients that already hold a packet. The body goes to core byte for byte (same
 * packet_id on failover, so core's idempotency holds), and core's answer comes back unchanged: JSON, or NDJSON
 * streamed through unbuffered when the client sends `Accept: application/x-ndjson`.
 */
export function processPacketRouter(client: CoreClient, bodyLimit: string): Router {
  const router = express.Router();
  router.post("/process_packet", express.raw({ type: () => true, limit: bodyLimit }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const ids = idsOf(body);
    if (ids.packet_id) res.locals.packet_id = ids.packet_id;
    const signal = abortOnClose(res);
    let served: Awaited<ReturnType<CoreClient["post"]>>;
    try {
      served = await client.post("/process_packet", {
        body,
        headers: {
          "content-type": req.get("content-type") ?? "application/json",
          accept: req.get("accept") ?? "application/json",
        },
        signal,
        context: ids,
      });
    } catch (error) {
      if (signal.aborted) return;
      return sendProblem(res, problemForCoreFailure(error), req.originalUrl);
    }
    res.locals.served_by = servedByRole(served);
    res.locals.endpoint = served.servedBy;
    await relayResponse(served, res);
  });
  return router;
}
