/**
 * Gradient clipping as the tracer sees it. The tracer reads the gradient `step()` reads, which is
 * the clipped one when `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_` ran between
 * `backward()` and `step()`: `lr_projected`, `lr_realized` and `grad_norm` are relative to it
 * (EFFECTIVE_LR.md's definitions, unchanged). So that clipping shows, a `ClipWatch` observes those
 * calls (nn/utils/clip_grad.ts observers) and gives each traced step, per parameter group:
 *
 *   grad_norm_raw = ‖g_raw‖, the group's gradient before the first clipping call since the
 *                   optimizer's last step (parameters no call clipped count as they are)
 *   clip_factor   = ‖g_clipped‖ / ‖g_raw‖ (≤ 1 for both clipping functions; 1: clipping ran
 *                   and left the group as it was), from float64 sums of squares of the actual
 *                   gradients before and after, so exact to float64 rounding
 *
 * Relative to the raw gradient the step's `lr_realized` is `lr_realized × clip_factor` exactly;
 * `lr_projected × clip_factor` is the projected rate along the raw gradient when the clipped
 * gradient is the raw one scaled by one factor (`uniform`: clip_grad_norm_ over all the group's
 * parameters, or parameters scaled alike), not under clip_grad_value_.
 *
 * A step without any clipping call records null for both (a gap): the series are made at the
 * first clipped step (trace.ts), so a run without clipping records nothing more and pays nothing
 * per step: `take` returns at once when no call was seen.
 */
import type { Tensor } from "../tensor/tensor";
import { _observe_clipping, sumSquares } from "../nn/utils/clip_grad";

/** One parameter's gradient before the first clipping call of the window and after the last. */
interface ClipRecord {
  raw: number;
  after: number;
  by_norm: boolean;
}

/** What one group's step learns of clipping (null in `take`'s array: no call clipped the group). */
export interface GroupClip {
  grad_norm_raw: number;
  clip_factor: number | null;
  /** The clipped gradient is the raw one times one factor (see the file comment). */
  uniform: boolean;
}

/** Relative spread of per-parameter factors still counted as one factor (float32 rounding of g·c). */
const UNIFORM_TOLERANCE = 1e-5;

export class ClipWatch {
  private readonly records = new Map<Tensor, ClipRecord>();
  private remove: (() => void) | null = null;

  /**
   * `accepts`: which parameters to keep records of (a trace's own optimizer's), or null for every
   * parameter (trace_all: the optimizers are known when they step).
   */
  constructor(private readonly accepts: (() => ReadonlySet<Tensor>) | null) {}

  /**
   * Observe the clipping calls from now on (until `stop`). The observer holds the watch weakly: a
   * trace dropped without stop() (an interrupt inside step(), a cell's variable replaced) lets its
   * optimizer and parameters go, and its observer leaves at the next clipping call.
   */
  start(): this {
    if (this.remove === null) {
      const self = new WeakRef(this);
      const remove = _observe_clipping({
        clipped: (params, before, after, by_norm) => {
          const w = self.deref();
          if (w === undefined) remove();
          else w.clipped(params, before, after, by_norm);
        },
      });
      this.remove = remove;
    }
    return this;
  }

  stop(): void {
    this.remove?.();
    this.remove = null;
    this.records.clear();
  }

  get active(): boolean {
    return this.remove !== null;
  }

  private clipped(params: readonly Tensor[], before: Float64Array, after: Float64Array, by_norm: boolean): void {
    // never throws into the user's clip_grad_norm_ (a tracer failure must not break training)
    try {
      const keep = this.accepts?.() ?? null;
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        if (keep !== null && !keep.has(p)) continue;
        const r = this.records.get(p);
        if (r === undefined) this.records.set(p, { raw: before[i], after: after[i], by_norm });
        else {
          r.after = after[i];
          r.by_norm &&= by_norm;
        }
      }
    } catch {
      this.records.clear();
    }
  }

  /**
   * Each group's clipping since the optimizer's last step (null for a group no call clipped;
   * null for all when none did), and the records of its parameters are dropped: the next window
   * starts. O(1) when no clipping call was seen.
   */
  take(optimizer: { param_groups: ReadonlyArray<{ params: readonly Tensor[] }> }): (GroupClip | null)[] | null {
    if (this.records.size === 0) return null;
    let any = false;
    const out = optimizer.param_groups.map((group) => {
      const recs: (ClipRecord | undefined)[] = group.params.map((p) => this.records.get(p));
      if (!recs.some((r) => r !== undefined)) return null;
      any = true;
      let raw = 0, clipped = 0, lo = Infinity, hi = -Infinity, byNorm = true;
      group.params.forEach((p, i) => {
        const r = recs[i];
        if (r !== undefined) {
          this.records.delete(p);
          raw += r.raw;
          clipped += r.after;
          byNorm &&= r.by_norm;
          const f = r.raw > 0 ? r.after / r.raw : 1;
          if (f < lo) lo = f;
          if (f > hi) hi = f;
          return;
        }
        const g = p.grad;
        if (g === null || g === undefined) return;
        const s = sumSquares(g.is_sparse ? g._values().data : g.data);
        raw += s;
        clipped += s;
        if (s > 0) {
          lo = Math.min(lo, 1);
          hi = Math.max(hi, 1);
        }
      });
      const ok = raw > 0 && Number.isFinite(raw) && Number.isFinite(clipped);
      return {
        grad_norm_raw: Math.sqrt(raw),
        clip_factor: ok ? Math.sqrt(clipped) / Math.sqrt(raw) : null,
        uniform: ok && byNorm && !(hi - lo > UNIFORM_TOLERANCE * hi),
      };
    });
    return any ? out : null;
  }
}

/** The parameters of an optimizer's groups, as a set (what a trace's ClipWatch keeps records of). */
export function paramSet(optimizer: { param_groups: ReadonlyArray<{ params: readonly Tensor[] }> } | null): ReadonlySet<Tensor> {
  const s = new Set<Tensor>();
  if (optimizer !== null) for (const g of optimizer.param_groups) for (const p of g.params) s.add(p);
  return s;
}
