import { z } from "zod";

/** The fields of a core's `GET /slots` element (llama-server's shape plus gaia-core's additions) the doctor shows. */
export const CoreSlotSchema = z.looseObject({
  id: z.number(),
  is_processing: z.boolean(),
  session: z.string().nullable().optional(),
  tokens_cached: z.number().optional(),
  preparing_next_turn: z.boolean().optional(),
  last_used: z.string().nullable().optional(),
});
export const CoreSlotsSchema = z.array(CoreSlotSchema);
export type CoreSlot = z.infer<typeof CoreSlotSchema>;
