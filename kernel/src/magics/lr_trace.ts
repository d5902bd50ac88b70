/**
 * %%lr_trace: traces every optimizer stepped in the cell (lrlab.trace_all, through the global
 * optimizer step hooks) and plots the effective learning rates: a live plot updated while the
 * cell runs, then the final plot (with its static SVG) in the same output.
 *
 * Live updates are throttled: one at most every `--every` steps and at most every 250 ms, so a
 * fast loop costs little and the plot still moves several times a second. The sends do not
 * await anything, so they leave while a synchronous loop is still running. `--every` paces the
 * drawing only: every step is recorded whatever K is (a user read it as "record every K-th step",
 * which the error and the help now rule out). `--every` with `--no-live` is an error (it has no
 * live plot to pace; it was accepted without effect).
 *
 * In the cell, `_lr_trace` is the running GlobalTrace: `_lr_trace.log_loss(loss)` adds the loss.
 *
 * A cell with the --name of a recorded run (without --append) replaces that run: one line under
 * the plot says so, with the earlier run's steps and how to keep both (a teacher re-ran a cell, and
 * the %lr_compare output already in the notebook no longer matched a re-run of it, with nothing
 * said). Not for the default name, which a cell without --name re-runs as a matter of course, nor
 * when the new run recorded the same numbers (`sameRecord`: a seeded cell run again).
 */
import type { Magic, MagicContext } from "./types";
import { MagicError } from "./parser";
import { tools, torch } from "./tools";
import { append_dropped_message, find_run, new_run_note, recording, saveRun } from "../trace/runs";
import { CellError, KeyboardInterrupt } from "../kernel/engine";
import { fmt } from "../plot/text";

export const LIVE_INTERVAL_MS = 250;
const DEFAULT_NAME = "trace";

/**
 * Whether a re-run recorded what the replaced run had: as many optimizers, each with the same
 * steps and the same metrics at its last step (bit for bit: a seeded cell run again). Then nothing
 * the notebook shows changed, and a note would only make "run the cell again, get the same output"
 * false (test/notebooks).
 */
function sameRecord(a: { traces: readonly { steps: number; latest(): unknown }[] }, b: { traces: readonly { steps: number; latest(): unknown }[] }): boolean {
  return a.traces.length === b.traces.length
    && a.traces.every((t, i) => t.steps === b.traces[i].steps && JSON.stringify(t.latest()) === JSON.stringify(b.traces[i].latest()));
}

/** The line under a cell that replaced the run of its --name: the earlier run's steps, and how to keep both. */
export function replacedNote(name: string, earlier: { traces: readonly { steps: number }[] }): string {
  const steps = earlier.traces.map((t) => t.steps);
  const n = (k: number) => `${k} step${k === 1 ? "" : "s"}`;
  const what = steps.length === 1 ? n(steps[0]) : `${steps.length} optimizers, ${steps.map(n).join(" and ")}`;
  return `%%lr_trace: replaced the earlier run ${JSON.stringify(name)} (${what}); to keep both, give this cell another --name, `
    + `or --append to continue that run`;
}

