/**
 * %lr_compare: one plot of several named runs: runs recorded by `%%lr_trace --name N` or made by
 * `lrlab.trace(optimizer, { name: N })` (trace/runs.ts), or variables holding a Trace or a
 * GlobalTrace. The label of one optimizer's trace in a run of several (`gan:Adam`, as the legend
 * and text write it) names that trace alone (runs.ts).
 *
 * However many runs, the plot stays within the saved-size budget (plot/figure.ts "Budget": fewer
 * points per line, no bands, once a dozen runs share it); per-parameter lines of per_param runs
 * are left out (each run's group lines are compared).
 *
 * A name may also be a variable holding a schedule preview (`pv = lrlab.preview(...)`) or a
 * scheduler your code built (previewed as `%lr_schedule sched` does, over the runs' steps): it is
 * drawn as a line `pv (preview)` on the runs' configured lr (metric lr, the only one a preview
 * has), and a text line per run says whether they agree (plot/schedule_overlay.ts). The lesson
 * "preview, train, check the trace against the preview" had no picture: a preview was "not a
 * trace" here (a teacher's pass). Names keep their order on the line; previews alone overlay.
 */
import type { Magic } from "./types";
import { MagicError } from "./parser";
import { plot, tools } from "./tools";
import { find_run as getRun, run_labels as runLabels, run_names as runNames, unknown_run_message } from "../trace/runs";
import { className, isScheduler } from "./scheduler_variable";

