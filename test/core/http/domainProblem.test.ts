import { describe, expect, it } from "@jest/globals";
import express from "express";
import { pino } from "pino";
import request from "supertest";
import { domainProblem } from "../../../services/core/http/domainProblem.js";
import { QueueFullError } from "../../../services/core/inference/QueueFullError.js";
import { PromptTooLongError } from "../../../services/core/prompt/PromptTooLongError.js";
import { problemMiddleware } from "../../../shared/http/problemResponse.js";

/** The edge as the core wires it: domain errors thrown by a route, mapped by the one problem middleware. */
function appThrowing(error: Error) {
  const app = express();
  app.post("/process_packet", () => {
    throw error;
  });
  app.use(problemMiddleware({ service: "gaia-core", logger: pino({ level: "silent" }), toProblem: domainProblem }));
  return app;
}

describe("domainProblem at the packet routes' edge", () => {
  it("answers a full queue with 503, Retry-After and the queue's capacity", async () => {
    const res = await request(appThrowing(new QueueFullError(4, 9)))
      .post("/process_packet")
      .expect(503);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.headers["retry-after"]).toBe("9");
    expect(res.body).toMatchObject({
      type: "https://gaia.local/problems/queue-full",
      title: "Queue Full",
      status: 503,
      queue_capacity: 4,
    });
  });

  it("answers a prompt that cannot fit with the client's 422 and the token figures", async () => {
    const res = await request(appThrowing(new PromptTooLongError(900, 400, 512, 112)))
      .post("/process_packet")
      .expect(422);
    expect(res.body).toMatchObject({
      type: "https://gaia.local/problems/prompt-too-long",
      title: "Prompt Too Long",
      prompt_tokens: 900,
      available_tokens: 400,
      context_size: 512,
      max_tokens: 112,
    });
    expect(res.body.detail).toContain("900 tokens");
  });

  it("leaves every other error to the middleware's 500", async () => {
    expect(domainProblem(new Error("bug"))).toBeNull();
    await request(appThrowing(new Error("bug")))
      .post("/process_packet")
      .expect(500);
  });
});
