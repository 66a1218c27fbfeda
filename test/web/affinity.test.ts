// Session affinity in the gateway's client, against real HTTP stub cores on loopback (no model needed: the stubs
// only say who they are) and with an injected DNS lookup for discovery.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AffinityClient } from "../../services/web/affinity/AffinityClient.js";
import { CoreEndpoints } from "../../services/web/affinity/CoreEndpoints.js";
import { rendezvousOrder } from "../../services/web/affinity/rendezvousOrder.js";
import { ResilientClient } from "../../services/web/http/index.js";
import { json, type StubServer, startStub } from "../support/stubServer.js";

let cores: StubServer[] = [];

beforeAll(async () => {
  cores = await Promise.all([0, 1, 2].map((i) => startStub(json(200, { core: i }))));
});

afterAll(async () => {
  await Promise.all(cores.map((c) => c.close()));
});

const clientOver = (urls: () => readonly string[]) =>
  new AffinityClient({
    endpoints: urls,
    clientFor: (primaryUrl, fallbackUrl) =>
      new ResilientClient({ primaryUrl, fallbackUrl, maxAttempts: 1, baseDelayMs: 1, breakerThreshold: 1 }),
  });

const send = async (client: AffinityClient, sessionId: string) => {
  const served = await client.post("/process_packet", {
    body: "{}",
    context: { packet_id: `p-${Math.random()}`, session_id: sessionId },
  });
  return { url: new URL(served.url).origin, body: (await served.response.json()) as { core: number } };
};

describe("AffinityClient", () => {
  it("sends every packet of a session to the same replica, the one ranked first for its session_id", async () => {
    const urls = cores.map((c) => c.url);
    const client = clientOver(() => urls);
    for (const session of ["alpha", "beta", "gamma", "delta"]) {
      const expected = rendezvousOrder(session, urls)[0];
      for (let i = 0; i < 3; i++) expect((await send(client, session)).url).toBe(expected);
    }
  });

  it("spreads sessions over all replicas", async () => {
    const urls = cores.map((c) => c.url);
    const client = clientOver(() => urls);
    const used = new Set<string>();
    for (let i = 0; i < 30; i++) used.add((await send(client, `spread-${i}`)).url);
    expect(used.size).toBe(3);
  });

  it("fails a session over to its second-ranked replica when the first is down", async () => {
    const dead = await startStub(json(200, {}));
    const deadUrl = dead.url;
    await dead.close();
    const urls = [...cores.map((c) => c.url), deadUrl];
    const session = Array.from({ length: 200 }, (_, i) => `s${i}`).find(
      (s) => rendezvousOrder(s, urls)[0] === deadUrl,
    ) as string;
    const client = clientOver(() => urls);
    expect((await send(client, session)).url).toBe(rendezvousOrder(session, urls)[1]);
    const health = client.state();
    expect(health.replicas.map((r) => r.url)).toEqual(urls);
    expect(health.replicas.find((r) => r.url === deadUrl)?.last_failure).not.toBeNull();
  });
  it("releases the pair clients of a replica that left (their health checks stop), and only those", async () => {
    let urls = cores.map((c) => c.url);
    const made: ResilientClient[] = [];
    const released: ResilientClient[] = [];
    const client = new AffinityClient({
      endpoints: () => urls,
      clientFor: (primaryUrl, fallbackUrl) => {
        const pair = new ResilientClient({ primaryUrl, fallbackUrl, maxAttempts: 1, baseDelayMs: 1 });
        made.push(pair);
        return pair;
      },
      release: (gone) => released.push(gone),
    });
    for (let i = 0; i < 30; i++) await send(client, `release-${i}`);
    const gone = cores[2]?.url as string;
    const usingGone = made.filter((pair) => [pair.state().primary.url, pair.state().fallback?.url].includes(gone));
    expect(usingGone.length).toBeGreaterThan(0);
    urls = urls.filter((u) => u !== gone);
    await send(client, "after-the-replica-left");
    expect(new Set(released)).toEqual(new Set(usingGone));
  });
});

describe("CoreEndpoints", () => {
  it("keeps a static list as given (duplicates removed)", async () => {
    const endpoints = new CoreEndpoints({ urls: ["http://a:1", "http://b:1", "http://a:1"], discovery: "static" });
    await endpoints.start();
    expect(endpoints.current()).toEqual(["http://a:1", "http://b:1"]);
  });

  it("expands a DNS name to one endpoint per address and keeps the last list when a lookup fails", async () => {
    let answer: { address: string; family: number }[] | Error = [
      { address: "10.0.0.2", family: 4 },
      { address: "10.0.0.1", family: 4 },
      { address: "fd00::3", family: 6 },
    ];
    const endpoints = new CoreEndpoints({
      urls: ["http://gaia-core-headless:6415"],
      discovery: "dns",
      lookup: async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    await endpoints.refresh();
    expect(endpoints.current()).toEqual(["http://10.0.0.1:6415", "http://10.0.0.2:6415", "http://[fd00::3]:6415"]);
    answer = new Error("ENOTFOUND");
    await endpoints.refresh();
    expect(endpoints.current()).toHaveLength(3);
    answer = [{ address: "10.0.0.9", family: 4 }];
    await endpoints.refresh();
    expect(endpoints.current()).toEqual(["http://10.0.0.9:6415"]);
    answer = [];
    await endpoints.refresh();
    expect(endpoints.current()).toEqual(["http://10.0.0.9:6415"]); // an empty answer never empties the list
  });
});
