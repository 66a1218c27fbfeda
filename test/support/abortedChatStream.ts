import type OpenAI from "openai";

/**
 * Starts a long streamed chat completion and aborts it from the client once `chunks` content chunks have arrived,
 * as a user closing a chat window mid-answer would.
 */
export async function abortedChatStream(client: OpenAI, chunks = 2): Promise<void> {
  const stream = await client.chat.completions.create({
    model: "gaia",
    messages: [{ role: "user", content: "Write as much as you can" }],
    max_tokens: 1500,
    temperature: 1,
    stream: true,
  });
  let received = 0;
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta.content) received++;
    if (received >= chunks) {
      stream.controller.abort();
      return;
    }
  }
  throw new Error(`the stream ended by itself after ${received} content chunks, before it could be aborted`);
}
