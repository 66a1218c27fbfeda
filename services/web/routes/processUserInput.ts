import express, { type Router } from "express";
import { abortOnClose } from "../../../shared/http/abortOnClose.js";
import { HttpProblem } from "../../../shared/http/HttpProblem.js";
import { sendProblem } from "../../../shared/http/problemResponse.js";
import { buildUserPacket } from "../buildPacket.js";
import type { CoreClient } from "../CoreClient.js";
import { problemForCoreFailure } from "../coreFailure.js";
import { relayResponse } from "../http/relayResponse.js";
import { servedByRole } from "./coreRole.js";

function firstString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return undefined;
}

/**
 * `POST /process_user_input`: plain text in (`?user_input=` as the original, or a JSON body
 * `{user_input, session_id?}`), a packet built as GAIA's gateway builds it, and `{response, packet_id, served_by}` out.
 * Core's own errors (4xx, 500) come back with core's status and problem body.
 */
export function processUserInputRouter(client: CoreClient, bodyLimit: string): Router {
  const router = express.Router();
  router.post("/process_user_input", express.json({ limit: bodyLimit }), async (req, res) => {
    const body = (typeof req.body === "object" && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const userInput = firstString(req.query.user_input) ?? firstString(body.user_input);
    const sessionId = firstString(req.query.session_id) ?? firstString(body.session_id);
    if (userInput === undefined || userInput.trim() === "") {
      throw new HttpProblem(422, "Unprocessable Content", "user_input: required (query parameter or JSON body field)", {
        errors: [{ path: "user_input", message: "required" }],
      });
    }
    const packet = buildUserPacket(userInput, { sessionId: sessionId?.trim() || undefined });
    const packetId = packet.header.packet_id;
    res.locals.packet_id = packetId;
    const signal = abortOnClose(res);

    let served: Awaited<ReturnType<CoreClient["post"]>>;
    try {
      served = await client.post("/process_packet", {
        body: JSON.stringify(packet),
        headers: { "content-type": "application/json", accept: "application/json" },
        signal,
        context: { packet_id: packetId, session_id: packet.header.session_id },
      });
    } catch (error) {
      if (signal.aborted) return;
      return sendProblem(res, problemForCoreFailure(error), req.originalUrl);
    }
    const role = servedByRole(served);
    res.locals.served_by = role;
    res.locals.endpoint = served.servedBy;
    if (!served.response.ok) return relayResponse(served, res);

    const completed = (await served.response.json().catch(() => null)) as {
      header?: { packet_id?: unknown };
      response?: { candidate?: unknown };
    } | null;
    const candidate = completed?.response?.candidate;
    if (typeof candidate !== "string") {
      return sendProblem(
        res,
        new HttpProblem(502, "Bad Gateway", "GAIA Core answered without a completed packet."),
        req.originalUrl,
      );
    }
    const answeredId = completed?.header?.packet_id;
    res.set({ "X-Gaia-Endpoint": served.servedBy, "X-Gaia-Upstream": new URL(served.url).origin }).json({
      response: candidate,
      packet_id: typeof answeredId === "string" ? answeredId : packetId,
      served_by: role,
    });
  });
  return router;
}
