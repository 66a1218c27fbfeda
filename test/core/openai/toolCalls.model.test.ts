// OpenAI tool calling on a real core (real app over HTTP, real bundled GGUFs), driven by the official openai SDK.
// Every returned call is checked against its tool's schema with a real JSON Schema validator (ajv).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Ajv } from "ajv";
import OpenAI from "openai";
import { loadCoreConfig } from "../../../services/core/config.js";
import { type Core, createCore } from "../../../services/core/createCore.js";
import { BUNDLED_QWEN3_TOOLS_MODEL_RELATIVE } from "../../../shared/config/bundledModels.js";
import { createLogger } from "../../../shared/logging/logger.js";
import { type Listening, listen } from "../../support/listen.js";
import { BUNDLED_LITE_MODEL, REPO_ROOT, tempDir } from "../../support/processes.js";

type Tool = OpenAI.Chat.Completions.ChatCompletionTool & { type: "function" };

/**
 * Tool schemas as clients write them: enums, optional fields, integer and number ranges, nested objects, arrays.
 * Strings carry a maxLength: a real model ends a string when it has said what it means, but the bundled bigram
 * models never write a `"` (their corpus has none), so inside a string only the grammar's length bound ends it.
 */
const TOOLS: Tool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Get the current weather in a given location",
      parameters: {
        type: "object",
        properties: {
          location: { type: "string", description: "The city and state, e.g. San Francisco, CA", maxLength: 30 },
          unit: { type: "string", enum: ["celsius", "fahrenheit"] },
        },
        required: ["location"],
      },
    },
  },
  {
    type: "function",
    function: {
      name: "set_alarm",
      description: "Set an alarm",
      parameters: {
        type: "object",
        properties: {
          hour: { type: "integer", minimum: 0, maximum: 23 },
          minute: { type: "integer", minimum: 0, maximum: 59 },
          days: { type: "array", items: { type: "string", enum: ["mon", "tue", "wed"] }, minItems: 1, maxItems: 3 },
        },
        required: ["hour", "minute"],
        additionalProperties: false,
      },
    },
  },
  {
    type: "function",
    function: {
      name: "transfer",
      description: "Move money between accounts",
      parameters: {
        type: "object",
        properties: {
          amount: { type: "number", minimum: 1, maximum: 1000 },
          offset_days: { type: "integer", minimum: -7, maximum: -1 },
          to: { type: "object", properties: { iban: { type: "string", maxLength: 34 } }, required: ["iban"] },
        },
        required: ["amount", "to"],
      },
    },
  },
];

const ajv = new Ajv({ strict: false });
const validators = new Map(TOOLS.map((t) => [t.function.name, ajv.compile(t.function.parameters ?? {})]));
let validated = 0;

/** Every call names an offered tool and its arguments parse and validate against that tool's schema. */
function expectValidCalls(calls: readonly OpenAI.Chat.Completions.ChatCompletionMessageToolCall[] | undefined) {
  expect(calls?.length).toBeGreaterThan(0);
  for (const call of calls ?? []) {
    if (call.type !== "function") throw new Error(`unexpected call type ${call.type}`);
    expect(call.id).toMatch(/^call_/);
    const validate = validators.get(call.function.name);
    expect(validate).toBeDefined();
    const args: unknown = JSON.parse(call.function.arguments);
    if (!validate?.(args)) throw new Error(`${call.function.arguments}: ${ajv.errorsText(validate?.errors)}`);
    validated++;
  }
}

async function startCore(model: string): Promise<{ core: Core; server: Listening; client: OpenAI }> {
  const config = loadCoreConfig({
    GAIA_SHARED_DIR: tempDir("gaia-tools-test-"),
    GAIA_LITE_MODEL: model,
    GAIA_EMBED_MODEL_DIR: "none",
    GAIA_THREADS: "1",
    GAIA_CONTEXT_SIZE: "4096",
    GAIA_MAX_TOKENS_CAP: "400",
    GAIA_PARALLEL: "2",
  });
  const core = createCore(config, createLogger({ service: "gaia-core-test", level: "silent" }));
  await core.started;
  expect(core.state.status).toBe("ready");
  const server = await listen(core.app);
  return { core, server, client: new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 }) };
}

