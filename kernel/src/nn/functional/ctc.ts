/**
 * Connectionist Temporal Classification loss (torch.nn.functional.ctc_loss): the negative log
 * likelihood of a target sequence under all alignments of the input frames, computed with the
 * forward-backward recursions in log space over the target with blanks interleaved
 * (l' = blank, l₁, blank, l₂, ..., blank; S = 2L + 1):
 *   α_t(s) = lp_t(l'_s) + logsumexp(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) if l'_s ≠ blank, l'_s ≠ l'_{s−2})
 *   nll = −logsumexp(α_{T−1}(S−1), α_{T−1}(S−2)); β likewise backwards.
 * Gradient with respect to log_probs, as PyTorch computes it (which folds in the softmax: it is
 * the logits' gradient when log_probs come from log_softmax, and the same after log_softmax's
 * backward either way):
 *   ∂nll/∂lp_t(c) = e^{lp_t(c)} − e^{logsumexp_{s: l'_s = c}(α_t(s) + β_t(s)) + nll − lp_t(c)},
 *   0 for frames t ≥ input_length.
 * Reductions: "none" gives each sample's nll (N); "sum" their sum; "mean" the mean over the batch
 * of nll / max(target_length, 1). zero_infinity replaces infinite losses (no valid alignment) and
 * their gradients with 0.
 */
import { Tensor } from "../../tensor/tensor";
import { record } from "../_autograd";
import type { Reduction } from "../_autograd";
import { RuntimeError } from "../../optim/lr_scheduler/errors";
import { gradOf, lossArgs, reductionArg, sizesStr, tensorArg } from "./_loss_more";
import { markSumReduced } from "./_reduce";
import { saves } from "../../tensor/version";

// What PyTorch's CtcLossBackward0 saves: log_probs, targets and its result (the per-sample losses:
// the output itself only with reduction "none"; "sum" and "mean" reduce it in nodes of their own).
// Unbatched log_probs are unsqueezed to a batch of one first: PyTorch saves that view.
const CTC_SAVES = saves("0, x0");
const CTC_NONE_SAVES = saves("0, x0, out");
const CTC_UNBATCHED_SAVES = saves("0 as unsqueeze_h, x0");

export interface CTCOptions {
  blank?: number;
  reduction?: Reduction;
  zero_infinity?: boolean;
}

/** The suffix of PyTorch's argument-check messages for ctc_loss. */
const CHECKING = " (while checking arguments for ctc_loss_allocate_outputs)";

