import { Writable } from "node:stream";
import { describe, expect, it } from "@jest/globals";
import express from "express";
import { pino } from "pino";
import request from "supertest";
import { requestLog } from "../../../shared/http/requestLog.js";

/** A real pino logger at debug whose JSON lines are collected. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), lines };
}

/** pino writes asynchronously to the sink: wait until `count` lines arrived. */
async function until(lines: unknown[], count: number): Promise<void> {
  for (let i = 0; i < 100 && lines.length < count; i++) await new Promise((r) => setImmediate(r));
}

describe("requestLog", () => {
  it("logs one line per request with res.locals, and quiet paths at debug", async () => {
    const { logger, lines } = capturedLogger();
    const app = express();
    app.use(requestLog(logger, { quietPaths: ["/health", "/metrics"] }));
    app.get("/health", (_req, res) => res.send("ok"));
    app.get("/metrics", (_req, res) => res.send("m"));
    app.post("/work", (_req, res) => {
      res.locals.packet_id = "p1";
      res.status(201).send("done");
    });
    await request(app).get("/health").expect(200);
    await request(app).get("/metrics").expect(200);
    await request(app).post("/work").expect(201);
    await until(lines, 3);
    expect(lines.map((l) => [l.path, l.level])).toEqual([
      ["/health", 20],
      ["/metrics", 20],
      ["/work", 30],
    ]);
    expect(lines[2]).toMatchObject({ method: "POST", status: 201, packet_id: "p1", msg: "request" });
    expect(lines[2]).not.toHaveProperty("aborted");
    expect(typeof lines[2]!.latency_ms).toBe("number");
  });

  it("logs the full path of a request served inside a router (/v1/models, not /models), without the query", async () => {
    const { logger, lines } = capturedLogger();
    const app = express();
    app.use(requestLog(logger));
    const v1 = express.Router();
    v1.get("/models", (_req, res) => res.send("m"));
    app.use("/v1", v1);
    await request(app).get("/v1/models?limit=1").expect(200);
    await until(lines, 1);
    expect(lines[0]).toMatchObject({ method: "GET", path: "/v1/models", status: 200 });
  });

  it("quiets only /health by default", async () => {
    const { logger, lines } = capturedLogger();
    const app = express();
    app.use(requestLog(logger));
    app.get("/metrics", (_req, res) => res.send("m"));
    await request(app).get("/metrics").expect(200);
    await until(lines, 1);
    expect(lines[0]).toMatchObject({ path: "/metrics", level: 30 });
  });
});
