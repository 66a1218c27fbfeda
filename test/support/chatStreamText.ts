// The content and reasoning a streamed chat completion carried, joined from its deltas.
import type OpenAI from "openai";

/** Joins `delta.content` and `delta.reasoning_content` (llama-server's field, not in the SDK's types) of a stream. */
export async function chatStreamText(stream: unknown): Promise<{ content: string; reasoning: string }> {
  let content = "";
  let reasoning = "";
  for await (const chunk of stream as AsyncIterable<OpenAI.ChatCompletionChunk>) {
    const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string } | undefined;
    content += delta?.content ?? "";
    reasoning += delta?.reasoning_content ?? "";
  }
  return { content, reasoning };
}
