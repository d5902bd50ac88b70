/**
 * The range test's smoothed loss without stairs.
 *
 * The curve was the centred running median of the losses (find.ts centredMedian): no lag, a sharp
 * fall kept sharp, one wild batch ignored. But a median is one of the window's own losses, and
 * neighbouring windows share all but two of them, so it keeps the same value for several rates
 * and then jumps, back and forth between two losses at times (a teacher's pass: "the smoothed loss
 * looks like stairs"; on the README's range test 33 of its 88 points repeated the point before).
 *
 * So the median is followed by the exponential moving average fastai (AvgSmoothLoss) and
 * PyTorch Lightning's lr finder use, with their bias correction,
 *
 *   a_i = β a_{i−1} + (1 − β) x_i,  a_{−1} = 0,   r_i = a_i / (1 − β^{i+1}),
 *
 * run forwards and then backwards over the result (a zero-phase filter, as scipy's filtfilt):
 * one pass alone lags by β/(1 − β) rates, which put the curve's fall after the losses' (find.ts's
 * comment). The bias correction makes each pass start at its first value instead of at 0.
 *
 * β = (h − 1)/(h + 1) for the median's half width h (an EMA of span h: for the default h = 5,
 * β = 2/3, a weight that halves every 1.7 rates), so the average spreads a fall over fewer rates
 * than the median's window already looks at; h ≤ 1 (smooth_f near 1) gives β = 0, the median as
 * is, and h = 0 the losses themselves.
 */

/** fastai's and Lightning's bias-corrected exponential moving average of `xs`, weight β on the past. */
export function debiasedEma(xs: readonly number[], beta: number): number[] {
  let avg = 0;
  return xs.map((x, i) => {
    avg = beta * avg + (1 - beta) * x;
    return avg / (1 - beta ** (i + 1));
  });
}

/** The bias-corrected EMA run forwards, then backwards over its result: no lag either way. */
export function zeroLagEma(xs: readonly number[], beta: number): number[] {
  return debiasedEma(debiasedEma(xs, beta).reverse(), beta).reverse();
}

/** The EMA's β for a median of half width h (see the file's comment). */
export function emaBeta(h: number): number {
  return h <= 1 ? 0 : (h - 1) / (h + 1);
}

/** The median-smoothed losses (centred, half width h) made smooth by the zero-lag EMA. */
export function smoothMedian(median: readonly number[], h: number): number[] {
  return zeroLagEma(median, emaBeta(h));
}
