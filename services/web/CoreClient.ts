import type { ResilientClient } from "./http/index.js";

/** What the gateway needs from its client to core: the resilient client, or anything shaped like it. */
export type CoreClient = Pick<ResilientClient, "post" | "state" | "maintenance">;
