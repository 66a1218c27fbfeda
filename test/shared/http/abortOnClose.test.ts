import { describe, expect, it } from "@jest/globals";
import express from "express";
import request from "supertest";
import { abortOnClose } from "../../../shared/http/abortOnClose.js";

describe("abortOnClose", () => {
  it("aborts with the given reason when the client leaves before the answer, and not after a complete answer", async () => {
    const signals: AbortSignal[] = [];
    let clientLeft!: () => void;
    const left = new Promise<void>((resolve) => (clientLeft = resolve));
    const app = express();
    app.get("/slow", (_req, res) => {
      const signal = abortOnClose(res, () => new Error("client left"));
      signals.push(signal);
      signal.addEventListener("abort", () => clientLeft());
      res.write("partial"); // never ends
    });
    app.get("/fast", (_req, res) => {
      signals.push(abortOnClose(res));
      res.send("whole");
    });
    await request(app).get("/fast").expect(200);
    const slow = request(app).get("/slow").timeout(200);
    await expect(slow).rejects.toThrow();
    await left;
    expect(signals[0]!.aborted).toBe(false);
    expect(signals[1]!.aborted).toBe(true);
    expect((signals[1]!.reason as Error).message).toBe("client left");
  });
});
