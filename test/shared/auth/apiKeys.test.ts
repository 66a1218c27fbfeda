import { timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import express from "express";
import request from "supertest";
import { ApiKeys, apiKeysFromEnv, parseKeyList } from "../../../shared/auth/ApiKeys.js";
import { rejectUnauthorized } from "../../../shared/auth/authRejections.js";
import { presentedKey, requireApiKey } from "../../../shared/auth/requireApiKey.js";
import { ConfigError } from "../../../shared/config/env.js";
import { createLogger } from "../../../shared/logging/logger.js";
import { tempDir } from "../../support/processes.js";

describe("ApiKeys", () => {
  it("accepts exactly the configured keys: not a prefix, an extension, another case or an empty string", () => {
    const keys = new ApiKeys(["alpha-key", "beta-key"]);
    expect(keys.accepts("alpha-key")).toBe(true);
    expect(keys.accepts("beta-key")).toBe(true);
    for (const wrong of ["alpha", "alpha-key ", "alpha-keyx", "ALPHA-KEY", "", "gamma-key"])
      expect(keys.accepts(wrong)).toBe(false);
  });

  it("compares in constant time: equal-length digests, every key compared whatever matches", () => {
    const calls: Array<[number, number]> = [];
    const counting = (a: Buffer, b: Buffer) => {
      calls.push([a.length, b.length]);
      return timingSafeEqual(a, b);
    };
    const keys = new ApiKeys(["first", "a much longer second key", "third"], counting);
    for (const presented of ["first", "third", "x", "a much longer second key plus more"]) {
      calls.length = 0;
      keys.accepts(presented);
      // no early exit on a match or a mismatch, and never a length-dependent comparison
      expect(calls).toEqual([
        [32, 32],
        [32, 32],
        [32, 32],
      ]);
    }
  });

  it("reads GAIA_API_KEYS or GAIA_API_KEYS_FILE, and refuses ambiguous or empty settings", () => {
    expect(apiKeysFromEnv({})).toBeNull();
    expect(apiKeysFromEnv({ GAIA_API_KEYS: " a , b ,," })?.size).toBe(2);
    const file = path.join(tempDir("gaia-keys-"), "keys");
    fs.writeFileSync(file, "# gateway\nkey-one\n\nkey-two, key-three\n");
    const fromFile = apiKeysFromEnv({ GAIA_API_KEYS_FILE: file });
    expect(fromFile?.size).toBe(3);
    expect(fromFile?.accepts("key-three")).toBe(true);
    expect(() => apiKeysFromEnv({ GAIA_API_KEYS: "a", GAIA_API_KEYS_FILE: file })).toThrow(ConfigError);
    expect(() => apiKeysFromEnv({ GAIA_API_KEYS_FILE: `${file}.missing` })).toThrow(/GAIA_API_KEYS_FILE: cannot read/);
    // what compose passes when neither of the joined variables is set
    expect(apiKeysFromEnv({ GAIA_API_KEYS: " , " })).toBeNull();
    const empty = path.join(tempDir("gaia-keys-"), "keys");
    fs.writeFileSync(empty, "# nothing yet\n");
    expect(() => apiKeysFromEnv({ GAIA_API_KEYS_FILE: empty })).toThrow(/no key/);
    expect(parseKeyList("x\n#y\n z ")).toEqual(["x", "z"]);
  });

  it("takes the key from Authorization: Bearer first, then X-Api-Key", () => {
    expect(presentedKey({ authorization: "Bearer abc" })).toBe("abc");
    expect(presentedKey({ authorization: "bearer  abc " })).toBe("abc");
    expect(presentedKey({ "x-api-key": "xyz" })).toBe("xyz");
    expect(presentedKey({ authorization: "Bearer abc", "x-api-key": "xyz" })).toBe("abc");
    expect(presentedKey({ authorization: "Basic abc" })).toBeNull();
    expect(presentedKey({})).toBeNull();
  });
});

describe("requireApiKey", () => {
  const app = express();
  app.use(
    requireApiKey({
      keys: new ApiKeys(["s3cret"]),
      isPublic: (req) => req.path === "/health",
      reject: rejectUnauthorized,
    }),
  );
  app.get("/health", (_req, res) => void res.send("ok"));
  app.get("/status", (_req, res) => void res.send("ok"));
  app.get("/v1/models", (_req, res) => void res.send("ok"));

  it("lets /health through and asks every other route for a key, in each route family's error shape", async () => {
    expect((await request(app).get("/health")).status).toBe(200);
    const missing = await request(app).get("/status");
    expect(missing.status).toBe(401);
    expect(missing.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(missing.body).toMatchObject({ status: 401, title: "Unauthorized" });
    const wrongV1 = await request(app).get("/v1/models").set("Authorization", "Bearer nope");
    expect(wrongV1.status).toBe(401);
    expect(wrongV1.body).toEqual({
      error: {
        message: "The API key is not valid.",
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      },
    });
    expect((await request(app).get("/status").set("X-Api-Key", "s3cret")).status).toBe(200);
    expect((await request(app).get("/v1/models").set("Authorization", "Bearer s3cret")).status).toBe(200);
  });

  it("is a no-op without keys", async () => {
    const open = express();
    open.use(requireApiKey({ keys: null, isPublic: () => false, reject: rejectUnauthorized }));
    open.get("/status", (_req, res) => void res.send("ok"));
    expect((await request(open).get("/status")).status).toBe(200);
  });
});

describe("the logger", () => {
  it("redacts API-key headers wherever a request's headers are logged", () => {
    const lines: string[] = [];
    const logger = createLogger({ service: "t", destination: { write: (l: string) => void lines.push(l) } });
    logger.info({ headers: { authorization: "Bearer s3cret", "x-api-key": "s3cret" } }, "direct");
    logger.info({ req: { headers: { authorization: "Bearer s3cret" } } }, "nested");
    logger.info({ upstream: { req: { headers: { "x-api-key": "s3cret" } } } }, "deeper");
    expect(lines).toHaveLength(3);
    expect(lines.join("")).not.toContain("s3cret");
    expect(lines.join("")).toContain("[redacted]");
  });
});