export const lr_trace: Magic = {
  name: "lr_trace",
  kind: "cell",
  usage: "[--name N] [--append] [--every K] [--metrics m1,m2] [--per-param] [--batch-size B] [--reduction mean|sum] [--no-live]",
  help: "Traces every optimizer stepped in the cell and plots its effective learning rates (live while the cell runs, final after).\n"
    + "The run is kept under its --name for %lr_compare; in the cell, _lr_trace.log_loss(loss) records the loss.\n"
    + "--append continues the run of that --name (training split over cells, or resumed from a checkpoint): its steps follow the\n"
    + "run's, with the same optimizer or a new one of the same class over parameters of the same shapes; without it a cell replaces the run.\n"
    + "--batch-size B is every step's batch size; a step of another size (a DataLoader's smaller last batch) is given its own\n"
    + "before optimizer.step(): _lr_trace.log_loss(loss, { batch_size: x.shape[0] }) (or _lr_trace.record({ batch_size })).\n"
    + "Example:\n  %%lr_trace --name adam --every 5\n  for (let i = 0; i < 100; i++) { ...; optimizer.step(); }",
  options: [
    { name: "name", type: "string", help: "the run's name (legend, %lr_compare)", default: DEFAULT_NAME },
    { name: "append", type: "boolean", help: "continue the run of this --name (its steps, series and plot go on) instead of replacing it", default: false },
    // no `default`: --every given with --no-live is told (it has nothing to pace); 1 when not given
    { name: "every", type: "int", help: "redraw the live plot at most every K steps (default: 1); every step is recorded whatever K is" },
    { name: "metrics", type: "list", help: "metrics to record (default: all)", values: () => tools().METRIC_NAMES },
    { name: "per_param", type: "boolean", help: "also trace each parameter tensor (the plot: group lines, and a parameter selector)", default: false },
    { name: "batch_size", type: "int", help: "batch size B, for lr_per_sample (a step's own: _lr_trace.log_loss(loss, { batch_size }))" },
    { name: "reduction", type: "string", help: "loss reduction: mean or sum", default: "mean", values: () => ["mean", "sum"] },
    { name: "live", type: "boolean", help: "live plot while running (--no-live: only the final plot)", default: true },
  ],
  bodyDeclarations: "declare let _lr_trace: lrlab.GlobalTrace;",
  async run(ctx, args, body) {
    const usage = "%%lr_trace " + this.usage;
    if (args.positional.length || args.kv.length) {
      throw new MagicError(`unexpected argument ${args.positional[0] ?? args.kv[0][0] + "="}: %%lr_trace takes only --options; the code goes on the following lines`, usage);
    }
    const every = (args.flags.every as number | undefined) ?? 1;
    if (every < 1) throw new MagicError(`--every must be a positive integer, got ${every}`, usage);
    // as %lr_schedule's --metrics for a scheduler that takes none: an option with nothing to act on is an error
    if (args.flags.every !== undefined && !args.flags.live) {
      throw new MagicError(`--every ${every} redraws the live plot at most every ${every} steps (every step is recorded whatever K is), `
        + "and --no-live turns the live plot off (only the final plot is drawn), so --every has nothing to pace: give one or the other", usage);
    }
    const reduction = args.flags.reduction;
    if (reduction !== "mean" && reduction !== "sum") throw new MagicError(`--reduction must be mean or sum, got ${JSON.stringify(reduction)}`, usage);
    const name = String(args.flags.name);
    const lr = tools();
    // --append: the run's own options stay; those given (not left at their defaults) must be the run's
    const append = !!args.flags.append;
    // the run this cell replaces when it records a step (taken before it starts recording)
    const replaced = !append && name !== DEFAULT_NAME ? find_run(name) : undefined;
    if (append && find_run(name) === undefined) {
      // the run of that name was dropped by the limit: an error, not a new run from step 0 (runs.ts)
      const gone = append_dropped_message(name);
      if (gone !== null) throw new MagicError(gone, usage);
      const note = new_run_note(name);
      if (note !== null) process.stderr.write(`%%lr_trace --append: ${note}\n`);
    }
    let gt: ReturnType<typeof lr.trace_all>;
    try {
      gt = lr.trace_all({
        name,
        ...(append ? { append } : {}),
        ...(!append || args.flags.per_param ? { per_param: !!args.flags.per_param } : {}),
        ...(!append || reduction !== "mean" ? { reduction } : {}),
        ...(args.flags.per_param ? { named_parameters: (opt: { param_groups: { params: unknown[] }[] }) => moduleParameterNames(ctx, opt) } : {}),
        ...(args.flags.metrics ? { metrics: args.flags.metrics as string[] } : {}),
        ...(args.flags.batch_size !== undefined ? { batch_size: args.flags.batch_size as number } : {}),
      });
    } catch (e: any) {
      throw new MagicError(e.message, usage); // e.g. an unknown metric name, with the valid ones
    }
    const id = `lr_trace-${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    let shown = false, steps = 0, last = 0;
    // (unsubscribed when the cell ends: a run continued by a later cell must not update this plot)
    let off: (() => void) | null = null;
    if (args.flags.live) {
      off = gt.on_step(() => {
        steps++;
        const now = Date.now();
        if (shown && (steps % every !== 0 || now - last < LIVE_INTERVAL_MS)) return;
        last = now;
        try {
          const live = gt.bundle({ live: true, no_text: true });
          // (set on the bundle itself: it is what display() shows as a plot, a copy would print as JSON)
          live["text/plain"] = liveText(name, gt.traces, !!args.flags.per_param);
          ctx.display(live, { display_id: id, update: shown });
          shown = true;
        } catch (e: any) {
          // A failing live plot must not break the training loop: stop live updates, say why.
          off?.();
          process.stderr.write(`%%lr_trace: live plot stopped: ${e?.message ?? e}\n`);
        }
      });
    }
    // The running trace is visible to the cell as `_lr_trace`.
    await ctx.runCode(this.bodyDeclarations!);
    ctx.engine.locals._lr_trace = gt;
    let ran = true, raised = false, interrupted = false;
    recording(name, gt);
    try {
      const r = await ctx.runCode(body ?? "");
      if (r.hasValue) ctx.setResult(r.value);
    } catch (e) {
      // a type error: the body never ran, and the error says why (no "no optimizer stepped")
      if (e instanceof CellError) ran = false;
      // the kernel's interrupt stopped the run: the final plot says at which step (interrupted.ts)
      if (e instanceof KeyboardInterrupt) interrupted = true;
      raised = true;
      throw e;
    } finally {
      off?.();
      recording(name, null);
      gt.stop();
      if (gt.traces.length > 0) saveRun(name, gt);
      // A cell that raised before any step: its error is the whole story. The note "no optimizer
      // stepped" printed above the traceback read like the error's cause (a user's pass).
      if ((ran && !(raised && gt.traces.length === 0)) || shown) {
        const final = gt.traces.length > 0 ? gt.bundle(interrupted ? { interrupted } : {}) : { "text/plain": `%%lr_trace: no optimizer stepped in this cell (call optimizer.step() to trace it)` };
        ctx.display(final, { display_id: id, update: shown });
        // under the plot, with the cell's other notes
        if (replaced !== undefined && gt.traces.length > 0 && !sameRecord(replaced, gt)) ctx.print(replacedNote(name, replaced));
        for (const t of gt.traces) {
          const none = withoutGradient(t);
          if (none === null) continue;
          process.stderr.write(`%%lr_trace: ${t.name} (${t.optimizer_name}) ${none} without a gradient (every parameter's .grad was null: nothing moved`
            + `${none.startsWith("stepped") ? ", and the plot shows only the configured lr" : ""}); call loss.backward() before optimizer.step()\n`);
        }
        // Without a batch size the per-sample lr is missing from the plot's menu: the plot's text
        // (the trace's summary, trace.ts) says it needs the batch size; said once, there only (a
        // second stdout line after the cell's own output repeated it: a teacher's pass).
      }
    }
  },
};

