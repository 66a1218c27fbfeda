import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { abortOnClose } from "../../../shared/http/abortOnClose.js";
import { parsePacket } from "../../../shared/packet/index.js";
import type { CoreState } from "../CoreState.js";
import { InvalidJsonError, InvalidPacketError, UnsupportedMediaTypeError } from "../errors/clientErrors.js";
import { NdjsonStream } from "../http/NdjsonStream.js";
import { readyParts, requireReady } from "../http/requireReady.js";
import { settleStreamFailure } from "../http/settleStreamFailure.js";
import { ClientClosedError } from "../pipeline/ClientClosedError.js";
import { completePacket } from "../pipeline/completePacket.js";

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/** Per-request facts for the access log line. */
export interface PacketLogFields {
  packet_id?: string;
  session_id?: string;
  packet_version?: string;
  prompt_tokens?: number;
  completion_tokens?: number;
  kv_reused_tokens?: number;
  history_mode?: string;
  stop?: string;
  replayed?: boolean;
  /** `tool_routing.execution_status` when the packet routed or ran a tool. */
  tool_status?: string;
  streamed?: boolean;
}

/**
 * POST /process_packet — receive: JSON only, parsed within the body limit; validate: the CognitionPacket schema,
 * every problem listed; then the pipeline runs the turn and the completed packet is sent as one JSON document,
 * or as NDJSON tokens + the packet when the client asks for application/x-ndjson. A client that disconnects
 * cancels generation.
 */
export function processPacketRouter(state: CoreState, bodyLimit: string): Router {
  const router = express.Router();
  router.post(
    "/process_packet",
    requireReady(state),
    (req: Request, _res: Response, next: NextFunction) => {
      const type = req.headers["content-type"];
      if (!type || !JSON_MEDIA_TYPE.test(type)) return next(new UnsupportedMediaTypeError(type));
      const length = req.headers["content-length"];
      next(
        length === "0" || (length === undefined && !req.headers["transfer-encoding"])
          ? new InvalidJsonError("the body is empty")
          : undefined,
      );
    },
    express.json({ limit: bodyLimit, strict: false, type: () => true }),
    async (req: Request, res: Response) => {
      const receivedAt = performance.now();
      const parsed = parsePacket(req.body);
      if (!parsed.ok) throw new InvalidPacketError(parsed.problems, parsed.problemCount);
      const { packet, version } = parsed;
      const log = res.locals as PacketLogFields;
      Object.assign(log, {
        packet_id: packet.header.packet_id,
        session_id: packet.header.session_id,
        packet_version: version,
      });
      res.set("X-Gaia-Packet-Version", encodeURIComponent(version));

      const { pipeline } = readyParts(state);

      const cancelled = abortOnClose(res, () => new ClientClosedError());
      const streaming = req.accepts(["application/json", "application/x-ndjson"]) === "application/x-ndjson";
      log.streamed = streaming;
      const stream = streaming ? new NdjsonStream(res) : null;
      try {
        const outcome = await pipeline.run(packet, {
          signal: cancelled,
          ...(stream ? { onToken: (value: string) => stream.write({ type: "token", value }) } : {}),
        });
        const completed = completePacket(packet, outcome, performance.now() - receivedAt, version);
        Object.assign(log, {
          prompt_tokens: outcome.promptTokens,
          completion_tokens: outcome.completionTokens,
          kv_reused_tokens: outcome.reusedPromptTokens,
          history_mode: outcome.historyMode,
          stop: outcome.stopReason,
          replayed: outcome.replayed,
          ...(outcome.toolRouting?.state.execution_status
            ? { tool_status: outcome.toolRouting.state.execution_status }
            : {}),
        });
        if (!stream) {
          res.status(200).json(completed);
          return;
        }
        stream.write({ type: "flush" });
        stream.write({ type: "packet", value: completed });
        stream.end();
      } catch (error) {
        settleStreamFailure(error, cancelled, stream);
      }
    },
  );
  return router;
}