export const lr_compare: Magic = {
  name: "lr_compare",
  kind: "line",
  usage: "name [name ...] [--metric M] [--x step|samples] [--title T]",
  help: "Compares runs in one plot. Names are %%lr_trace --name runs, or variables holding traces.\n"
    + "A variable holding a schedule preview (pv = lrlab.preview(...)) or a scheduler draws that schedule on the runs' configured lr (metric lr), with a line saying whether they agree: %lr_compare seq pv; previews alone overlay: %lr_compare pa pb\n"
    + "--x samples puts the samples each run has seen ((step + 1) × its batch size) on the x axis: runs of different batch sizes at equal data.\n"
    + "Example:\n  %lr_compare sgd adam --metric lr_projected",
  options: [
    { name: "metric", type: "string", help: "the metric shown first", values: () => tools().METRIC_NAMES },
    { name: "x", type: "string", help: "the x axis: step, or samples seen (needs each run's batch size)", default: "step", values: () => ["step", "samples"] },
    { name: "title", type: "string", help: "plot title" },
  ],
  // the runs not named yet on the line
  // (once each: a variable may share its name with a run, `const mine = lrlab.trace(opt, { name: "mine" })`)
  complete: (positional, _kv, user) => [...new Set([...runNames(), ...runLabels(), ...user().filter(([k, v]) => isRun(v) || (!k.startsWith("_") && isSchedule(v))).map(([k]) => k)])].filter((n) => !positional.includes(n)),
  run(ctx, args) {
    const usage = "%lr_compare " + this.usage;
    if (args.kv.length) {
      // a run named with an "=" in it (%%lr_trace --name lr=0.1) reads as key=value unless quoted
      const [k, v] = args.kv[0];
      const named = `${k}=${v}`;
      const recorded = runNames().includes(named) ? ` (a run is named ${JSON.stringify(named)}: quote it, %lr_compare "${named}")` : ` (a run name with "=" in it is written in quotes, %lr_compare "${named}")`;
      throw new MagicError(`unexpected ${k}=...; give run names${recorded}`, usage);
    }
    if (args.positional.length === 0) {
      const known = runNames();
      throw new MagicError(`name at least one run${known.length ? `; recorded runs: ${known.join(", ")}` : " (record runs with %%lr_trace --name N)"}`, usage);
    }
    const lr = tools();
    const metric = args.flags.metric as string | undefined;
    if (metric !== undefined && !lr.METRIC_NAMES.includes(metric)) {
      throw new MagicError(`unknown metric ${JSON.stringify(metric)}; valid: ${lr.METRIC_NAMES.join(", ")}`, usage);
    }
    const record: Record<string, any> = {};
    // previews and schedulers named on the line, in their places (filled once the runs' steps are known)
    const schedules: { name: string; v: any }[] = [];
    for (const name of args.positional) {
      const found = getRun(name);
      const v: any = found ?? ctx.engine.value(name);
      if (found === undefined && isSchedule(v)) {
        schedules.push({ name, v });
        record[plot().previewLabel(name)] = null;
        continue;
      }
      if (!isRun(v)) {
        // the recorded runs and the variables holding traces, for "did you mean" (lrlab.run says it alike)
        const traces = ctx.engine.userNames().filter((n) => isRun(ctx.engine.locals[n]));
        const detail = v === undefined ? ""
          : plot().isSavedTrace(v) ? ` (that variable holds a trace saved with to_json(), not a trace: const ${name}_trace = lrlab.Trace.from_json(${name}) makes it one, then %lr_compare ${name}_trace)`
          : ` (that variable is not a trace; %lr_compare takes runs, and variables holding a trace, a schedule preview from lrlab.preview(...) or a scheduler)`;
        throw new MagicError(unknown_run_message(name, traces, detail), usage);
      }
      if (v instanceof lr.GlobalTrace) {
        if (v.traces.length === 1) record[name] = v.traces[0];
        // each optimizer's trace under its label's optimizer part (`:Adam`, `:Adam#2`: two of a class)
        else for (const t of v.traces) record[`${name}${t.name.includes(":") ? t.name.slice(t.name.lastIndexOf(":")) : `:${t.optimizer_name}`}`] = t;
      } else {
        record[name] = v;
      }
    }
    const previews = schedules.length > 0 ? overlaid(schedules, record, metric, args.flags.x as string, usage) : [];
    let b: Record<string, any>;
    try {
      b = lr.bundle(record, {
        // a preview has the configured lr alone: the comparison opens on it
        ...(metric !== undefined ? { default_metric: metric } : previews.length > 0 ? { default_metric: "lr" } : {}),
        ...(args.flags.title ? { title: args.flags.title as string } : {}),
        ...(args.flags.x === "samples" ? { x: "samples" as const } : {}),
      });
    } catch (e: any) {
      throw new MagicError(e.message, usage);
    }
    // a known metric these runs did not record (loss never logged, a factor the optimizer has
    // not): the plot opens on another one, and says so rather than switching silently
    const shown = b[plot().PLOT_MIME]?.default_metric;
    if (metric !== undefined && shown !== undefined && shown !== metric) {
      // Every metric a run records with values is plotted (plot/recorded.ts): a run that records
      // it without values is told apart from one that does not record it (a teacher's pass).
      const kept = Object.values(record).some((t: any) => metric !== "loss" && Array.isArray(t.metrics) && t.metrics.includes(metric));
      const why = metric === "lr_per_sample" ? " (it needs the batch size: %%lr_trace --batch-size B, or lrlab.trace(optimizer, { batch_size: B }))"
        : metric === "lr_momentum_steady" ? " (only SGD and RMSprop have one: γ(1−τ)/(1−μ))" : "";
      ctx.print(kept ? `%lr_compare: ${args.positional.join(", ")} recorded no value of ${metric}${why}; showing ${shown}`
        : `%lr_compare: ${metric} was not recorded in ${args.positional.join(", ")}; showing ${shown}`);
    } else if (metric !== undefined) {
      // Some runs have the metric, others not (lr_per_sample of a run traced without its batch
      // size, a loss never logged): their lines were silently absent from the plot and its legend.
      const series: { name: string; metric: string; mean: (number | null)[] }[] = b[plot().PLOT_MIME]?.series ?? [];
      const without = Object.keys(record).filter((n) => !series.some((s) => s.name === n && s.metric === metric && s.mean.some((v) => v !== null)));
      if (without.length > 0) {
        const why = metric === "lr_per_sample" ? " (it needs the batch size: %%lr_trace --batch-size B, or lrlab.trace(optimizer, { batch_size: B }))"
          : metric === "loss" ? " (log it in the cell: _lr_trace.log_loss(loss))" : "";
        const one = without.length === 1;
        ctx.print(`%lr_compare: ${without.join(", ")} ${one ? "has" : "have"} no ${metric}${why}: ${one ? "its line is" : "their lines are"} left out of this metric's view`);
      }
    }
    // --x samples counts each run's batch size a step; a run whose losses showed gradient
    // accumulation saw more (its summary's hint): said, not silently drawn at half (a user's pass)
    if (args.flags.x === "samples") {
      for (const [run, t] of Object.entries(record)) {
        const acc = t?._accumulated_batch;
        if (typeof acc === "number") {
          ctx.print(`%lr_compare: ${run}'s samples axis counts its batch size ${t.batch_size} a step, while each of its steps' gradients averaged ${acc} samples `
            + `(gradient accumulation, its summary says): it saw ${acc / t.batch_size}× the samples drawn; trace it with --batch-size ${acc} to count them`);
        }
      }
    }
    ctx.display(b);
    // whether each run's configured lr is each preview's, in words (plot/schedule_overlay.ts)
    if (previews.length > 0) {
      const runs = Object.entries(record).filter(([k]) => !previews.some((p) => p.label === k));
      const lines = previews.flatMap((p) => [
        ...(p.note ? [p.note] : []),
        ...runs.flatMap(([run, t]) => plot().agreementLines(run, t.to_figure_source(), p.name, p.preview)),
      ]);
      if (lines.length > 0) ctx.print(lines.join("\n"));
    }
  },
};

/**
 * The previews a line names, as runs of its comparison (`record` holds null at their places):
 * a preview variable as it is, a scheduler variable previewed over the runs' steps. Errors name
 * what is allowed: the configured lr (metric lr), on the step axis. Previews alone (`%lr_compare
 * pa pb`: cosine against step before any training) are overlaid as they are, as several
 * %lr_schedule lines in one cell overlay (a lecturer's pass: it was refused, with an example
 * naming a run "seq" of the README's); a scheduler variable among them is previewed over their
 * steps. Each preview's line carries, over the picture's lr panel, what the text says of the runs
 * (plot pictureNote).
 */
