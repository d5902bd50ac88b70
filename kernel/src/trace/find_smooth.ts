/**
 * The range test's smoothed loss without stairs.
 *
 * The curve was the centred running median of the losses (find.ts centredMedian): no lag, a sharp
 * fall kept sharp, one wild batch ignored. But a median is one of the window's own losses, and
 * neighbouring windows share all but two of them, so it keeps the same value for several rates
 * and then jumps (a teacher's pass: "the smoothed loss looks like stairs"; on the README's range
 * test 33 of its 88 points repeated the point before).
 *
 * So each run of equal values (a stair's tread) is read as one point at its middle, and the curve
 * goes straight from one such point to the next (in rate index, i.e. in log lr):
 *
 *   runs [s_k, e_k] of equal median values v_k, centres c_k = (s_k + e_k)/2,
 *   curve(i) = v_k + (v_{k+1} − v_k) (i − c_k)/(c_{k+1} − c_k)   for c_k ≤ i ≤ c_{k+1},
 *   the first and last runs' values before the first centre and after the last.
 *
 * Why not a moving average over the median (fastai's bias-corrected EMA, run forwards and
 * backwards; tried first): any average spreads a jump over its neighbours, so the curve rose a
 * rate or two before the losses blew up and stayed above the floor after the fall (notebook 03:
 * 0.37 on a floor of 0.15, against the median's 0.21). The interpolation stays between the
 * values of neighbouring treads: a point that is a run of its own keeps its median value exactly,
 * so a sharp fall or a blow-up is where the median puts it, and the curve's lowest value is the
 * median's, at the middle of its lowest tread.
 */

/** The median's treads replaced by straight lines between their middles (see the file's comment). */
export function withoutStairs(median: readonly number[]): number[] {
  const n = median.length;
  const centres: number[] = [];
  const values: number[] = [];
  for (let s = 0; s < n;) {
    let e = s;
    while (e + 1 < n && median[e + 1] === median[s]) e++;
    centres.push((s + e) / 2);
    values.push(median[s]);
    s = e + 1;
  }
  const out = new Array<number>(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    while (k + 1 < centres.length && centres[k + 1] <= i) k++;
    if (i <= centres[0] || k + 1 >= centres.length) out[i] = values[k];
    else out[i] = values[k] + ((values[k + 1] - values[k]) * (i - centres[k])) / (centres[k + 1] - centres[k]);
  }
  return out;
}
