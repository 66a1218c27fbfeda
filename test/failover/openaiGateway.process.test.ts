// The OpenAI-compatible API through the compiled gateway in front of two real gaia-core processes, all three with
// API keys, driven by the official openai SDK; the primary is killed -9 mid-test and the candidate answers.
// Needs `npm run build` and `npm run models`.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import OpenAI from "openai";
import { modelId } from "../../services/core/openai/modelId.js";
import { abortedChatStream } from "../support/abortedChatStream.js";
import { type ServiceProcess, spawnCore, TINY_TEST_MODEL } from "../support/processes.js";
import { waitFor } from "../support/waitFor.js";
import { CORE_ENV, type Core, startGateway } from "./pair.js";

const CLIENT_KEY = "sk-gateway-client-key-42";
const CORE_KEY = "sk-core-internal-key-17";

let primary: Core;
let candidate: Core;
let gateway: ServiceProcess;
let client: OpenAI;

// a high cap and the random-weight model (it practically never ends by itself, unlike the bigram model), so a stream
// is long enough to be aborted mid-way
const coreEnv = { ...CORE_ENV, GAIA_API_KEYS: CORE_KEY, GAIA_MAX_TOKENS_CAP: "1500", GAIA_LITE_MODEL: TINY_TEST_MODEL };

/** Turns a core counted as cancelled, from its /metrics. */
async function cancelledTurns(core: Core): Promise<number> {
  const text = await (await fetch(`${core.url}/metrics`, { headers: { "x-api-key": CORE_KEY } })).text();
  return text
    .split("\n")
    .filter((line) => /^gaia_core_turns_total\{[^}]*stop="cancelled"/.test(line))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

beforeAll(async () => {
  [primary, candidate] = await Promise.all([
    spawnCore({ role: "primary", env: coreEnv }),
    spawnCore({ role: "candidate", env: coreEnv }),
  ]);
  gateway = await startGateway(primary.url, candidate.url, {
    GAIA_RETRY_BASE_DELAY_MS: "100",
    GAIA_API_KEYS: CLIENT_KEY,
    CORE_API_KEY: CORE_KEY,
  });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  await Promise.all([gateway?.kill(), primary?.kill("SIGKILL"), candidate?.kill()]);
});

const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Hello through the gateway" }];

async function streamed(): Promise<{
  text: string;
  chunks: number;
  usage: OpenAI.CompletionUsage | null;
  role: string;
}> {
  const { data: stream, response } = await client.chat.completions
    .create({ model: "gaia", messages, max_tokens: 8, stream: true, stream_options: { include_usage: true } })
    .withResponse();
  let text = "";
  let chunks = 0;
  let usage: OpenAI.CompletionUsage | null = null;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta.content ?? "";
    usage = chunk.usage ?? usage;
  }
  return { text, chunks, usage, role: response.headers.get("x-gaia-role") ?? "" };
}

/** A text completion through the gateway, streamed: its text reassembled, its usage, and the core that served it. */
async function streamedCompletion(): Promise<{ text: string; usage: OpenAI.CompletionUsage | null; role: string }> {
  const { data: stream, response } = await client.completions
    .create({
      model: "gaia",
      prompt: "Once upon a time",
      max_tokens: 6,
      stream: true,
      stream_options: { include_usage: true },
    })
    .withResponse();
  let text = "";
  let usage: OpenAI.CompletionUsage | null = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.text ?? "";
    usage = chunk.usage ?? usage;
  }
  return { text, usage, role: response.headers.get("x-gaia-role") ?? "" };
}

