/**
 * Finds a client's stop strings (`header.model.stop`) in the answer text as it streams, for chat wrappers that parse
 * reasoning into a thought segment (Qwen3): node-llama-cpp matches its own stop triggers against everything the model
 * writes, thoughts included, so a stop string that occurs in a thought would end generation before the answer began.
 * Feed it only the answer's text; it passes on what is certainly not part of a stop string, holds back a tail that
 * could still become one, and says when a stop string was found (text from the stop string on is dropped).
 */
export class StopSequenceFilter {
  private pending = "";
  private passed = "";
  private found = false;

  constructor(private readonly stops: readonly string[]) {}

  /** True once a stop string appeared: the caller ends generation. */
  get stopped(): boolean {
    return this.found;
  }

  /** The answer up to the first stop string (or everything passed so far). */
  get text(): string {
    return this.passed;
  }

  /** Returns the part of `chunk` that can be shown now (possibly ""). */
  push(chunk: string): string {
    if (this.found) return "";
    this.pending += chunk;
    let cut = -1;
    for (const stop of this.stops) {
      const at = stop === "" ? -1 : this.pending.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.found = true;
      const before = this.pending.slice(0, cut);
      this.pending = "";
      return this.pass(before);
    }
    // the longest tail that is the start of a stop string stays pending (a stop cannot begin before it)
    let hold = 0;
    for (const stop of this.stops) {
      for (let k = Math.min(stop.length - 1, this.pending.length); k > hold; k--) {
        if (this.pending.endsWith(stop.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    const ready = this.pending.slice(0, this.pending.length - hold);
    this.pending = this.pending.slice(this.pending.length - hold);
    return this.pass(ready);
  }

  /** Generation ended without a stop string: the held-back tail is answer text after all. */
  end(): string {
    const rest = this.pending;
    this.pending = "";
    return this.pass(rest);
  }

  private pass(text: string): string {
    this.passed += text;
    return text;
  }
}
