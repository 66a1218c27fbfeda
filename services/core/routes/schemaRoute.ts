import express, { type Router } from "express";
import { packetJsonSchema } from "../../../shared/packet/index.js";

/** GET /schema: the CognitionPacket JSON Schema generated from the zod source, so clients can validate first. */
export function schemaRouter(): Router {
  const router = express.Router();
  router.get(["/schema", "/schema/cognition-packet.json"], (_req, res) => {
    res.type("application/schema+json").send(JSON.stringify(packetJsonSchema()));
  });
  return router;
}
