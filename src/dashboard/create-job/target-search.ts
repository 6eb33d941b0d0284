/**
 * Searching the registry's lists for targets: a fleet may hold 10 000 things, so only matches are
 * shown, at most `cap` of them, with how many matched. Pure: no DOM, no preact.
 */
import type { TargetRef } from './form-state.js';

export interface TargetMatches {
  shown: TargetRef[];
  /** Every match, shown or not. */
  total: number;
}

/** Case-insensitive substring match on the name; every word of the query must appear. */
export function matchTargets(list: readonly TargetRef[], query: string, cap: number): TargetMatches {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w !== '');
  const shown: TargetRef[] = [];
  let total = 0;
  for (const t of list) {
    const name = t.name.toLowerCase();
    if (!words.every((w) => name.includes(w))) continue;
    total++;
    if (shown.length < cap) shown.push(t);
  }
  return { shown, total };
}
