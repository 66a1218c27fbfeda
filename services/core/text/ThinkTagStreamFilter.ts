import { HIDDEN_TAGS } from "./hiddenReasoning.js";

const OPEN = new RegExp(`^<(${HIDDEN_TAGS.join("|")})\\b[^>]*>`, "i");
const STRAY_CLOSE = new RegExp(`^</(${HIDDEN_TAGS.join("|")})\\b[^>]*>`, "i");
const LONGEST_TAG = Math.max(...HIDDEN_TAGS.map((t) => t.length)) + 3; // "</" + name + ">"

/**
 * Streaming counterpart of {@link removeHiddenReasoning}: feed model text chunks, get back only what the user should see.
 * Text inside a hidden block is dropped; a `<` that might start a tag is held back until it is decided, so a tag
 * split across chunks is still recognised. The final packet is cleaned again with removeHiddenReasoning.
 */
export class ThinkTagStreamFilter {
  private pending = "";
  private hiddenTag: string | null = null;

  /** `onHidden` gets the text inside hidden blocks as it is decided (what `reasoning_content` carries). */
  constructor(private readonly onHidden?: (text: string) => void) {}

  /** Returns the visible part of `chunk` (possibly ""), keeping undecided text for the next call. */
  push(chunk: string): string {
    this.pending += chunk;
    let visible = "";
    while (this.pending.length > 0) {
      if (this.hiddenTag) {
        const close = this.pending.toLowerCase().indexOf(`</${this.hiddenTag}`);
        if (close < 0) {
          // keep a tail that could be the start of the closing tag
          const keep = Math.max(0, this.pending.length - LONGEST_TAG);
          this.hide(this.pending.slice(0, keep));
          this.pending = this.pending.slice(keep);
          return visible;
        }
        const end = this.pending.indexOf(">", close);
        if (end < 0) return visible;
        this.hide(this.pending.slice(0, close));
        this.pending = this.pending.slice(end + 1);
        this.hiddenTag = null;
        continue;
      }
      const lt = this.pending.indexOf("<");
      if (lt < 0) {
        visible += this.pending;
        this.pending = "";
        break;
      }
      visible += this.pending.slice(0, lt);
      this.pending = this.pending.slice(lt);
      const open = OPEN.exec(this.pending);
      if (open) {
        this.hiddenTag = (open[1] ?? "").toLowerCase();
        this.pending = this.pending.slice(open[0].length);
        continue;
      }
      const stray = STRAY_CLOSE.exec(this.pending);
      if (stray) {
        this.pending = this.pending.slice(stray[0].length);
        continue;
      }
      if (this.couldStillBeTag(this.pending)) break;
      visible += "<";
      this.pending = this.pending.slice(1);
    }
    return visible;
  }

  /** Flushes held-back text at the end of generation (an unclosed hidden block stays hidden). */
  end(): string {
    if (this.hiddenTag) this.hide(this.pending);
    const rest = this.hiddenTag ? "" : this.pending;
    this.pending = "";
    return rest;
  }

  private hide(text: string): void {
    if (text) this.onHidden?.(text);
  }

  private couldStillBeTag(text: string): boolean {
    if (text.length > LONGEST_TAG + 40 || text.includes(">")) return false;
    const name = /^<\/?([a-z]*)/i.exec(text)?.[1]?.toLowerCase() ?? "";
    return HIDDEN_TAGS.some((tag) => tag.startsWith(name) || name.startsWith(tag));
  }
}
