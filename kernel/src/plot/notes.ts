/**
 * Notes a plot shows over some metrics' views (payload `notes`): why a measured rate reads what it
 * does, where a student would otherwise read a lesson that is not there. Both are detected from
 * what a trace records, cheaply (one pass over bucketed series), and change no recorded metric.
 *
 * - Rounding (roundingNote): plain SGD (no momentum, no weight decay) steps θ ← θ − γ·g, so its
 *   projected lr −⟨Δ,g⟩/‖g‖² is γ exactly, up to float32's rounding of θ − γ·g. In a converged run
 *   γ·g falls below the resolution of θ (half its ulp) and the update rounds away: the projected
 *   rate read 1e-4 for a configured 0.01 after 40,000 steps (PyTorch 2.13 reads 7.6e-5 on the same
 *   seed), and a student read "SGD's effective rate decayed 100×" (a user's pass). Nothing else
 *   moves it below γ (a maximized loss makes it −γ, excluded by its sign), so the criterion is:
 *   a bucket of steps whose projected rate lies in [0, γ/2) throughout (its max below half the
 *   configured rate's min), with momentum and weight decay recorded as 0 there. The note says at
 *   how many steps, from which to which.
 * - Element-wise outliers (elementwiseNotes): ρ = −Δ/g of an element whose gradient is float noise
 *   (~1e-10: MHA's key-projection bias) is 1e4–1e5 under Adam, which moves every element by about
 *   γ; when they are 5% of a group its q95 is there, and a linear axis 0..80,000 flattened the
 *   medians onto 0 (a user's pass). When a line's band top exceeds OUTLIER_RATIO times its
 *   median's largest |value|, the note says so, with how far and at how many points (the trace
 *   keeps q05/q50/q95, so "at least 5% of the elements" is what it can say of their number), and
 *   `band_range` cuts the band on a linear axis at BAND_CUT times the medians' largest |value|.
 * - Coinciding runs (coincidenceNote): two runs of a comparison whose lines are equal at every
 *   point (the same schedule traced twice, a run compared with its copy, SGD and SGD with
 *   momentum 0) draw one line over the other, and the legend names a run the plot seems not to
 *   show (a user's pass, session 21's list). The note names them on the views where it happens.
 */
import type { FigureSource } from "./figure";
import type { PlotNote, PlotPayload } from "./payload";
import { isRecordedSeriesReader } from "./recorded";
import { fmt } from "./text";

/** The metrics whose views carry the rounding note: the measured rates plain SGD's γ shows in. */
export const ROUNDING_METRICS: readonly string[] = ["lr_projected", "lr_realized", "lr_per_sample", "lr_elementwise"];
/** A bucket counts as rounded when its projected rate stays below this share of γ. */
export const ROUNDING_SHARE = 0.5;
/** A band top this many times the median's largest |value| is said to come from near-zero gradients. */
export const OUTLIER_RATIO = 100;
/** A linear axis cuts such a band at this many times the medians' largest |value|. */
export const BAND_CUT = 3;

/** A number in a note: text.ts's `fmt` at 2 significant digits, with a true minus sign (as the axes). */
export function noteNumber(v: number): string {
  return fmt(v, 2).replace(/-/g, "\u2212");
}

