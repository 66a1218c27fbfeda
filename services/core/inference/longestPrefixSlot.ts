/**
 * Slot choice for stateless requests (the client resends the whole conversation): among the free slots, the one
 * whose KV cache already holds the longest prefix of the prompt, so only the new tail is evaluated. Returns undefined
 * when no slot shares more than `baseline` tokens (the caller's usual choice then stands: a prefix every prompt
 * shares, such as the chat template's opening tokens, is no reason to evict another session's warm slot).
 */
export function longestPrefixSlot<T>(
  free: readonly T[],
  commonPrefixLength: (slot: T) => number,
  baseline = 0,
): T | undefined {
  let best: T | undefined;
  let bestLength = baseline;
  for (const slot of free) {
    const length = commonPrefixLength(slot);
    if (length > bestLength) {
      best = slot;
      bestLength = length;
    }
  }
  return best;
}
