/**
 * Which line of the user's TypeScript each line of a cell's transpiled JavaScript comes from,
 * for error frames (engine.ts userLine). There is no source map through tslab's two transforms,
 * so lines are matched by their tokens, with one rule that the emit keeps: statements stay in
 * order. Each JS line gets the TS line that shares most of its tokens (then the one with fewest
 * other tokens), among the lines at or after the previous JS line's, maximising the total over
 * the cell (a dynamic programme, JS lines × TS lines). Matched one JS line at a time, `inner();`
 * from `try { inner() } catch …` on line 2 went to line 1's `function inner() { … }`, which
 * holds the same tokens and fewer others.
 */
const tokens = (t: string) => t.match(/[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|[^\s\w]/g) ?? [];

type Bag = { counts: Map<string, number>; size: number };
const bag = (toks: string[]): Bag => {
  const counts = new Map<string, number>();
  for (const t of toks) counts.set(t, (counts.get(t) ?? 0) + 1);
  return { counts, size: toks.length };
};

/** How well TS line `have` accounts for JS line `want` (0 when they share no token). */
function similarity(want: Bag, have: Bag): number {
  if (want.size === 0 || have.size === 0) return 0;
  let shared = 0;
  for (const [t, n] of want.counts) shared += Math.min(n, have.counts.get(t) ?? 0);
  if (shared === 0) return 0;
  // Mostly: how much of the JS line it holds; a little: how little else it holds. Always > 0.
  return shared / want.size - 0.1 * (1 - shared / have.size) + 0.1;
}

/** For each JS line (0-based), its TS line (0-based), or -1 where none shares a token. */
export function alignLines(js: string, ts: string): number[] {
  const jsLines = js.split("\n").map((l) => bag(tokens(l.replace(/exports\./g, ""))));
  const tsLines = ts.split("\n").map((l) => bag(tokens(l)));
  const J = jsLines.length, T = tsLines.length;
  // best[j][t]: the best total for JS lines 0..j with line j on TS line t (monotone), from[j][t]: where line j-1 went.
  const best = Array.from({ length: J }, () => new Float64Array(T));
  const from = Array.from({ length: J }, () => new Int32Array(T));
  for (let j = 0; j < J; j++) {
    let runBest = -Infinity, runAt = 0;
    for (let t = 0; t < T; t++) {
      if (j > 0 && best[j - 1][t] > runBest) { runBest = best[j - 1][t]; runAt = t; }
      best[j][t] = similarity(jsLines[j], tsLines[t]) + (j > 0 ? runBest : 0);
      from[j][t] = runAt;
    }
  }
  const out = new Array<number>(J).fill(-1);
  if (J === 0 || T === 0) return out;
  let t = 0;
  for (let k = 1; k < T; k++) if (best[J - 1][k] > best[J - 1][t]) t = k;
  for (let j = J - 1; j >= 0; j--) {
    out[j] = similarity(jsLines[j], tsLines[t]) > 0 ? t : -1;
    t = from[j][t];
  }
  return out;
}
