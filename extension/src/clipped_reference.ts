/**
 * The static picture's rule for a reference line that rises well over a linear view's lines
 * (kernel/src/plot/figure.ts withClippedReferences, REFERENCE_OVERSHOOT), for the JupyterLab
 * view: SGD momentum's steady-state rate γ(1−τ)/(1−μ) on the projected-lr view. Kept in step with
 * the kernel so that a notebook reads the same in JupyterLab and in its saved picture: the axis
 * is the rates' own, the reference is cut at its top, and a note says how high it goes. (The
 * extension sized that view by its own rule, a reference within 2× the measured rate's magnitude
 * kept on the axis: with momentum 0.5 its steady state, 2 × lr, set a range the static picture
 * did not, and its note read otherwise. A helper's fix after a teacher's pass.) Linear views
 * only, as the kernel's rule; figure.ts fitWithReferences applies it. Pure numbers, no plotly.
 */
/**
 * How far a reference may rise over the top of the view's other lines, as a share of their
 * range, before the view takes their range and the reference is cut (the kernel's
 * REFERENCE_OVERSHOOT; test/extension/p21b_reference_axis.test.ts checks that they agree).
 */
export const REFERENCE_OVERSHOOT = 0.25;

/**
 * The y range of a linear view whose reference lines reach [refLo, refHi] beside other lines
 * spanning [lo, hi], when the references are cut at its top; null when they fit (drawn whole, the
 * view fitted to every line). The bottom is the lowest of every line (a reference under the rates
 * is drawn whole), padded only when it is negative; the top is the other lines' with a 5% margin:
 * the kernel's range, number for number.
 */
export function clippedRange(lines: [number, number], refs: [number, number]): [number, number] | null {
  const [lo, hi] = lines;
  const [refLo, refHi] = refs;
  if (!(hi >= lo) || !(refHi > hi)) return null;
  const span = hi - lo > 0 ? hi - lo : Math.abs(hi) || 1;
  if (refHi <= hi + REFERENCE_OVERSHOOT * span) return null;
  const bottom = Math.min(lo, refLo);
  const pad = 0.05 * (hi - bottom > 0 ? hi - bottom : span);
  return [bottom - (bottom < 0 ? pad : 0), hi + pad];
}

/**
 * The note over a view whose references are cut (the kernel's panel note), `names` the
 * references' legend names ("steady-state lr γ(1−τ)/(1−μ)"), `top` their highest value as the
 * view writes numbers (figure.ts hoverNumber: "1", "7.5e−4") and `symbols` what their symbols
 * mean, said after it (a user's pass: "μ the momentum, τ the dampening").
 */
export function clippedNote(names: readonly string[], top: string, symbols = ""): string {
  return `${names.join(", ")} reaches ${top}, above this axis: cut at its top, so that the rates keep their scale${symbols ? ` ${symbols}` : ""}`;
}
