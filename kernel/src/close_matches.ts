/**
 * "Did you mean": the names a mistyped one most likely meant. One matcher for every message that
 * names a close match: magics (options, keys, values, names: magics/parser.ts), optimizer options
 * (optim/options.ts), schedulers' word options (optim/lr_scheduler/checks.ts).
 */

/** Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i][j] = v;
    }
  }
  return d[a.length][b.length];
}

/** A name as compared for "did you mean": no leading % or -, no trailing =, no - or _, lower case. */
const normalName = (s: string) => s.replace(/^[%-]+/, "").replace(/=$/, "").replace(/[-_]/g, "").toLowerCase();

/**
 * The candidates a mistyped name most likely meant, best first (at most `max`). Names are compared
 * as normalName writes them (so --batchsize finds --batch-size, steplr StepLR, num_iter= --num-iter),
 * and only the best kind of match is kept: equal so; within edit distance 1 (the longer of the two
 * has 3 to 5 letters: %%tme → %%time) or 2 (longer; none with a name of 1 letter, or both of 2);
 * then the names it begins (--num → --num-iter), or that begin it; then the names sharing its
 * first 4 letters (new_bs → new_batch_size).
 */
export function closeMatches(word: string, candidates: readonly string[], max = 3): string[] {
  const a = normalName(word);
  if (a === "") return [];
  const scored: [number, number, string][] = [];
  candidates.forEach((c, i) => {
    const b = normalName(c);
    if (b === "") return;
    let score: number | undefined;
    const long = Math.max(a.length, b.length);
    const allowed = Math.min(a.length, b.length) < 2 || long <= 2 ? 0 : long <= 5 ? 1 : 2;
    const d = a === b ? 0 : Math.abs(a.length - b.length) > allowed ? Infinity : editDistance(a, b);
    if (d <= allowed) score = d;
    else if (a.length >= 3 && (b.startsWith(a) || (b.length >= 3 && a.startsWith(b)))) score = 3;
    else if (a.length >= 4 && b.length >= 4 && a.slice(0, 4) === b.slice(0, 4)) score = 4;
    if (score !== undefined) scored.push([score, i, c]);
  });
  if (scored.length === 0) return [];
  const best = Math.min(...scored.map(([s]) => s));
  return [...new Set(scored.filter(([s]) => s === best).sort((x, y) => x[1] - y[1]).map(([, , c]) => c))].slice(0, max);
}

/**
 * "; did you mean 'x'?" after a misspelt keyword argument, or "": only a typo's distance counts
 * here (case aside; none for names of 3 letters or fewer, 1 up to 5, else 2), not closeMatches'
 * shared prefixes: LBFGS's `maximize` is another optimizer's option, not a misspelt `max_iter`.
 */
export function nearKey(key: string, accepted: readonly string[]): string {
  const near = accepted.filter((name) => isNearMiss(key, name));
  return near.length ? `; did you mean ${near.map((k) => `'${k}'`).join(" or ")}?` : "";
}

/** Case-insensitively equal, or within a small edit distance (none for names of ≤ 3 letters). */
export function isNearMiss(key: string, name: string): boolean {
  const a = key.toLowerCase();
  const b = name.toLowerCase();
  if (a === b) return true;
  const allowed = Math.min(a.length, b.length) <= 3 ? 0 : Math.min(a.length, b.length) <= 5 ? 1 : 2;
  return allowed > 0 && Math.abs(a.length - b.length) <= allowed && editDistance(a, b) <= allowed;
}
