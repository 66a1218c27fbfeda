import type { Severity } from "../result.js";

/** The original doctor's symbols: ✓ pass, ! warn, ✗ fail, ⟳ repair. */
export const SYMBOL: Readonly<Record<Severity | "repair", string>> = { pass: "✓", warn: "!", fail: "✗", repair: "⟳" };

const ANSI = {
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  red: "\x1b[31m",
  cyan: "\x1b[36m",
  dim: "\x1b[2m",
  bold: "\x1b[1m",
  reset: "\x1b[0m",
};
export type Colour = keyof typeof ANSI;

/** Wraps text in an ANSI colour when colour is on; returns it unchanged otherwise. */
export function paint(enabled: boolean, colour: Colour, text: string): string {
  return enabled ? `${ANSI[colour]}${text}${ANSI.reset}` : text;
}

export const SEVERITY_COLOUR: Readonly<Record<Severity, Colour>> = { pass: "green", warn: "yellow", fail: "red" };