function lse2(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = a > b ? a : b;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

function lse3(a: number, b: number, c: number): number {
  return lse2(lse2(a, b), c);
}

/** Lengths given as an int tensor or an array of numbers (PyTorch takes a tensor or a tuple of ints). */
function lengthsOf(op: string, v: unknown, what: string, n: number): number[] {
  let vals: number[];
  if (v instanceof Tensor) {
    if (v.dtype !== "int64" && v.dtype !== "int32") throw RuntimeError(`${op}: ${what} must be an integer tensor (int64 or int32) or an array of numbers, got ${v.dtype}`);
    vals = Array.from(v.data);
  } else if (Array.isArray(v) && v.every((x) => Number.isInteger(x))) vals = v as number[];
  else if (typeof v === "number" && Number.isInteger(v)) vals = [v];
  else throw new TypeError(`${op}(): argument '${what}' must be a Tensor or an array of ints`);
  if (vals.length !== n) throw RuntimeError(`${what} must be of size batch_size (expected ${n}, got ${vals.length})`);
  return vals;
}

/**
 * CTC loss of `log_probs` (T, N, C) (log_softmax over C; or (T, C) unbatched), `targets` (N, S)
 * padded or 1-D concatenated (or (S) unbatched), `input_lengths` and `target_lengths` (N) int64
 * tensors or arrays. `ctc_loss(lp, targets, input_lengths, target_lengths, blank?, { reduction, zero_infinity })`.
 */
export function ctc_loss(
  log_probs: Tensor, targets: Tensor, input_lengths: Tensor | number[], target_lengths: Tensor | number[], blank?: number, options?: CTCOptions,
): Tensor;
export function ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Tensor | number[], target_lengths: Tensor | number[], options?: CTCOptions): Tensor;
export function ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: unknown, target_lengths: unknown, ...args: unknown[]): Tensor {
  const op = "ctc_loss";
  const o = lossArgs(op, [["blank", "number"]], [["reduction", "string"], ["zero_infinity", "boolean"]], args);
  const blank = (o.blank as number | undefined) ?? 0;
  const red = reductionArg(o.reduction ?? "mean");
  const zeroInf = (o.zero_infinity as boolean | undefined) ?? false;
  tensorArg(op, log_probs, "log_probs");
  tensorArg(op, targets, "targets");
  if (log_probs.dtype !== "float32" && log_probs.dtype !== "float64") {
    throw new TypeError(`${op}(): expected a floating point log_probs (float32 or float64), got ${log_probs.dtype}`);
  }
  if (targets.dtype !== "int64" && targets.dtype !== "int32") throw RuntimeError(`${op}: targets must be an integer tensor (int64 or int32), got ${targets.dtype}`);
  const unbatched = log_probs.shape.length === 2;
  if (!unbatched && log_probs.shape.length !== 3) {
    throw RuntimeError(`ctc_loss: log_probs must be (T, N, C) or (T, C) for unbatched input, got ${sizesStr(log_probs.shape)}`);
  }
  const T = log_probs.shape[0];
  const N = unbatched ? 1 : log_probs.shape[1];
  const C = log_probs.shape[unbatched ? 1 : 2];
  if (blank < 0 || blank >= C) throw RuntimeError("blank must be in label range");
  const inLen = lengthsOf(op, input_lengths, "input_lengths", N);
  const tgLen = lengthsOf(op, target_lengths, "target_lengths", N);
  // Where each sample's target starts in targets' data, and its stride.
  const tgt = targets.data;
  const starts = new Array<number>(N);
  const concatenated = !unbatched && targets.shape.length === 1;
  if (concatenated) {
    let pos = 0;
    for (let n = 0; n < N; n++) {
      starts[n] = pos;
      pos += tgLen[n];
    }
    if (pos > tgt.length) throw RuntimeError(`Expected tensor to have size at least ${pos} at dimension 0, but got size ${tgt.length} for argument #2 'targets'${CHECKING}`);
  } else {
    const width = unbatched ? targets.data.length : targets.shape[1];
    if (!unbatched && targets.shape.length !== 2) throw RuntimeError(`ctc_loss: targets must be (N, S) or 1-D concatenated, got ${sizesStr(targets.shape)}`);
    if (!unbatched && targets.shape[0] !== N) throw RuntimeError(`Expected tensor to have size ${N} at dimension 0, but got size ${targets.shape[0]} for argument #2 'targets'${CHECKING}`);
    for (let n = 0; n < N; n++) {
      starts[n] = n * width;
      if (tgLen[n] > width) throw RuntimeError(`Expected tensor to have size at least ${tgLen[n]} at dimension 1, but got size ${width} for argument #2 'targets'${CHECKING}`);
    }
  }
  for (let n = 0; n < N; n++) {
    if (inLen[n] < 0 || inLen[n] > T) throw RuntimeError(`Expected input_lengths to have value at most ${T}, but got value ${inLen[n]}${CHECKING}`);
    if (tgLen[n] < 0) throw RuntimeError(`Expected target_lengths to be non-negative, but got value ${tgLen[n]}`);
  }
  const lp = log_probs.data;
  // lp index of (t, n, c)
  const lpAt = (t: number, n: number, c: number) => (t * N + n) * C + c;
  const nll = new Float64Array(N);
  const alphas: Float64Array[] = [];
  const labels: Int32Array[] = [];
  for (let n = 0; n < N; n++) {
    const L = tgLen[n];
    const S = 2 * L + 1;
    const lab = new Int32Array(S).fill(blank);
    for (let j = 0; j < L; j++) {
      const c = tgt[starts[n] + j];
      if (!(c >= 0 && c < C)) throw RuntimeError(`ctc_loss: target ${c} is out of range for ${C} classes`);
      lab[2 * j + 1] = c;
    }
    labels.push(lab);
    const Tn = inLen[n];
    const alpha = new Float64Array(Math.max(Tn, 1) * S).fill(-Infinity);
    alphas.push(alpha);
    if (Tn === 0) {
      nll[n] = L === 0 ? 0 : Infinity;
      continue;
    }
    alpha[0] = lp[lpAt(0, n, blank)];
    if (S > 1) alpha[1] = lp[lpAt(0, n, lab[1])];
    for (let t = 1; t < Tn; t++) {
      for (let s = 0; s < S; s++) {
        const prev = (t - 1) * S;
        const a = alpha[prev + s];
        const b = s > 0 ? alpha[prev + s - 1] : -Infinity;
        const c = s > 1 && lab[s] !== blank && lab[s] !== lab[s - 2] ? alpha[prev + s - 2] : -Infinity;
        const m = lse3(a, b, c);
        alpha[t * S + s] = m === -Infinity ? -Infinity : m + lp[lpAt(t, n, lab[s])];
      }
    }
    const last = (Tn - 1) * S;
    nll[n] = -(S > 1 ? lse2(alpha[last + S - 1], alpha[last + S - 2]) : alpha[last + S - 1]);
  }
  const loss = new Float64Array(N);
  for (let n = 0; n < N; n++) loss[n] = zeroInf && nll[n] === Infinity ? 0 : nll[n];
  let out: Tensor;
  const dtype = log_probs.dtype;
  const mk = (v: Float64Array, shape: number[]) => new Tensor(dtype === "float32" ? Float32Array.from(v) : v, shape, dtype);
  if (red === "none") out = mk(loss, unbatched ? [] : [N]);
  else {
    let s = 0;
    for (let n = 0; n < N; n++) s += red === "mean" ? loss[n] / Math.max(tgLen[n], 1) : loss[n];
    out = mk(Float64Array.of(red === "mean" ? s / N : s), []);
    if (red === "sum") markSumReduced(out);
  }
  return record(out, "CtcLossBackward0", [log_probs], (g) => {
    const gl = new Float64Array(lp.length);
    for (let n = 0; n < N; n++) {
      const up = red === "none" ? g.data[unbatched ? 0 : n] : red === "sum" ? g.data[0] : g.data[0] / (N * Math.max(tgLen[n], 1));
      const Tn = inLen[n];
      if (Tn === 0) continue;
      if (zeroInf && nll[n] === Infinity) continue;
      const lab = labels[n];
      const S = lab.length;
      const alpha = alphas[n];
      const beta = new Float64Array(Tn * S).fill(-Infinity);
      const last = (Tn - 1) * S;
      beta[last + S - 1] = lp[lpAt(Tn - 1, n, lab[S - 1])];
      if (S > 1) beta[last + S - 2] = lp[lpAt(Tn - 1, n, lab[S - 2])];
      for (let t = Tn - 2; t >= 0; t--) {
        for (let s = 0; s < S; s++) {
          const nx = (t + 1) * S;
          const a = beta[nx + s];
          const b = s + 1 < S ? beta[nx + s + 1] : -Infinity;
          const c = s + 2 < S && lab[s] !== blank && lab[s + 2] !== lab[s] ? beta[nx + s + 2] : -Infinity;
          const m = lse3(a, b, c);
          beta[t * S + s] = m === -Infinity ? -Infinity : m + lp[lpAt(t, n, lab[s])];
        }
      }
      const lcab = new Float64Array(C);
      for (let t = 0; t < Tn; t++) {
        lcab.fill(-Infinity);
        for (let s = 0; s < S; s++) lcab[lab[s]] = lse2(lcab[lab[s]], alpha[t * S + s] + beta[t * S + s]);
        for (let c = 0; c < C; c++) {
          const k = lpAt(t, n, c);
          gl[k] = up * (Math.exp(lp[k]) - Math.exp(lcab[c] + nll[n] - lp[k]));
        }
      }
    }
    return [gradOf(gl, log_probs)];
  }, unbatched ? CTC_UNBATCHED_SAVES : red === "none" ? CTC_NONE_SAVES : CTC_SAVES, [targets]);
}
