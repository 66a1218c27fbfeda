// The doctor's key check against real cores with API keys and real gateways sending the right and a wrong CORE_API_KEY.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { checkApiKeys } from "../../doctor/checks/apiKeys.js";
import { type ServiceProcess, spawnCore, spawnService, tempDir } from "../support/processes.js";
import { context } from "./support.js";

const CORE_KEY = "sk-doctor-core-key";
const CLIENT_KEY = "sk-doctor-client-key";
const started: ServiceProcess[] = [];
let primary: ServiceProcess;
let candidate: ServiceProcess;

const gatewayWith = (coreApiKey: string) =>
  spawnService({
    entry: "dist/services/web/main.js",
    env: {
      CORE_ENDPOINT: primary.url,
      CORE_FALLBACK_ENDPOINT: candidate.url,
      GAIA_MAINTENANCE_FLAG: path.join(tempDir("gaia-doctor-keys-"), "ha_maintenance"),
      GAIA_API_KEYS: CLIENT_KEY,
      CORE_API_KEY: coreApiKey,
    },
  });

beforeAll(async () => {
  const env = { GAIA_API_KEYS: CORE_KEY, GAIA_EMBED_MODEL_DIR: "none" };
  [primary, candidate] = await Promise.all([
    spawnCore({ role: "primary", env }),
    spawnCore({ role: "candidate", env }),
  ]);
  started.push(primary, candidate);
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((s) => s.kill("SIGKILL")));
});

const run = async (gateway: ServiceProcess, env: NodeJS.ProcessEnv) =>
  checkApiKeys(
    await context(
      ["--core-url", primary.url, "--candidate-url", candidate.url, "--web-url", gateway.url, "--mode", "process"],
      env,
    ),
  );

describe("doctor: API keys", () => {
  it("passes when the doctor's keys and the gateway's CORE_API_KEY match the cores", async () => {
    const gateway = await gatewayWith(CORE_KEY);
    started.push(gateway);
    const results = await run(gateway, { CORE_API_KEY: CORE_KEY, GAIA_API_KEY: CLIENT_KEY });
    expect(results.map((r) => [r.target, r.id, r.severity])).toEqual([
      ["primary", "core-key", "pass"],
      ["candidate", "core-key", "pass"],
      ["gateway", "gateway-to-core", "pass"],
    ]);
    expect(JSON.stringify(results)).not.toContain(CORE_KEY);
  });

  it("fails on a key mismatch between the gateway and the cores", async () => {
    const gateway = await gatewayWith("sk-not-the-cores-key");
    started.push(gateway);
    const results = await run(gateway, { CORE_API_KEY: CORE_KEY, GAIA_API_KEY: CLIENT_KEY });
    expect(results.find((r) => r.target === "gateway")).toMatchObject({
      severity: "fail",
      message: expect.stringMatching(/^key mismatch/),
    });
  });

  it("fails when it has no key for cores that require one, and when the gateway refuses its key", async () => {
    const gateway = await gatewayWith(CORE_KEY);
    started.push(gateway);
    const results = await run(gateway, { GAIA_API_KEY: "sk-wrong" });
    expect(results.filter((r) => r.id === "core-key").map((r) => r.severity)).toEqual(["fail", "fail"]);
    expect(results.find((r) => r.target === "gateway")).toMatchObject({
      severity: "fail",
      message: "the gateway rejects GAIA_API_KEY",
    });
  });
});
