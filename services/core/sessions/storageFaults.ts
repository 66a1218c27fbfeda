import { SessionStoreUnavailableError } from "./SessionStoreUnavailableError.js";

/**
 * File-system error codes that mean "this volume cannot be used right now" (full, read-only, permissions lost, a dying
 * disk) rather than a bug: the store answers them with {@link SessionStoreUnavailableError}.
 */
const STORAGE_FAULT_CODES: ReadonlySet<string> = new Set(["ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "EIO"]);

/** The storage fault behind `error`, as "ENOSPC: no space left on device", or null when it is something else. */
export function storageFault(error: unknown): string | null {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== "string" || !STORAGE_FAULT_CODES.has(code)) return null;
  // node's message is "ENOSPC: no space left on device, write"; keep the code and its meaning, drop the syscall
  const text = typeof message === "string" ? message.replace(/,\s*[^,]*$/, "") : code;
  return text.startsWith(code) ? text : `${code}: ${text}`;
}

/** Rethrows `error` as a SessionStoreUnavailableError when it is a storage fault. */
export function asStoreError(error: unknown, store: string, retryAfterSeconds?: number): unknown {
  const reason = storageFault(error);
  return reason === null ? error : new SessionStoreUnavailableError(store, reason, retryAfterSeconds, { cause: error });
}
