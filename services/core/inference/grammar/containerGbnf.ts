/**
 * The compact GBNF shapes of JSON objects and arrays, from their members' rules: keys in the order listed, optional
 * members omittable, commas exactly between members, no whitespace anywhere (JSON.stringify's output).
 */
import { gbnfRepeat, gbnfSequence } from "./gbnfText.js";

export interface ObjectMember {
  /** The member's `"key":value` as GBNF. */
  readonly gbnf: string;
  readonly required: boolean;
}

/**
 * `"{" … "}"` for `members` in order, then any number of `extra` members (undefined: none).
 * `addRule` names a shared tail (the members after an optional one are reachable from several places; naming them keeps
 * the grammar linear in the number of properties).
 */
export function objectGbnf(
  members: readonly ObjectMember[],
  extra: string | undefined,
  addRule: (body: string) => string,
): string {
  const firstRequired = members.findIndex((member) => member.required);
  const lastFirst = firstRequired === -1 ? members.length - 1 : firstRequired;
  const extraTail = extra ? gbnfRepeat(`("," ${extra})`, 0, undefined) : "";
  // tails[i]: the members from i on, each after a comma (a member before them has been written).
  const tails: string[] = new Array(members.length + 1);
  tails[members.length] = extraTail;
  for (let i = members.length - 1; i >= 1; i--) {
    const member = members[i] as ObjectMember;
    const piece = member.required ? `"," ${member.gbnf}` : `("," ${member.gbnf})?`;
    const tail = gbnfSequence(piece, tails[i + 1] ?? "");
    tails[i] = i <= lastFirst && tail.includes(" ") ? addRule(tail) : tail;
  }
  // The first member written is one of the leading optional ones, or the first required one.
  const firsts: string[] = [];
  for (let i = 0; i <= lastFirst; i++) firsts.push(gbnfSequence((members[i] as ObjectMember).gbnf, tails[i + 1] ?? ""));
  if (firstRequired === -1 && extra) firsts.push(gbnfSequence(extra, extraTail));
  if (firsts.length === 0) return '"{" "}"';
  const body = `(${firsts.join(" | ")})`;
  return firstRequired === -1 ? `"{" ${body}? "}"` : `"{" ${body} "}"`;
}

/**
 * `"[" … "]"`: the `prefix` items by position (the first `minItems` required, each later one only after the one
 * before), then `item` (undefined: no more items) up to `maxItems` in all. Callers ensure minItems ≤ maxItems and,
 * without `item`, minItems ≤ prefix.length.
 */
export function arrayGbnf(
  prefix: readonly string[],
  item: string | undefined,
  minItems: number,
  maxItems: number | undefined,
): string {
  const used = maxItems === undefined ? prefix : prefix.slice(0, maxItems);
  const k = used.length;
  let tail = "";
  if (item && (maxItems === undefined || maxItems > k)) {
    const fewest = Math.max(minItems - k, 0);
    const most = maxItems === undefined ? undefined : maxItems - k;
    if (k > 0) tail = gbnfRepeat(`("," ${item})`, fewest, most);
    else {
      const rest = gbnfRepeat(`("," ${item})`, Math.max(fewest - 1, 0), most === undefined ? undefined : most - 1);
      const items = gbnfSequence(item, rest);
      tail = fewest === 0 ? `(${items})?` : items;
    }
  }
  for (let i = k - 1; i >= 0; i--) {
    const piece = gbnfSequence(i === 0 ? "" : '","', used[i] ?? "", tail);
    tail = i < minItems ? piece : `(${piece})?`;
  }
  return gbnfSequence('"["', tail, '"]"');
}