/** What liveText reads of a running trace. */
interface LiveTrace {
  optimizer_name: string;
  steps: number;
  group_count: number;
  latest(group?: number): { lr: number; lr_projected: number | null; loss: number | null } | null;
}

/** Groups named on a line of the live text at most (a model of many groups: "… 9 more"). */
const LIVE_GROUPS = 3;

/**
 * The `text/plain` of the live plot, for a client that shows text only (jupyter console, a
 * frontend without the plot's renderer): what is traced, then per optimizer its latest step
 * (configured lr, effective lr = lr_projected, loss), and that this text is replaced by the run's
 * summary. The live bundle's own text was the final summary of the steps so far: its first update
 * read "adam (Adam): 1 step", which looked like a run of one step (a teacher's pass), and jupyter
 * console, which ignores update_display_data, showed nothing else. The step count is said from
 * the second step on; the first is "first step".
 */
export function liveText(name: string, traces: readonly LiveTrace[], perParam: boolean): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  const of = (t: LiveTrace) => `${t.optimizer_name} (${plural(t.group_count, "parameter group")}${perParam ? ", with per-parameter lines" : ""})`;
  const what = traces.length === 1 ? of(traces[0]) : `${traces.length} optimizers: ${traces.map(of).join(", ")}`;
  const lines = [`%%lr_trace ${name}: tracing ${what}, running`];
  for (const t of traces) {
    const head = traces.length > 1 ? `${t.optimizer_name}, ` : "";
    const at = t.steps <= 1 ? "first step" : `step ${t.steps}`;
    const groups: string[] = [];
    let loss: number | null = null;
    for (let g = 0; g < Math.min(t.group_count, LIVE_GROUPS); g++) {
      const m = t.latest(g);
      if (!m) continue;
      loss ??= m.loss;
      const rates = `lr ${fmt(m.lr)}, effective lr (lr_projected) ${fmt(m.lr_projected)}`;
      groups.push(t.group_count > 1 ? `group ${g}: ${rates}` : rates);
    }
    if (groups.length === 0) {
      lines.push(`  ${head}no step yet`);
      continue;
    }
    const more = t.group_count > LIVE_GROUPS ? `; ${t.group_count - LIVE_GROUPS} more groups` : "";
    lines.push(`  ${head}${at}: ${groups.join("; ")}${more}${loss !== null && loss !== undefined ? `; loss ${fmt(loss)}` : ""}`);
  }
  lines.push(`  (updated while the cell runs; the run's summary replaces it at the end. A console that shows only this: ${`lrlab.run(${JSON.stringify(name)})`} after the cell)`);
  return lines.join("\n");
}