function overlaid(schedules: { name: string; v: any }[], record: Record<string, any>, metric: string | undefined,
  x: string | undefined, usage: string): { name: string; label: string; preview: any; note?: string }[] {
  const first = schedules[0].name;
  const what = (s: { v: any }) => (isScheduler(s.v) ? `holds a scheduler (${className(s.v)})` : "is a schedule preview");
  const runs = Object.entries(record).filter(([, t]) => t !== null);
  const given = schedules.filter((s) => !isScheduler(s.v));
  if (runs.length === 0 && given.length === 0) {
    // schedulers alone: no run and no preview gives their steps (the user's own names in the example)
    const known = runNames();
    const names = schedules.map((s) => s.name).join(" ");
    throw new MagicError(`${first} ${what(schedules[0])}: with no run or preview on the line, %lr_compare has no steps to preview it over; `
      + `name a run too (%lr_compare ${known.length ? known[known.length - 1] : "<run>"} ${names}), or preview it over N steps with %lr_schedule ${first} --steps N `
      + `(several %lr_schedule lines in one cell overlay)`, usage);
  }
  if (metric !== undefined && metric !== "lr") {
    throw new MagicError(`--metric ${metric}: ${first} ${what(schedules[0])}, which has the configured lr only; compare it with --metric lr `
      + `(the default when a preview is named), or leave ${first} out to compare the runs' ${metric}`, usage);
  }
  if (x === "samples") {
    throw new MagicError(`--x samples: ${first} ${what(schedules[0])}, whose steps are scheduler steps with no batch size; compare it on --x step (the default)`, usage);
  }
  // a scheduler is previewed over every step the runs have (from where it stands: preview.ts);
  // with no run, over the previews' steps
  const steps = runs.length > 0 ? Math.max(1, ...runs.map(([, t]) => {
    let last = -1;
    for (const s of t.to_figure_source().series) if (s.metric === "lr" && !s.param && s.buckets.length > 0) last = Math.max(last, s.buckets[s.buckets.length - 1].last_step);
    return last + 1;
  })) : Math.max(1, ...given.map((s) => s.v.first_step + (s.v.lrs[0]?.length ?? 0)));
  const sources: [string, any][] = runs.map(([n, t]) => [n, t.to_figure_source()]);
  const example = runs.length > 0 ? runs[0][0] : "<run>";
  const out: { name: string; label: string; preview: any; note?: string }[] = [];
  for (const s of schedules) {
    const label = plot().previewLabel(s.name);
    let preview = s.v;
    let note: string | undefined;
    if (isScheduler(s.v)) {
      try {
        preview = tools().preview(s.v, { steps, name: label });
      } catch (e: any) {
        const plateau = /ReduceLROnPlateau needs metrics/.test(String(e?.message));
        throw new MagicError(`${s.name}: ${String(e?.message ?? e).replace(/^preview: /, "")}`
          + (plateau ? `; preview it with its metrics, const pv = lrlab.preview(${s.name}, { steps: ${steps}, metrics: [...] }), then %lr_compare ${example} pv` : ""), usage);
      }
      // a scheduler the training cell stepped goes on from where it is: not the runs' schedule
      if (preview.continued) {
        // the fresh preview at the scheduler's base lr (the run's): the factory's default 0.1 would
        // differ from the run at every step (a user's pass)
        const bases: number[] = Array.isArray(s.v.base_lrs) ? s.v.base_lrs.map(Number) : [];
        const lr = bases.length === 0 || !bases.every(Number.isFinite) ? "" : `, lr: ${bases.length === 1 ? rate(bases[0]) : `[${bases.map(rate).join(", ")}]`}`;
        note = `${s.name} had already taken ${preview.continued.last_epoch} steps (last_epoch=${preview.continued.last_epoch}): its preview starts there, `
          + `not where the ${runs.length > 0 ? "runs" : "previews"} started; to compare the whole schedule, preview a fresh one: `
          + `const pv = lrlab.preview((opt) => new torch.optim.lr_scheduler.${className(s.v)}(opt, { ... }), { steps: ${steps}${lr} }), then %lr_compare ${example} pv`;
      }
    }
    record[label] = plot().previewAsRun(preview, label, sources.length > 0 ? plot().pictureNote(s.name, sources, preview) : undefined);
    out.push({ name: s.name, label, preview, ...(note ? { note } : {}) });
  }
  return out;
}

/** A rate in code the user copies: 6 significant digits (0.003, not 0.0030000000000000005). */
function rate(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** A schedule preview (lrlab.preview's result) or a scheduler: what %lr_compare draws over the runs' lr. */
function isSchedule(v: unknown): boolean {
  return isScheduler(v) || plot().isScheduleLike(v);
}

/** What %lr_compare compares: a trace, or a %%lr_trace run (a GlobalTrace). */
function isRun(v: any): boolean {
  const lr = tools();
  return v instanceof lr.GlobalTrace || (plot().isPlottable(v) && v.plot_kind === "trace");
}
