/**
 * GBNF for the string formats the grammar enforces (RFC 3339 date, time, date-time; RFC 4122 uuid), the string's
 * content without its quotes. Dates are exact, leap years included (Feb 29 only in years divisible by 4 and not by 100,
 * or by 400); times have no leap second, as llama.cpp's converter writes them.
 */
const MONTH_31 = '("0" [13578] | "1" [02]) "-" ("0" [1-9] | [12] [0-9] | "3" [01])';
const MONTH_30 = '("0" [469] | "11") "-" ("0" [1-9] | [12] [0-9] | "30")';
const FEBRUARY = '"02-" ("0" [1-9] | "1" [0-9] | "2" [0-8])';
const LEAP_CENTURY_DIGITS = '("0" [48] | [2468] [048] | [13579] [26])';
const LEAP_YEAR = `([0-9] [0-9] ${LEAP_CENTURY_DIGITS} | (${LEAP_CENTURY_DIGITS} | "00") "00")`;
const DATE = `([0-9]{4} "-" (${MONTH_31} | ${MONTH_30} | ${FEBRUARY}) | ${LEAP_YEAR} "-02-29")`;
const TIME =
  '([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9] ":" [0-5] [0-9] ("." [0-9]{3})? ("Z" | [+\\x2D] ([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9])';
const HEX = "[0-9a-fA-F]";
const UUID = `${HEX}{8} "-" ${HEX}{4} "-" ${HEX}{4} "-" ${HEX}{4} "-" ${HEX}{12}`;

const FORMATS: Readonly<Record<string, string>> = {
  date: DATE,
  time: TIME,
  "date-time": `${DATE} "T" ${TIME}`,
  uuid: UUID,
};

/** The GBNF for a string's content in `format`, or undefined when the grammar does not enforce that format. */
export function stringFormatGbnf(format: string): string | undefined {
  return Object.hasOwn(FORMATS, format) ? FORMATS[format] : undefined;
}