let bigram: Awaited<ReturnType<typeof startCore>>;
let qwen: Awaited<ReturnType<typeof startCore>>;
beforeAll(async () => {
  bigram = await startCore(BUNDLED_LITE_MODEL);
  qwen = await startCore(path.join(REPO_ROOT, BUNDLED_QWEN3_TOOLS_MODEL_RELATIVE));
});
afterAll(async () => {
  for (const served of [bigram, qwen]) {
    await served?.server.close();
    await served?.core.dispose();
  }
});

const ask = (text: string): OpenAI.Chat.Completions.ChatCompletionMessageParam[] => [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: text },
];

describe("tool calling on /v1/chat/completions", () => {
  it("tool_choice required: a call on a model that never writes one by itself, valid over many seeds", async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const completion = await bigram.client.chat.completions.create({
        model: "gaia",
        messages: ask("What is the weather in Paris, and set an alarm for 7:30."),
        tools: TOOLS,
        tool_choice: "required",
        seed,
      });
      const [choice] = completion.choices;
      expect(choice?.finish_reason).toBe("tool_calls");
      expectValidCalls(choice?.message.tool_calls);
      expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    }
  });

  it("a named tool_choice calls that tool, with ranges honoured, over many seeds", async () => {
    for (const name of ["set_alarm", "transfer"]) {
      for (let seed = 1; seed <= 6; seed++) {
        const completion = await bigram.client.chat.completions.create({
          model: "gaia",
          messages: ask("Do it."),
          tools: TOOLS,
          tool_choice: { type: "function", function: { name } },
          seed,
          temperature: 1.2,
        });
        const calls = completion.choices[0]?.message.tool_calls;
        expectValidCalls(calls);
        for (const call of calls ?? []) if (call.type === "function") expect(call.function.name).toBe(name);
      }
    }
  });

  it("a call cut by max_tokens is never returned half-written: finish_reason length, no tool_calls", async () => {
    const completion = await bigram.client.chat.completions.create({
      model: "gaia",
      messages: ask("Set an alarm."),
      tools: TOOLS,
      tool_choice: { type: "function", function: { name: "set_alarm" } },
      max_tokens: 3,
      seed: 1,
    });
    const [choice] = completion.choices;
    expect(choice?.finish_reason).toBe("length");
    expect(choice?.message.tool_calls ?? []).toEqual([]);
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(3);
  });

  it("tool_choice none never calls; auto on a model that does not open calls answers in text", async () => {
    for (const tool_choice of ["none", "auto"] as const) {
      const completion = await bigram.client.chat.completions.create({
        model: "gaia",
        messages: ask("Hello"),
        tools: TOOLS,
        tool_choice,
        max_tokens: 16,
        seed: 3,
      });
      const [choice] = completion.choices;
      expect(choice?.message.tool_calls ?? []).toEqual([]);
      expect(["stop", "length"]).toContain(choice?.finish_reason);
      expect(typeof choice?.message.content).toBe("string");
    }
  });

  it("auto on the scripted Qwen3-style tool model: it opens <tool_call>, the grammar writes a valid call", async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const completion = await qwen.client.chat.completions.create({
        model: "gaia",
        messages: ask("What is the weather in Paris?"),
        tools: TOOLS,
        seed,
      });
      const [choice] = completion.choices;
      expect(choice?.finish_reason).toBe("tool_calls");
      expectValidCalls(choice?.message.tool_calls);
      // the thought and the call syntax never reach the content
      expect(choice?.message.content ?? "").not.toMatch(/<think>|<tool_call>|Okay, the user/);
    }
  });

  it("parallel_tool_calls false: exactly one call", async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const completion = await qwen.client.chat.completions.create({
        model: "gaia",
        messages: ask("Weather in Paris and in Rome?"),
        tools: TOOLS,
        parallel_tool_calls: false,
        seed,
      });
      const calls = completion.choices[0]?.message.tool_calls;
      expectValidCalls(calls);
      expect(calls).toHaveLength(1);
    }
  });

  it("a full loop: call → tool result → answer, and the second turn reuses the first turn's KV cache", async () => {
    const messages = ask("What is the weather in Paris?");
    const first = await bigram.client.chat.completions.create({
      model: "gaia",
      messages,
      tools: TOOLS,
      tool_choice: { type: "function", function: { name: "get_weather" } },
      seed: 5,
    });
    const calls = first.choices[0]?.message.tool_calls ?? [];
    expectValidCalls(calls);
    const [call] = calls;
    if (call?.type !== "function") throw new Error("no function call");
    const second = await bigram.client.chat.completions.create({
      model: "gaia",
      messages: [
        ...messages,
        { role: "assistant", content: null, tool_calls: calls },
        { role: "tool", tool_call_id: call.id, content: JSON.stringify({ temperature: 21, sky: "clear" }) },
      ],
      tools: TOOLS,
      max_tokens: 24,
      seed: 5,
    });
    const [choice] = second.choices;
    expect(choice?.message.tool_calls ?? []).toEqual([]);
    expect(typeof choice?.message.content).toBe("string");
    // everything up to the call was already in the slot that served the first turn
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    expect(cached).toBeGreaterThanOrEqual(first.usage?.prompt_tokens ?? Number.POSITIVE_INFINITY);
    console.info(`tool loop: turn 2 prompt ${second.usage?.prompt_tokens} tokens, ${cached} cached`);
  });

  it("streams calls as OpenAI does: index, id and name once, then argument fragments", async () => {
    const request = {
      model: "gaia",
      messages: ask("Set an alarm."),
      tools: TOOLS,
      tool_choice: { type: "function" as const, function: { name: "set_alarm" } },
      seed: 9,
      temperature: 0,
    };
    const stream = await bigram.client.chat.completions.create({ ...request, stream: true });
    const assembled = new Map<number, { id: string; name: string; arguments: string }>();
    let finish: string | null | undefined = null;
    let headers = 0;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      finish = choice?.finish_reason ?? finish;
      for (const delta of choice?.delta.tool_calls ?? []) {
        if (delta.id) {
          headers++;
          expect(delta.function?.name).toBe("set_alarm");
          assembled.set(delta.index, { id: delta.id, name: delta.function?.name ?? "", arguments: "" });
        }
        const call = assembled.get(delta.index);
        if (!call) throw new Error("argument fragment before its call's header");
        call.arguments += delta.function?.arguments ?? "";
      }
    }
    expect(finish).toBe("tool_calls");
    expect(headers).toBe(assembled.size);
    const calls = [...assembled.values()].map((c) => ({
      id: c.id,
      type: "function" as const,
      function: { name: c.name, arguments: c.arguments },
    }));
    expectValidCalls(calls);
    // the same request unstreamed writes the same call
    const whole = await bigram.client.chat.completions.create(request);
    const [first] = whole.choices[0]?.message.tool_calls ?? [];
    expect(first?.type === "function" ? first.function.arguments : null).toBe(calls[0]?.function.arguments);
  });

  it("the legacy functions API answers with function_call", async () => {
    const response = await fetch(`${bigram.server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "gaia",
        messages: ask("Weather?"),
        functions: TOOLS.map((t) => t.function),
        function_call: { name: "get_weather" },
        seed: 2,
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      choices: Array<{ finish_reason: string; message: { function_call?: { name: string; arguments: string } } }>;
    };
    const [choice] = body.choices;
    expect(choice?.finish_reason).toBe("function_call");
    expect(choice?.message.function_call?.name).toBe("get_weather");
    expectValidCalls([
      { id: "call_legacy", type: "function", function: choice?.message.function_call ?? { name: "", arguments: "" } },
    ]);
  });

  it("refuses what it cannot honour with a BadRequestError naming the field", async () => {
    const refused = async (body: Record<string, unknown>) => {
      try {
        await bigram.client.chat.completions.create({ model: "gaia", messages: ask("hi"), ...body });
      } catch (error) {
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        return (error as InstanceType<typeof OpenAI.BadRequestError>).param;
      }
      throw new Error("not refused");
    };
    expect(await refused({ tools: TOOLS, tool_choice: { type: "function", function: { name: "nope" } } })).toBe(
      "tool_choice",
    );
    expect(await refused({ tool_choice: "required" })).toBe("tool_choice");
    const patterned = {
      type: "function",
      function: { name: "f", parameters: { type: "object", properties: { a: { type: "string", pattern: "^a+$" } } } },
    };
    expect(await refused({ tools: [TOOLS[0], patterned] })).toBe("tools[1].function.parameters");
    expect(
      await refused({
        messages: [...ask("hi"), { role: "tool", tool_call_id: "call_missing", content: "x" }],
        tools: TOOLS,
      }),
    ).toBe("messages[2].tool_call_id");
  });

  afterAll(() => {
    console.info(`tool calls validated against their schemas: ${validated}`);
  });
});
