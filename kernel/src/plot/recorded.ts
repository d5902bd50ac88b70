/**
 * Every metric a trace records is plottable: a trace's figure source (trace.ts
 * to_figure_source) carries the rates, the spread and the health metrics, and left the other
 * series it records in the trace: `%lr_compare a b --metric lr_momentum_steady` (angular_update,
 * param_norm, momentum, beta2, weight_decay) then said "was not recorded ... showing lr" of runs
 * that had recorded it, and `%%lr_trace --metrics lr_projected,lr_momentum_steady` dropped the
 * second from the plot's menu without a word (a teacher's pass). `withRecordedMetrics` adds each
 * recorded group series the source lacks (read through the trace's public `series(metric,
 * group)`), so the metric menu offers every metric Tab offers and the trace recorded.
 *
 * Bytes: each line takes a share of the saved-size budget (figure.ts "Budget"): these added to
 * every plot would lower the points of the others (a 3-group 40-step trace lost steps; twelve
 * compared runs kept 3 points a line), so they are added when asked for: the metric a plot
 * opens on (`%lr_compare --metric`, `bundle({ default_metric })`) or one a trace was told to
 * record (`%%lr_trace --metrics`, `trace(opt, { metrics })`: a list shorter than every metric).
 *
 * The steady-state rate γ(1−τ)/(1−μ) of SGD with momentum (EFFECTIVE_LR.md; Sutskever et al.
 * 2013) is also a reference line on the projected-lr view (`reference_for`): the rate the
 * projected rate would reach under a constant gradient, beside the one measured. Only for SGD
 * with momentum: for plain SGD it is γ itself (the configured lr's line), and RMSprop's
 * γ/(1−μ) multiplies its preconditioner, so it is not a steady state of its projected rate.
 */
import type { Bucket } from "../trace/series";
import type { FigureSource, SourceSeries } from "./figure";
import { METRIC_NAMES } from "../trace/metrics";

/** Group series a trace records that its figure source may leave out, in the catalogue's order. */
export const RECORDED_EXTRAS = [
  "lr_realized", "lr_momentum_steady", "angular_update", "grad_norm", "param_norm", "momentum", "beta2", "weight_decay",
] as const;

/** What `withRecordedMetrics` reads of a trace (kernel/src/trace/trace.ts Trace). */
export interface RecordedSeriesReader {
  readonly plot_kind: string;
  readonly metrics: readonly string[];
  readonly optimizer_name?: string;
  series(metric: string, group?: number): { buckets(): readonly Bucket[] } | undefined;
}

/** Whether `x` is a trace `withRecordedMetrics` (and the plot notes, notes.ts) can read series of. */
export function isRecordedSeriesReader(x: unknown): x is RecordedSeriesReader {
  const r = x as RecordedSeriesReader;
  return typeof x === "object" && x !== null && r.plot_kind === "trace" && Array.isArray(r.metrics) && typeof r.series === "function";
}

/** Whether two series differ somewhere (relative difference above 1e-9 at a bucket both have). */
function differs(a: readonly Bucket[], b: readonly Bucket[]): boolean {
  const at = new Map(b.map((x) => [x.first_step, x.mean]));
  return a.some((x) => {
    const y = at.get(x.first_step);
    return x.mean !== null && y !== null && y !== undefined && Math.abs(x.mean - y) > 1e-9 * Math.max(Math.abs(x.mean), Math.abs(y));
  });
}

/**
 * The source with the recorded group series it lacks (see the file comment): the steady-state
 * reference always, the others when `asked` names them or the trace's own `metrics` list (a
 * list shorter than every metric a trace can record: chosen by its user) does.
 */
export function withRecordedMetrics(p: unknown, src: FigureSource, asked: readonly string[] = []): FigureSource {
  if (!isRecordedSeriesReader(p)) return src;
  const chosen = p.metrics.length < METRIC_NAMES.length;
  const wanted = (m: string) => asked.includes(m) || (chosen && p.metrics.includes(m));
  const groups = [...new Set(src.series.filter((s) => s.group !== null && !s.param).map((s) => s.group as number))];
  if (groups.length === 0) return src;
  const has = (metric: string, group: number) => src.series.some((s) => s.metric === metric && s.group === group && !s.param);
  const sgd = p.optimizer_name === "SGD";
  const added: SourceSeries[] = [];
  for (const group of groups) {
    for (const metric of RECORDED_EXTRAS) {
      if (!p.metrics.includes(metric) || has(metric, group)) continue;
      const s = p.series(metric, group);
      const buckets = s?.buckets() ?? [];
      if (!buckets.some((b) => b.count > 0)) continue;
      const out: SourceSeries = { metric, group, param: null, buckets };
      if (metric === "lr_momentum_steady" && sgd) {
        const lr = p.metrics.includes("lr") ? p.series("lr", group)?.buckets() ?? [] : [];
        if (lr.length === 0 || differs(buckets, lr)) out.reference_for = "lr_projected";
      }
      if (out.reference_for === undefined && !wanted(metric)) continue;
      added.push(out);
    }
  }
  // the ones the trace was told to record get a static panel too (figure.ts panelsFor), whether
  // added here or carried by the source already (lr_realized, grad_norm)
  const panels = chosen ? RECORDED_EXTRAS.filter((m) => p.metrics.includes(m)) : [];
  if (panels.length > 0) src = { ...src, panels: [...(src.panels ?? []), ...panels] };
  if (added.length === 0) return src;
  // group series before the run's own (the loss) and the per-parameter lines, as the trace orders them
  const at = src.series.findIndex((s) => s.group === null || !!s.param);
  const series = at < 0 ? [...src.series, ...added] : [...src.series.slice(0, at), ...added, ...src.series.slice(at)];
  return { ...src, series };
}