describe("/v1 through the gateway", () => {
  it("answers chat completions, streams and model lists from the primary", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "gaia", messages, max_tokens: 8 })
      .withResponse();
    expect(response.headers.get("x-gaia-role")).toBe("primary");
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    const stream = await streamed();
    expect(stream.role).toBe("primary");
    expect(stream.chunks).toBeGreaterThan(2);
    expect(stream.usage?.total_tokens).toBeGreaterThan(0);
    const models = await client.models.list();
    expect(models.data[0]?.id).toBe(modelId(TINY_TEST_MODEL));
  });

  it("answers text completions, streamed and not, from the primary; a suffix the model cannot fill is a 400", async () => {
    const { data, response } = await client.completions
      .create({ model: "gaia", prompt: "Once upon a time", max_tokens: 6 })
      .withResponse();
    expect(response.headers.get("x-gaia-role")).toBe("primary");
    expect(data.object).toBe("text_completion");
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    const stream = await streamedCompletion();
    expect(stream.role).toBe("primary");
    expect(stream.text.length).toBeGreaterThan(0);
    expect(stream.usage?.completion_tokens).toBeGreaterThan(0);
    const refused = await client.completions.create({ model: "gaia", prompt: "a", suffix: "b" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("suffix");
  });

  it("stops the core's generation when the client aborts a stream mid-way", async () => {
    const before = await cancelledTurns(primary);
    await abortedChatStream(client);
    await waitFor("the core to count the cancelled turn", async () => (await cancelledTurns(primary)) !== before, {
      timeoutMs: 15_000,
      everyMs: 50,
    });
    expect(await cancelledTurns(primary)).toBe(before + 1);
  });

  it("refuses a wrong key with AuthenticationError and an unsupported parameter with BadRequestError", async () => {
    const wrong = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: CORE_KEY, maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const error = await client.chat.completions.create({ model: "gaia", messages, n: 2 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("n");
  });

  it("forwards llama-server's ops endpoints to the cores with the gateway's key (plain HTTP)", async () => {
    const auth = { authorization: `Bearer ${CLIENT_KEY}` };
    const tokenized = await fetch(`${gateway.url}/tokenize`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ content: "Hello" }),
    });
    expect(tokenized.status).toBe(200);
    expect(tokenized.headers.get("x-gaia-role")).toBe("primary");
    const { tokens } = (await tokenized.json()) as { tokens: number[] };
    const back = await fetch(`${gateway.url}/detokenize`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ tokens }),
    });
    expect(await back.json()).toEqual({ content: "Hello" });
    const slots = await fetch(`${gateway.url}/slots`, { headers: auth });
    expect(slots.status).toBe(200);
    expect(((await slots.json()) as unknown[]).length).toBeGreaterThan(0);
    expect((await fetch(`${gateway.url}/props`)).status).toBe(401);
  });

  it("is answered by the candidate once the primary is killed -9, in the middle of a tool loop", async () => {
    // bounded arguments (an enum and a small integer range): the random-weight model cannot ramble inside them
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "forecast",
          parameters: {
            type: "object",
            properties: {
              unit: { type: "string", enum: ["celsius", "fahrenheit"] },
              days: { type: "integer", minimum: 1, maximum: 7 },
            },
            required: ["unit", "days"],
            additionalProperties: false,
          },
        },
      },
    ];
    const first = await client.chat.completions
      .create({ model: "gaia", messages, tools, tool_choice: "required", max_tokens: 200 })
      .withResponse();
    expect(first.response.headers.get("x-gaia-role")).toBe("primary");
    const calls = first.data.choices[0]?.message.tool_calls ?? [];
    expect(first.data.choices[0]?.finish_reason).toBe("tool_calls");
    const [call] = calls;
    if (call?.type !== "function") throw new Error("no function call");
    const args = JSON.parse(call.function.arguments) as { unit: string; days: number };
    expect(["celsius", "fahrenheit"]).toContain(args.unit);
    expect(args.days).toBeGreaterThanOrEqual(1);
    expect(args.days).toBeLessThanOrEqual(7);

    await primary.kill("SIGKILL");
    const second = await client.chat.completions
      .create({
        model: "gaia",
        messages: [
          ...messages,
          { role: "assistant", content: null, tool_calls: calls },
          { role: "tool", tool_call_id: call.id, content: '{"high":21}' },
        ],
        tools,
        tool_choice: "none",
        max_tokens: 8,
      })
      .withResponse();
    expect(second.response.headers.get("x-gaia-role")).toBe("candidate");
    expect(typeof second.data.choices[0]?.message.content).toBe("string");

    const { data, response } = await client.chat.completions
      .create({ model: "gaia", messages, max_tokens: 8 })
      .withResponse();
    expect(response.headers.get("x-gaia-role")).toBe("candidate");
    expect(response.headers.get("x-gaia-endpoint")).toBe("fallback");
    expect(data.choices).toHaveLength(1);
    const stream = await streamed();
    expect(stream.role).toBe("candidate");
    expect(stream.usage?.completion_tokens).toBeGreaterThan(0);
    const models = await client.models.list();
    expect(models.data).toHaveLength(1);
    const props = await fetch(`${gateway.url}/props`, { headers: { "x-api-key": CLIENT_KEY } });
    expect(props.status).toBe(200);
    expect(props.headers.get("x-gaia-role")).toBe("candidate");
    const completion = await client.completions
      .create({ model: "gaia", prompt: "Once upon a time", max_tokens: 6 })
      .withResponse();
    expect(completion.response.headers.get("x-gaia-role")).toBe("candidate");
    expect(completion.data.choices[0]?.text.length).toBeGreaterThan(0);
    const completionStream = await streamedCompletion();
    expect(completionStream.role).toBe("candidate");
    expect(completionStream.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("never logs a key (gateway and cores)", () => {
    for (const service of [gateway, primary, candidate]) {
      const output = service.output();
      expect(output).not.toContain(CLIENT_KEY);
      expect(output).not.toContain(CORE_KEY);
    }
  });
});
