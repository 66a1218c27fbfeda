import { z } from "zod";

/** The body of POST /v1/embeddings: text input only (token-array input is refused by the schema). */
export const EmbeddingsRequestSchema = z.looseObject({
  model: z.string(),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.int().positive().optional(),
  user: z.string().optional(),
});

export type EmbeddingsRequest = z.infer<typeof EmbeddingsRequestSchema>;
