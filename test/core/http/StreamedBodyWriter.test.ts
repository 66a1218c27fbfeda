import { describe, expect, it } from "@jest/globals";
import express, { type Response } from "express";
import request from "supertest";
import { NdjsonStream } from "../../../services/core/http/NdjsonStream.js";
import { StreamedBodyWriter } from "../../../services/core/http/StreamedBodyWriter.js";

/** A real response whose socket writes are recorded, in order, beside the events the test logs. */
function recordWrites(res: Response, order: string[]): void {
  const write = res.write.bind(res) as (chunk: string) => boolean;
  res.write = ((chunk: string) => {
    order.push(`write ${JSON.stringify(chunk)}`);
    return write(chunk);
  }) as Response["write"];
}

describe("StreamedBodyWriter", () => {
  it("writes after an immediate queued behind the chunk has run (where node-llama-cpp dispatches its next decode)", async () => {
    const order: string[] = [];
    const app = express();
    app.get("/stream", (_req, res) => {
      recordWrites(res, order);
      res.flushHeaders();
      const body = new StreamedBodyWriter(res);
      body.write("a\n");
      body.write("b\n");
      setImmediate(() => order.push("dispatch"));
      setTimeout(() => body.end(), 20);
    });
    const res = await request(app).get("/stream").expect(200);
    expect(res.text).toBe("a\nb\n");
    expect(order).toEqual(["dispatch", 'write "a\\nb\\n"']);
  });

  it("writes what is pending when the stream ends in the same turn, in order", async () => {
    const app = express();
    app.get("/stream", (_req, res) => {
      const stream = new NdjsonStream(res);
      for (let i = 0; i < 5; i++) stream.write({ type: "token", value: `t${i}` });
      stream.write({ type: "flush" });
      stream.end();
    });
    const res = await request(app).get("/stream").expect(200);
    expect(res.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    expect(
      res.text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual([...[0, 1, 2, 3, 4].map((i) => ({ type: "token", value: `t${i}` })), { type: "flush" }]);
  });

  it("drops what is pending once the client has gone, without throwing", async () => {
    const app = express();
    let settled: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      settled = resolve;
    });
    app.get("/stream", (req, res) => {
      res.flushHeaders();
      const body = new StreamedBodyWriter(res);
      req.socket.destroy();
      body.write("lost\n");
      setTimeout(() => {
        body.end();
        settled();
      }, 20);
    });
    await expect(request(app).get("/stream")).rejects.toThrow();
    await done;
  });
});
