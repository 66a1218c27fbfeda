// Scale-out under compose: docker-compose.yml + docker-compose.replicas.yml give a Redis and two replicas per role,
// the gateway hashing sessions over the primaries. A conversation stays on one replica while it is up, moves to the
// other one with its whole history when that replica stops, and is stored once per packet in Redis.
// Needs a Redis image (GAIA_CT_REDIS_IMAGE, default redis:7-bookworm; scripts/test-containers.sh builds a local
// stand-in when none can be pulled); without one the suite says SKIPPED.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { turnFacts, turnPacket } from "../fixtures/turnPackets.js";
import {
  compose,
  docker,
  mustCompose,
  mustDocker,
  PROJECT,
  prepareStack,
  report,
  type StackFiles,
  type StackPorts,
  serviceId,
  waitHealthy,
} from "./docker.js";

const REDIS_IMAGE = process.env.GAIA_CT_REDIS_IMAGE ?? "redis:7-bookworm";
const redisImagePresent = (await docker(["image", "inspect", REDIS_IMAGE])).code === 0;
if (!redisImagePresent) process.stderr.write(`replicas under compose: SKIPPED: no ${REDIS_IMAGE} image\n`);
const describeReplicas = redisImagePresent ? describe : describe.skip;

const stack: StackFiles = {
  project: `${PROJECT}rep`,
  files: [
    "docker-compose.yml",
    "docker-compose.replicas.yml",
    "test/containers/docker-compose.test.yml",
    "test/containers/docker-compose.replicas.test.yml",
  ],
  env: { GAIA_REDIS_IMAGE: REDIS_IMAGE, GAIA_REDIS_PREFIX: "ct:" },
};
let ports: StackPorts;

async function send(packetId: string) {
  const res = await fetch(`http://127.0.0.1:${ports.web}/process_packet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(
      turnPacket({ sessionId: "ct-replicas", packetId, prompt: `turn ${packetId}`, temperature: 0 }),
    ),
    signal: AbortSignal.timeout(180_000),
  });
  const body = (await res.json()) as unknown;
  return {
    status: res.status,
    upstream: res.headers.get("x-gaia-upstream"),
    verbatim: res.status === 200 ? Number(/turns_verbatim=(\d+)/.exec(turnFacts(body).summary)?.[1]) : -1,
  };
}

describeReplicas("compose: Redis + two replicas per role behind the gateway", () => {
  beforeAll(async () => {
    ports = await prepareStack();
  });

  afterAll(async () => {
    if (!ports) return;
    await compose(["down", "-v", "--remove-orphans", "-t", "10"], ports, 180_000, stack);
  });

  it("comes up healthy, every core on the Redis store", async () => {
    const started = Date.now();
    await mustCompose(["up", "-d", "--no-build"], ports, 600_000, stack);
    await waitHealthy(await serviceId("gaia-web", ports, stack));
    report("replicas: compose up → gateway healthy", Date.now() - started);
    for (const service of ["gaia-core", "gaia-core-2", "gaia-core-candidate", "gaia-core-candidate-2"]) {
      const id = await serviceId(service, ports, stack);
      const health = await mustDocker([
        "exec",
        id,
        "node",
        "-e",
        "fetch('http://127.0.0.1:6415/health').then(r=>r.text()).then(t=>process.stdout.write(t))",
      ]);
      expect(JSON.parse(health.stdout)).toMatchObject({
        status: "ready",
        session_store: { store: expect.stringMatching(/^redis redis:6379/), writable: true },
      });
    }
  });

  it("keeps a session on one replica, then on the other with its whole history when the first stops", async () => {
    const first = await send("r1");
    const second = await send("r2");
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.upstream).toBe(first.upstream);
    expect(second.verbatim).toBe(1);

    const preferred = new URL(first.upstream as string).hostname; // the compose service name
    await mustCompose(["stop", preferred], ports, 120_000, stack);
    const third = await send("r3");
    expect(third.status).toBe(200);
    expect(third.upstream).not.toBe(first.upstream);
    expect(third.verbatim).toBe(2);

    const hash = createHash("sha256").update("ct-replicas", "utf8").digest("hex").slice(0, 32);
    const redis = await serviceId("redis", ports, stack);
    const stored = await mustDocker(["exec", redis, "redis-cli", "ZRANGE", `ct:session:${hash}:order`, "0", "-1"]);
    expect(stored.stdout.trim().split("\n")).toEqual(["r1", "r2", "r3"]);
    await mustCompose(["start", preferred], ports, 120_000, stack);
  });
});
