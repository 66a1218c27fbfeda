// Hostile and careless input against the real core app on the real bundled GGUF (SPEC §16): every answer is a 4xx,
// small, and nothing reaches the session store.
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { MAX_LISTED_PROBLEMS } from "../../shared/packet/index.js";
import { gatewayPacket } from "../fixtures/packets.js";
import { type Listening, listen } from "../support/listen.js";
import { startTestCore, type TestCore } from "../support/testCore.js";

let core: TestCore;
let server: Listening;
beforeAll(async () => {
  core = await startTestCore();
  expect(core.state.status).toBe("ready");
  // a real socket and fetch: supertest would JSON-encode a Buffer body sent as application/json
  server = await listen(core.app);
});
afterAll(async () => {
  await server.close();
  await core.dispose();
});

/** `{"a":{"a":…{}}}` as JSON text, `depth` deep (built as text: JSON.stringify would recurse). */
const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}{}${"}".repeat(depth)}`;

/** The gateway's packet for `session`, with `extra` (JSON text) spliced in as `reasoning.extra`. */
function packetWithReasoningExtra(session: string, extra: string): string {
  const packet = gatewayPacket((p) => {
    p.header.session_id = session;
    p.header.packet_id = `${session}-p1`;
  });
  const text = JSON.stringify(packet);
  return text.replace('"reasoning":{', `"reasoning":{"extra":${extra},`);
}

/** POSTs `body` as bytes; the answer's status, text and parsed JSON (or null). */
async function postText(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: new Uint8Array(Buffer.from(body)),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: a test reads the JSON body as supertest's res.body would
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the test looks at the text
  }
  return { status: res.status, headers: Object.fromEntries(res.headers), text, body: json };
}

describe("kept values nested too deep (defect 1)", () => {
  it.each([
    ["JSON", {}],
    ["NDJSON", { Accept: "application/x-ndjson" }],
  ])("are a 422 naming the path over %s, and nothing is stored", async (format, headers) => {
    const session = `deep-${format}`;
    const res = await postText("/process_packet", packetWithReasoningExtra(session, nestedJson(3000)), headers);
    expect(res.status).toBe(422);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].path).toMatch(/^reasoning\.extra\.a\.a/);
    expect(res.body.errors[0].message).toContain("nested deeper than");
    expect(await core.store.load(session)).toEqual([]);
  });
});

describe("a body of 10^5 invalid items (defect 3)", () => {
  it("gets a small problem document: the first problems and the total count", async () => {
    const packet = gatewayPacket((p) => {
      (p.context as Record<string, unknown>).cheatsheets = Array.from({ length: 100_000 }, () => 1);
    });
    const res = await postText("/process_packet", JSON.stringify(packet));
    expect(res.status).toBe(422);
    expect(res.body.problem_count).toBe(100_000);
    expect(res.body.errors).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(res.text.length).toBeLessThan(20_000);
  });
});

describe("bodies that cannot be decoded (defect 4)", () => {
  const packet = JSON.stringify(gatewayPacket());
  const chat = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 2 });
  it.each([
    ["gzip", "/process_packet", packet],
    ["br", "/process_packet", packet],
    ["deflate", "/process_packet", packet],
    ["gzip", "/v1/chat/completions", chat],
    ["br", "/v1/embeddings", '{"input":"x"}'],
  ])("Content-Encoding %s with a body that is not is a 400 on %s", async (encoding, path, body) => {
    const res = await postText(path, Buffer.from(body), { "Content-Encoding": encoding });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/Content-Encoding/);
  });

  it("an unknown Content-Encoding is a 415, a truncated gzip body a 400", async () => {
    expect((await postText("/process_packet", packet, { "Content-Encoding": "zstd-x" })).status).toBe(415);
    const truncated = zlib.gzipSync(packet).subarray(0, 40);
    expect((await postText("/process_packet", truncated, { "Content-Encoding": "gzip" })).status).toBe(400);
  });

  it("a real gzip body is still read", async () => {
    const res = await postText("/process_packet", zlib.gzipSync(packet), { "Content-Encoding": "gzip" });
    expect(res.status).toBe(200);
  });
});

describe("response_format with a JSON Schema nested 10,000 deep (defect 5)", () => {
  it("is a 400 naming the field", async () => {
    const schema = `${'{"type":"object","properties":{"a":'.repeat(5000)}{"type":"string"}${"}}".repeat(5000)}`;
    const body =
      '{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":2,' +
      `"response_format":{"type":"json_schema","json_schema":{"name":"deep","schema":${schema}}}}`;
    const res = await postText("/v1/chat/completions", body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      type: "invalid_request_error",
      param: "response_format.json_schema.schema",
    });
    expect(res.body.error.message).toContain("nested deeper than");
  });

  it("so are a tool's parameters", async () => {
    const schema = `${'{"type":"object","properties":{"a":'.repeat(5000)}{"type":"string"}${"}}".repeat(5000)}`;
    const body =
      '{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":2,' +
      `"tools":[{"type":"function","function":{"name":"deep","parameters":${schema}}}]}`;
    const res = await postText("/v1/chat/completions", body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", param: "tools[0].function.parameters" });
  });
});
