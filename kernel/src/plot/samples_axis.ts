/**
 * A comparison of runs at equal data (`%lr_compare a b --x samples`, `bundle(runs, { x:
 * "samples" })`): the x axis counts the samples seen rather than the steps, so runs of different
 * batch sizes line up per epoch (bs32 over steps 0–95 and bs128 over 0–23 for the same three
 * epochs could not be compared: a user's pass). The step t of a run of batch size B has seen
 * (t + 1)·B samples once it is taken.
 *
 * The run's batch size is the one it was traced with (`%%lr_trace --batch-size B`,
 * `trace(opt, { batch_size })`). A step given its own size (`log_loss(loss, { batch_size })`: a
 * DataLoader's smaller last batch) is counted at B: the trace does not keep each step's size once
 * its metrics are measured (trace.ts), so an epoch of 1000 samples in batches of 32 reads 1024.
 * A run without a batch size has no samples axis: an error naming it and how to give one.
 */
import type { Bucket } from "../trace/series";
import type { FigureSource } from "./figure";

/** The x axis's label when it counts samples. */
export const SAMPLES_LABEL = "samples seen";

/** Steps to samples seen: step t → (t + 1)·B, in every bucket, marker and series of `src`. */
export function toSamplesAxis(src: FigureSource, batch: number): FigureSource {
  const at = (step: number) => (step + 1) * batch;
  const map = (bs: readonly Bucket[] | undefined) => bs?.map((b) => ({ ...b, first_step: at(b.first_step), last_step: at(b.last_step) }));
  return {
    ...src,
    series: src.series.map((s) => ({ ...s, buckets: map(s.buckets)!, ...(s.low ? { low: map(s.low) } : {}), ...(s.high ? { high: map(s.high) } : {}) })),
    markers: src.markers?.map((m) => ({ ...m, x: at(m.x), label: m.kind === "divergence" ? `${m.label}, ${at(m.x)} samples` : m.label })),
  };
}

/** The batch size of run `p` for a samples axis, or an error saying why it has none. */
export function samplesBatch(p: unknown, name: string): number {
  const b = (p as { batch_size?: unknown }).batch_size;
  if (typeof b === "number" && Number.isFinite(b) && b > 0) return b;
  throw new RangeError(`x: "samples" counts samples seen as steps × batch size, and run "${name}" has no batch size: `
    + "trace it with one (%%lr_trace --batch-size B, or lrlab.trace(optimizer, { batch_size: B }))");
}
