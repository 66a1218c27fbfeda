import { z } from "zod";
import type { HealthProbe } from "./healthProbe.js";

/**
 * A core's `GET /health` body (contract in the common brief; `draining` while it shuts down). Every field but `status`
 * is optional here so a core that leaves one out gets a clear "does not report …" finding instead of being called
 * unreachable.
 */
export const CoreHealthSchema = z.looseObject({
  status: z.enum(["ready", "loading", "failed", "draining", "unavailable"]),
  /** Why not ready, when the core says (e.g. its session store cannot be written). */
  reason: z.string().optional(),
  service: z.string().optional(),
  role: z.string().optional(),
  build_id: z.string().optional(),
  version: z.string().optional(),
  uptime_s: z.number().optional(),
  model: z
    .looseObject({
      path: z.string().optional(),
      name: z.string().nullable().optional(),
      loaded: z.boolean().optional(),
      load_ms: z.number().nullable().optional(),
      error: z.string().optional(),
    })
    .optional(),
  history_mode: z.string().optional(),
  history_mode_reason: z.string().nullable().optional(),
  queue: z.looseObject({ active: z.number(), waiting: z.number(), capacity: z.number() }).optional(),
  maintenance: z.boolean().optional(),
  shared_dir: z.string().optional(),
  session_store: z
    .looseObject({
      writable: z.boolean(),
      store: z.string().optional(),
      reason: z.string().optional(),
      since: z.string().optional(),
    })
    .optional(),
});
export type CoreHealth = z.infer<typeof CoreHealthSchema>;

/** The gateway's `GET /health` body; `core` holds its view of the core endpoints (see fallbackEndpoints.ts). */
export const GatewayHealthSchema = z.looseObject({
  status: z.string(),
  service: z.string().optional(),
  core: z.unknown().optional(),
  maintenance: z.boolean().optional(),
});
export type GatewayHealth = z.infer<typeof GatewayHealthSchema>;

/** The core health body a probe got, when it got one. */
export function coreHealthOf(probe: HealthProbe | undefined): CoreHealth | undefined {
  if (probe === undefined || !probe.reachable) return undefined;
  const parsed = CoreHealthSchema.safeParse(probe.body);
  return parsed.success ? parsed.data : undefined;
}

/** The gateway health body a probe got, when it got one. */
export function gatewayHealthOf(probe: HealthProbe | undefined): GatewayHealth | undefined {
  if (probe === undefined || !probe.reachable) return undefined;
  const parsed = GatewayHealthSchema.safeParse(probe.body);
  return parsed.success ? parsed.data : undefined;
}
