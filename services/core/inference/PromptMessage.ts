/** A chat message as the pipeline builds it; the engine renders it with the model's own chat template. */
export interface PromptMessage {
  role: "system" | "user" | "assistant";
  content: string;
}
