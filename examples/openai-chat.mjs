// The official openai SDK against gaia-core (through the gateway): a chat completion, a streamed one, JSON output.
// The SDK reads OPENAI_BASE_URL and OPENAI_API_KEY from the environment, e.g.
//   OPENAI_BASE_URL=http://127.0.0.1:6414/v1 OPENAI_API_KEY=sk-local-1 node examples/openai-chat.mjs
import OpenAI from "openai";

const client = new OpenAI();

const completion = await client.chat.completions.create({
  model: "gaia-lite-bigram",
  messages: [
    { role: "system", content: "You are GAIA." },
    { role: "user", content: "Hello!" },
  ],
  max_tokens: 32,
});
console.log("answer:", completion.choices[0].message.content);
console.log("usage:", completion.usage);

const stream = await client.chat.completions.create({
  model: "gaia-lite-bigram",
  messages: [{ role: "user", content: "Tell me a story." }],
  max_tokens: 32,
  stream: true,
  stream_options: { include_usage: true },
});
process.stdout.write("streamed: ");
for await (const chunk of stream) {
  process.stdout.write(chunk.choices[0]?.delta.content ?? "");
  if (chunk.usage) process.stdout.write(`\nstream usage: ${JSON.stringify(chunk.usage)}\n`);
}

const json = await client.chat.completions.create({
  model: "gaia-lite-bigram",
  messages: [{ role: "user", content: "Is the sky blue?" }],
  max_tokens: 64,
  response_format: {
    type: "json_schema",
    json_schema: {
      name: "verdict",
      schema: {
        type: "object",
        properties: { answer: { enum: ["yes", "no"] }, sure: { type: "boolean" } },
        required: ["answer", "sure"],
        additionalProperties: false,
      },
    },
  },
});
console.log("json:", JSON.parse(json.choices[0].message.content));
