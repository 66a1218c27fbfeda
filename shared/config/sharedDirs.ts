import path from "node:path";

/**
 * Subdirectories of the shared data dir (`GAIA_SHARED_DIR`, `/shared` in the image) that a core owns.
 * The original's candidate volume lacked the first four and failed with "permission denied" (docs/original-gaia.md).
 */
export const SHARED_SUBDIRS = ["sessions", "council", "lite_journal", "temporal_states", "timeline"] as const;

/** File whose presence switches failover off (maintenance mode), relative to the shared dir. */
export const MAINTENANCE_FLAG_NAME = "ha_maintenance";

/** Default location of the shared dir when `GAIA_SHARED_DIR` is unset (development, outside the image). */
export const DEFAULT_SHARED_DIR = path.resolve(".data/shared");

/** The uid/gid that owns the shared dirs in the image (user `gaia`). */
export const GAIA_UID = 1000;
