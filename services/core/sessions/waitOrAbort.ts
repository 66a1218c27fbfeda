/**
 * Resolves when `promise` settles or after `ms` (whichever is given and first), and rejects with the signal's reason
 * as soon as `signal` aborts: a caller waiting for another replica's answer stops when its client goes away.
 */
export function waitOrAbort(options: { promise?: Promise<unknown>; ms?: number; signal?: AbortSignal }): Promise<void> {
  const { promise, ms, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      if (timer) clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    if (ms !== undefined) timer = setTimeout(done, ms);
    promise?.then(done, done);
  });
}
