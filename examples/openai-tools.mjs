// An agent loop with the official openai SDK against gaia-core: the model calls a tool, the tool's result goes back,
// the model answers with it. The SDK reads OPENAI_BASE_URL and OPENAI_API_KEY from the environment:
//   OPENAI_BASE_URL=http://127.0.0.1:6414/v1 OPENAI_API_KEY=sk-local-1 node examples/openai-tools.mjs
import OpenAI from "openai";

const client = new OpenAI();
const tools = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Current weather in a city",
      parameters: {
        type: "object",
        properties: {
          city: { type: "string", maxLength: 40 },
          unit: { type: "string", enum: ["celsius", "fahrenheit"] },
        },
        required: ["city", "unit"],
        additionalProperties: false,
      },
    },
  },
];
const messages = [{ role: "user", content: "What is the weather in Paris?" }];

// The bundled bigram model never decides to call a tool by itself, so the first turn forces a call. A real
// tool-calling model (Qwen3, Llama 3.x, …) decides on its own with the default tool_choice, "auto".
const first = await client.chat.completions.create({ model: "gaia", messages, tools, tool_choice: "required" });
const message = first.choices[0].message;
const call = message.tool_calls[0];
console.log(
  `tool call: ${call.function.name}(${call.function.arguments})  finish_reason: ${first.choices[0].finish_reason}`,
);

// run the tool (here: made up) and send its result back with the call's id
const args = JSON.parse(call.function.arguments);
const result = { city: args.city, unit: args.unit, temperature: args.unit === "celsius" ? 21 : 70 };
messages.push(message, { role: "tool", tool_call_id: call.id, content: JSON.stringify(result) });

const final = await client.chat.completions.create({ model: "gaia", messages, tools, max_tokens: 40 });
console.log(`answer: ${final.choices[0].message.content}`);
const { prompt_tokens, prompt_tokens_details } = final.usage;
console.log(`turn 2: ${prompt_tokens_details.cached_tokens} of ${prompt_tokens} prompt tokens came from the KV cache`);