/**
 * Whether a trace's optimizer stepped without any gradient ("stepped 20 times", "took its last
 * step"; null when a step had one): `loss.backward()` forgotten. Such steps move nothing, and the
 * plot showed a flat configured lr with nothing to say why.
 */
function withoutGradient(t: { steps: number; metrics: readonly string[]; group_count: number; latest(group?: number): { grad_norm: number | null } | null; series(metric: string, group?: number): { buckets(): { count: number }[] } | undefined }): string | null {
  if (t.steps === 0) return null;
  const groups = t.group_count;
  for (let g = 0; g < groups; g++) if (t.latest(g)?.grad_norm != null) return null;
  if (!t.metrics.includes("grad_norm")) return "took its last step";
  for (let g = 0; g < groups; g++) if (t.series("grad_norm", g)?.buckets().some((b) => b.count > 0)) return null;
  return `stepped ${t.steps === 1 ? "once" : `${t.steps} times`}`;
}

/**
 * Names for --per-param: what `named_parameters()` calls the optimizer's parameters in the Modules
 * the user's variables hold ("0.weight" of `model = Sequential(...)`), with the variable's name in
 * front when they come from several ("encoder.weight", "head.weight"). The largest module names
 * a parameter first, so a model wins over a variable holding one of its layers. Parameters of no
 * module keep the tracer's default names.
 */
function moduleParameterNames(ctx: MagicContext, optimizer: { param_groups: { params: unknown[] }[] }): [string, any][] {
  const { Module } = torch().nn;
  const mine = new Set(optimizer.param_groups.flatMap((g) => g.params));
  const modules = ctx.engine.userNames()
    .map((k) => [k, ctx.engine.locals[k]] as const)
    .filter((e): e is readonly [string, InstanceType<typeof Module>] => e[1] instanceof Module)
    .map(([k, m]) => [k, m.named_parameters()] as const)
    .sort((a, b) => b[1].length - a[1].length);
  const owner = new Map<unknown, [string, string]>();
  for (const [k, pairs] of modules) for (const [n, p] of pairs) if (mine.has(p) && !owner.has(p)) owner.set(p, [k, n]);
  const several = new Set([...owner.values()].map(([k]) => k)).size > 1;
  return [...owner].map(([p, [k, n]]) => [several ? `${k}.${n}` : n, p]);
}
