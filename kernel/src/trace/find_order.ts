/**
 * The order in which a range test's suggestions are listed, and which one is recommended.
 *
 * They were listed in a fixed order (steepest, valley, minimum/10) whatever their rates: on a
 * model already trained (the README's tour runs %lr_find after ten epochs of Adam) that read
 * "steepest 0.001322, valley 0.00231, minimum/10 0.002154", neither by rate nor by what to use,
 * and nothing said which to take (a teacher's pass). Now the recommended one comes first, marked,
 * and the others follow by rate, lowest first; a method that gave no rate ("—") comes last.
 *
 * Recommended: valley, fastai's default suggestion since fastai 2.5 (its rate is half way down the
 * longest descent, robust to noise at the bottom) and `RangeTest.suggestion()`'s default; without
 * one, steepest (torch-lr-finder's); then minimum/10 (fastai's earlier default, a cautious rate).
 */
import type { Suggestions } from "./find";

export const RECOMMENDATION_ORDER: readonly (keyof Suggestions)[] = ["valley", "steepest", "minimum/10"];

/** The method to use: the first of RECOMMENDATION_ORDER that gave a rate; null when none did. */
export function recommendedMethod(s: Suggestions): keyof Suggestions | null {
  return RECOMMENDATION_ORDER.find((k) => s[k] !== null) ?? null;
}

/**
 * The methods in listing order: the recommended one, then the others that gave a rate by rate
 * (lowest first), then those that gave none (in the suggestions' own order). None gave a rate:
 * the suggestions' own order.
 */
export function listingOrder(s: Suggestions): (keyof Suggestions)[] {
  const keys = Object.keys(s) as (keyof Suggestions)[];
  const best = recommendedMethod(s);
  if (best === null) return keys;
  const rated = keys.filter((k) => k !== best && s[k] !== null).sort((a, b) => (s[a] as number) - (s[b] as number));
  return [best, ...rated, ...keys.filter((k) => s[k] === null)];
}