/** A step count with thousands separators ("38,012"). */
function count(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * The rounding note of a plain SGD trace (file comment), or null. `who`: the run's name when the
 * plot holds several runs ("" otherwise).
 */
export function roundingNote(p: unknown, src: FigureSource, who = ""): PlotNote | null {
  if (!isRecordedSeriesReader(p) || p.optimizer_name !== "SGD") return null;
  for (const m of ["lr", "lr_projected", "momentum", "weight_decay"]) if (!p.metrics.includes(m)) return null;
  const groups = [...new Set(src.series.filter((s) => s.group !== null && !s.param).map((s) => s.group as number))].sort((a, b) => a - b);
  const parts: string[] = [];
  for (const g of groups) {
    const at = (metric: string) => new Map((p.series(metric, g)?.buckets() ?? []).map((b) => [b.first_step, b]));
    const lr = at("lr"), mom = at("momentum"), wd = at("weight_decay");
    let steps = 0, total = 0, first = -1, last = -1;
    for (const b of p.series("lr_projected", g)?.buckets() ?? []) {
      total += b.pushes;
      const l = lr.get(b.first_step), mu = mom.get(b.first_step), w = wd.get(b.first_step);
      if (b.count === 0 || b.min === null || b.max === null || !l || l.min === null || l.min <= 0) continue;
      // momentum and weight decay held 0 (a bucket without values for them does not count)
      if (!mu || mu.count === 0 || mu.min !== 0 || mu.max !== 0 || !w || w.count === 0 || w.min !== 0 || w.max !== 0) continue;
      if (b.min < 0 || b.max >= ROUNDING_SHARE * l.min) continue;
      steps += b.pushes;
      if (first < 0) first = b.first_step;
      last = b.last_step;
    }
    if (steps === 0) continue;
    const range = first === last ? `step ${count(first)}` : `steps ${count(first)}–${count(last)}`;
    parts.push(`${groups.length > 1 ? `group ${g}: ` : ""}${count(steps)} of ${count(total)} steps (${range})`);
  }
  if (parts.length === 0) return null;
  return {
    metrics: [...ROUNDING_METRICS],
    text: `${who ? `${who}: ` : ""}projected lr below half the configured lr at ${parts.join("; ")}: plain SGD's updates γ·g there are below float32's resolution of θ and most of them round away (in PyTorch too), the rate set did not change`,
  };
}

/** The element-wise outlier note of a payload's ρ lines (file comment), or null. */
export function elementwiseNote(payload: Pick<PlotPayload, "series" | "kind">): PlotNote | null {
  const o = outlierParts(payload, "lr_elementwise");
  if (o === null) return null;
  const { parts, widest, lowest } = o;
  const hi = BAND_CUT * widest;
  const lo = Math.max(lowest, -hi);
  return {
    metrics: ["lr_elementwise"],
    text: `element-wise band: ${parts.join("; ")}: at least 5% of the elements take their step on a gradient near zero (ρ = −Δ/g grows as g → 0); a linear axis cuts the band at ${noteNumber(hi)}`,
    band_range: [lo < hi ? lo : -hi, hi],
  };
}

/**
 * A band this many times wider than its median's largest |value| (q05–q95 of ±60 over a median
 * of 0–2: Adam's ρ on an 80-step run) is cut on a linear axis even without near-zero-gradient
 * outliers (elementwiseNote): on the band's own range the median lay flat on zero, readable only
 * once "spread band" was unticked (a tester's pass).
 */
export const READABLE_RATIO = 10;

/**
 * The element-wise view's note when its band is wide but not outliers (READABLE_RATIO up to
 * OUTLIER_RATIO): the band is cut at BAND_CUT × the median's largest |value|, as for outliers, and
 * the note says so and how far the band reaches. Null when the band fits or elementwiseNote applies.
 */
export function wideBandNote(payload: Pick<PlotPayload, "series">): PlotNote | null {
  let med = 0, lo = Infinity, hi = -Infinity;
  for (const s of payload.series) {
    if (s.metric !== "lr_elementwise" || s.param || !s.min || !s.max) continue;
    for (const v of s.mean) if (v !== null) med = Math.max(med, Math.abs(v));
    for (const v of s.min) if (v !== null) lo = Math.min(lo, v);
    for (const v of s.max) if (v !== null) hi = Math.max(hi, v);
  }
  if (!(med > 0) || !(hi >= lo) || Math.max(Math.abs(lo), Math.abs(hi)) <= READABLE_RATIO * med) return null;
  const cut = BAND_CUT * med;
  const range: [number, number] = [Math.max(lo, -cut), Math.min(hi, cut)];
  return {
    metrics: ["lr_elementwise"],
    text: `element-wise band (q05–q95) reaches ${noteNumber(lo)} to ${noteNumber(hi)}, over ${READABLE_RATIO}× the median's largest |value| ${noteNumber(med)}: a linear axis cuts the band at ${noteNumber(range[0])} and ${noteNumber(range[1])} so that the median stays readable`,
    band_range: range,
  };
}

/**
 * The same for the optimizer's factor (lr_preconditioned): Adam's γ/(√v̂ + ε) of an element whose
 * gradient is float noise (a conv bias before BatchNorm, an attention key bias: ~1e-10) is ~γ/ε,
 * and a q95 of 1e6 over a median of 1 read as a confusing band with no word (a porter's pass). No
 * cut: the panel is on a log axis, where the band is readable. A per_param trace's lines name the
 * parameters whose own factor reaches that far (paramCulprits); the note asked for --per-param
 * when it was on, and named none (an engineer's pass).
 */
export function preconditionedNote(payload: Pick<PlotPayload, "series" | "kind">): PlotNote | null {
  const o = outlierParts(payload, "lr_preconditioned");
  if (o === null) return null;
  const perParam = payload.series.some((s) => s.metric === "lr_preconditioned" && s.param);
  const culprits = perParam ? paramCulprits(payload, "lr_preconditioned") : [];
  const named = culprits.length > 0 ? `: here ${culprits.slice(0, 3).join(", ")}${culprits.length > 3 ? ` and ${culprits.length - 3} more` : ""}`
    : perParam ? `; no parameter's line the plot carries reaches that far (trace.series("lr_preconditioned", group, name) has every parameter's)`
    : "; per_param: true (--per-param) names them";
  return {
    metrics: ["lr_preconditioned"],
    text: `preconditioned band: ${o.parts.join("; ")}: at least 5% of the elements have a second moment near zero, so the optimizer's factor `
      + `γ/(√v̂+ε) nears γ/ε there: parameters whose gradient is ~0 (a bias before a norm layer, an attention key bias, unused rows)${named}`,
  };
}

/**
 * The parameters (per-parameter lines of `metric`) whose band top, or line where they carry no
 * band, exceeds OUTLIER_RATIO × their group line's median's largest |value|: highest first.
 */
function paramCulprits(payload: Pick<PlotPayload, "series">, metric: string): string[] {
  const top = (vs: readonly (number | null)[] | undefined) => {
    let t = -Infinity;
    for (const v of vs ?? []) if (v !== null && v > t) t = v;
    return t;
  };
  const found = new Map<string, number>();
  for (const line of payload.series.filter((s) => s.metric === metric && !s.param)) {
    let med = 0;
    for (const v of line.mean) if (v !== null) med = Math.max(med, Math.abs(v));
    if (!(med > 0)) continue;
    for (const s of payload.series) {
      if (s.metric !== metric || !s.param || s.name !== line.name || s.group !== line.group) continue;
      const t = Math.max(top(s.max), top(s.mean));
      if (t > OUTLIER_RATIO * med) found.set(s.param, Math.max(found.get(s.param) ?? -Infinity, t));
    }
  }
  return [...found].sort((a, b) => b[1] - a[1]).map(([name]) => name);
}

/** Per line of `metric` whose band top exceeds OUTLIER_RATIO × its median's largest |value|: what to say; null when none does. */
function outlierParts(payload: Pick<PlotPayload, "series" | "kind">, metric: string): { parts: string[]; widest: number; lowest: number } | null {
  const lines = payload.series.filter((s) => s.metric === metric && !s.param && s.max);
  if (lines.length === 0) return null;
  const names = new Set(payload.series.map((s) => s.name));
  const groups = new Set(payload.series.filter((s) => s.group !== null).map((s) => s.group));
  let widest = 0, lowest = Infinity;
  const parts: string[] = [];
  for (const s of lines) {
    let med = 0;
    for (const v of s.mean) if (v !== null) med = Math.max(med, Math.abs(v));
    widest = Math.max(widest, med);
    for (const v of s.min ?? []) if (v !== null) lowest = Math.min(lowest, v);
    if (!(med > 0)) continue;
    let top = -Infinity, points = 0;
    for (const v of s.max ?? []) {
      if (v === null) continue;
      top = Math.max(top, v);
      if (v > OUTLIER_RATIO * med) points++;
    }
    if (points === 0) continue;
    const who = [names.size > 1 || payload.kind === "compare" ? s.name : "", groups.size > 1 && s.group !== null ? `group ${s.group}` : ""].filter(Boolean).join(" · ");
    parts.push(`${who ? `${who}: ` : ""}q95 up to ${noteNumber(top)}, ${noteNumber(top / med)}× the median's largest |value| ${noteNumber(med)} (${points} of ${s.x.length} points)`);
  }
  return parts.length === 0 ? null : { parts, widest, lowest };
}

/**
 * The coinciding runs of a comparison (file comment), or null: per metric (and group), the runs
 * whose line has the same points as an earlier run's, named after the first of them. Previews
 * (drawn dashed over the runs) and per-parameter lines are left out.
 */
export function coincidenceNote(payload: Pick<PlotPayload, "series" | "kind">): PlotNote | null {
  if (payload.kind !== "compare" && payload.kind !== "schedule") return null;
  const lines = payload.series.filter((s) => !s.param && !s.preview && s.x.length > 0);
  const groups = new Set(lines.filter((s) => s.group !== null).map((s) => s.group));
  // one sentence per set of coinciding runs, with the metrics where they coincide
  const said = new Map<string, string[]>();
  const byView = new Map<string, typeof lines>();
  for (const s of lines) {
    const k = `${s.metric}\u0000${s.group}`;
    const list = byView.get(k);
    if (list === undefined) byView.set(k, [s]);
    else list.push(s);
  }
  for (const list of byView.values()) {
    const taken = new Set<number>();
    for (let i = 0; i < list.length; i++) {
      if (taken.has(i)) continue;
      const same: string[] = [];
      for (let j = i + 1; j < list.length; j++) {
        if (!taken.has(j) && list[j].name !== list[i].name && samePoints(list[i], list[j])) {
          taken.add(j);
          same.push(list[j].name);
        }
      }
      if (same.length === 0) continue;
      const where = groups.size > 1 && list[i].group !== null ? `group ${list[i].group}: ` : "";
      const text = `${where}${same.join(", ")} ${same.length === 1 ? "coincides" : "coincide"} with ${list[i].name}`;
      const metrics = said.get(text);
      if (metrics === undefined) said.set(text, [list[i].metric]);
      else if (!metrics.includes(list[i].metric)) metrics.push(list[i].metric);
    }
  }
  if (said.size === 0) return null;
  const metrics = [...new Set([...said.values()].flat())];
  const parts = [...said].map(([text, ms]) => (ms.length === metrics.length ? text : `${text} (${ms.join(", ")})`));
  return {
    metrics,
    text: `${parts.join("; ")}: the same value at every point, so one line is drawn over the other`,
  };
}

/** Whether two lines have the same points (x and values; a gap matches a gap). */
function samePoints(a: { x: number[]; mean: (number | null)[] }, b: { x: number[]; mean: (number | null)[] }): boolean {
  if (a.x.length !== b.x.length) return false;
  for (let i = 0; i < a.x.length; i++) if (a.x[i] !== b.x[i] || a.mean[i] !== b.mean[i]) return false;
  return true;
}
