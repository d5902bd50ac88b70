/**
 * `trace_all(options)`: trace every optimizer stepped while it is active, through the global
 * step hooks `torch.optim.register_optimizer_step_pre_hook/post_hook` — what the kernel's
 * `%%lr_trace` cell magic uses to trace whatever optimizers a cell creates and steps.
 *
 * Each optimizer gets its own Trace the first time it steps, named `options.name` (default
 * "trace") when it is the only one, else `name:OptimizerClass` (with `#k` for repeats).
 *
 * A loss logged through the run (`_lr_trace.log_loss(loss)`) belongs to every traced optimizer:
 * with several (a GAN's two, a model trained by two optimizers, each stepping after one
 * backward()), each one's coming step gets it, as each of those steps descends that loss; logged
 * after their steps (no gradient changed since), each one's step just taken (Trace.log_loss tells
 * the two places apart per optimizer). A coming step's loss is handed to each optimizer at its
 * step's pre-hook, so an optimizer that does not step again (trained before another one in the
 * same cell) does not get the next one's losses. A loss logged on one optimizer's trace,
 * `_lr_trace.get(optimizer).log_loss(loss)`, is that run's only (a GAN's generator and
 * discriminator losses); `get` of an optimizer that has not stepped yet starts its trace then, so
 * that a loss logged before its first step() is that step's (it was undefined, and the README's
 * idiom threw: a user's pass). Several losses logged before the first step of a run's first
 * optimizer (no trace saw them: gradient accumulation's micro-batches) all go to that step.
 * During a `step(closure)` (LBFGS), a loss logged in the closure is that optimizer's step's (the
 * first of that step(): Trace.log_loss).
 *
 * With `append: true` (`%%lr_trace --name N --append`) it continues the run N: the run's traces
 * are this one's from the start, and each optimizer that steps continues one of them (its own, or
 * one of the same class and parameter shapes: append.ts) rather than starting a trace.
 */
import { register_optimizer_step_post_hook, register_optimizer_step_pre_hook } from "../optim/optimizer";
import type { Optimizer } from "../optim/optimizer";
import type { Tensor } from "../tensor/tensor";
import { bundle, displayableBundle, type BundleOptions, type MimeBundle } from "../plot/bundle";
import { suspended } from "./suspend";
import { Trace, lossNumber, lossSamples, lossSumReduced, lossUnscaled, type Divergence, type EarlyLoss, type StepListener, type TraceableOptimizer, type TraceJSON, type TraceOptions } from "./trace";
import type { StepMetrics } from "./metrics";
import type { BoundedSeries } from "./series";
import { _set_trace_run, append_dropped_message, find_run } from "./runs";
import { continuedTrace, optionDifference } from "./append";
import { ClipWatch } from "./clip";

export class GlobalTrace {
  /** One trace per optimizer, in the order they first stepped. */
  readonly traces: Trace[] = [];
  /** Weak: a stopped run (kept by name for %lr_compare) does not keep its optimizers alive. */
  private readonly byOptimizer = new WeakMap<object, Trace>();
  private handles: { remove(): void }[] = [];
  /**
   * The clipping calls of the cell (clip.ts), on any parameter: an optimizer's trace is made at its
   * first step, after that step's clip_grad_norm_ ran; each trace takes its parameters' records.
   */
  private clipWatch: ClipWatch | null = null;
  private listeners = new Set<StepListener>();
  private lastStepped: Trace | null = null;
  /**
   * The last loss logged through the run (log_loss), numbered: each optimizer takes it as its
   * coming step's at that step's pre-hook, unless it took it already (`given`: the number each
   * trace took last). `stepped`: an optimizer stepped with it (one that takes it after that,
   * takes it weakly: Trace._log_coming_loss). `immediate`: the one trace it went to at once
   * (a run of one optimizer so far), as its coming step's. A number (a tensor kept would keep its
   * graph alive until the next loss), and whether it was reduced by "sum" (Trace.log_loss's note).
   */
  private current: { loss: number; sumReduced: boolean; samples: number | null; unscaled: number | null; seq: number; stepped: boolean; immediate: Trace | null } | null = null;
  private lossSeq = 0;
  private readonly given = new WeakMap<Trace, number>();
  /**
   * The losses logged while no trace could take them (before the first optimizer's first step),
   * numbered: that first step gets them all (Trace._log_coming_loss), not the last alone: micro-
   * batches of gradient accumulation (their mean, or the batch-size hint's count of them: 45 of
   * 48 losses were counted in a user's pass, its first step's first three lost).
   */
  private early: (EarlyLoss & { seq: number })[] = [];
  /** Traces `get` started before their optimizer stepped: no run if it never does (stop()). */
  private readonly gotten = new WeakSet<Trace>();
  /** The last batch size given (log_loss/record): a trace made at an optimizer's first step takes it. */
  private pendingBatch: number | null = null;

  /** Set by `_of`: this run is one lrlab.trace(...) of its own (no global hooks of its own). */
  private wrapped = false;
  /** append: the continued run's traces that no optimizer stepped here yet (null: not appending). */
  private open: Trace[] | null = null;

  /**
   * @internal The run of one trace made by `lrlab.trace(optimizer, { name })`, as runs.ts keeps
   * it under that name: `lrlab.run(name)` and `%lr_compare name` find it as they find a
   * `%%lr_trace --name` run (its `.traces` is [trace]; `stop()` stops the trace).
   */
  static _of(trace: Trace): GlobalTrace {
    const g = new GlobalTrace({ name: trace.name }, false);
    g.wrapped = true;
    g.traces.push(trace);
    g.lastStepped = trace; // log_loss / record go to it
    const opt = trace.optimizer;
    if (opt !== null) g.byOptimizer.set(opt, trace);
    return g;
  }

  constructor(private readonly options: TraceOptions = {}, hooks = true) {
    // without hooks (`_of`): the options are a trace's name, which that trace validated; a Trace
    // made only to validate them was ~15% of a named trace's making (PERF.md session 28, round 2)
    if (!hooks) return;
    new Trace(null, options); // validates the options now, not at the first step
    if (options.append === true) this.continueRun();
    this.clipWatch = new ClipWatch(null).start();
    for (const t of this.traces) t._watch_clipping(this.clipWatch, false);
    this.handles = [
      register_optimizer_step_pre_hook((opt: Optimizer, args: unknown[], kwargs: Record<string, unknown>) => {
        if (suspended()) return;
        const t = this.traceOf(opt as unknown as TraceableOptimizer);
        this.giveLoss(t);
        return t._before_step(opt as unknown as TraceableOptimizer, args, kwargs);
      }),
      register_optimizer_step_post_hook((opt: Optimizer) => {
        if (suspended()) return;
        const t = this.traceOf(opt as unknown as TraceableOptimizer);
        if (this.current !== null && this.given.get(t) === this.current.seq) this.current.stepped = true;
        t._after_step(opt as unknown as TraceableOptimizer);
        this.lastStepped = t;
        this.pendingBatch = null;
      }),
    ];
  }

  /**
   * append: this run starts with the traces of the run of its name (none: it starts that run).
   * An option given that differs from what a trace records is an error naming it.
   */
  private continueRun(): void {
    const name = this.options.name;
    if (name === undefined) throw new TypeError('trace_all: append: true continues the run of a name: give the name, { name: "...", append: true }');
    const run = find_run(name);
    if (run === undefined) {
      // a run the limit dropped is not started again from step 0 as if continued (runs.ts)
      const gone = append_dropped_message(name);
      if (gone !== null) throw new Error(`trace_all: ${gone}`);
    }
    if (run === undefined || run.traces.length === 0) return;
    if (run._recording) throw new Error(`trace_all: the run ${JSON.stringify(name)} is being recorded (a %%lr_trace cell of that name is running)`);
    for (const t of run.traces) {
      const diff = optionDifference(t, this.options);
      if (diff !== null) {
        throw new Error(`--append continues the run ${JSON.stringify(name)} as it was recorded, and this gives ${diff}: `
          + "leave those out (the run's are kept), or give the run another --name");
      }
    }
    // a trace still hooked to its optimizer (lrlab.trace, not stopped) is this run's from now on:
    // unhooked now, not inside the step that claims it (its own hook would measure that step too)
    for (const t of run.traces) if (t.active) t.stop();
    this.traces.push(...run.traces);
    this.open = [...run.traces];
  }

  /** @internal Whether this run's global hooks are in place (a %%lr_trace cell recording it). */
  get _recording(): boolean {
    return this.handles.length > 0;
  }

  get active(): boolean {
    return this.handles.length > 0 || (this.wrapped && this.traces.some((t) => t.active));
  }

  /** Stop tracing every optimizer. */
  stop(): void {
    for (const h of this.handles) h.remove();
    this.handles = [];
    // an optimizer `get` started tracing that never stepped is no run (as one never stepped); its
    // optimizer is read before stop() lets it go
    const idle = this.traces.filter((t) => this.gotten.has(t) && t.steps === 0).map((t) => ({ t, opt: t.optimizer }));
    for (const t of this.traces) t.stop();
    this.clipWatch?.stop();
    this.clipWatch = null;
    if (idle.length > 0) {
      for (const { t, opt } of idle) {
        this.traces.splice(this.traces.indexOf(t), 1);
        if (opt !== null) this.byOptimizer.delete(opt);
      }
      if (this.traces.length > 0) this.rename();
    }
  }

  /**
   * The trace of `optimizer`. While the run records (a `%%lr_trace` cell), an optimizer that has
   * not stepped yet is traced from now on (its trace named as at its first step), so
   * `get(optimizer).log_loss(loss)` before its first `step()` is that step's loss, as
   * `log_loss` is; it is no run if it never steps. After the run, an optimizer that did not step
   * in it is an error, as is anything that is not an optimizer.
   */
  get(optimizer: object): Trace {
    const t = this.byOptimizer.get(optimizer);
    if (t !== undefined) return t;
    const o = optimizer as { param_groups?: unknown } | null;
    const what = o === null || typeof o !== "object" ? String(o) : (o.constructor?.name ?? "an object");
    if (o === null || typeof o !== "object" || !Array.isArray(o.param_groups)) {
      throw new TypeError(`get(optimizer): expected an optimizer (torch.optim.SGD, Adam, ...: an object with param_groups), got ${what}`);
    }
    const name = this.options.name ?? "trace";
    if (!this._recording) {
      const had = this.traces.length === 0 ? "none stepped" : `its optimizers: ${this.traces.map((x) => x.name).join(", ")}`;
      throw new Error(`get(optimizer): this ${what} optimizer did not step in the run ${JSON.stringify(name)} (${had}); `
        + "get(optimizer) starts the trace of one not stepped yet only while its %%lr_trace cell runs");
    }
    const made = this.traceOf(optimizer as TraceableOptimizer);
    if (made.steps === 0) this.gotten.add(made);
    return made;
  }

  /**
   * The trace of the one optimizer this run stepped (what `latest()` reads); an error naming the
   * traces when there are several (then `.traces[i]` or `.get(optimizer)`) or none.
   */
  single(): Trace {
    if (this.traces.length === 1) return this.traces[0];
    const name = this.options.name ?? "trace";
    if (this.traces.length === 0) throw new Error(`${name}: no optimizer stepped, so there is no trace yet`);
    throw new Error(`${name} traced ${this.traces.length} optimizers (${this.traces.map((t) => t.name).join(", ")}): `
      + "take one with .traces[i] or .get(optimizer)");
  }

  /**
   * The exact metrics of the last step of group `group`, for a run of one optimizer (see
   * single()); null before any optimizer stepped (as `trace.latest()` is before the first step).
   */
  latest(group = 0): StepMetrics | null {
    if (this.traces.length === 0) return null;
    return this.single().latest(group);
  }

  // A run of one optimizer reads like its trace (README's `trace.diverged_at`, ...): each of these
  // is its trace's, and with several optimizers an error saying how to pick one (single()).
  // Before any optimizer stepped they read as a trace's before its first step.

  /** Where the run diverged (Trace.diverged_at); null before any step. */
  get diverged_at(): Divergence | null {
    if (this.traces.length === 0) return null;
    return this.single().diverged_at;
  }

  /** Steps seen (0 before any optimizer stepped). */
  get steps(): number {
    if (this.traces.length === 0) return 0;
    return this.single().steps;
  }

  /** The exact metrics of the last step of parameter `name` (per_param). */
  latest_param(name: string): StepMetrics | null {
    return this.single().latest_param(name);
  }

  /** The names of the parameters measured one by one (per_param). */
  param_names(): string[] {
    return this.single().param_names();
  }

  /** The recorded series of `metric` (Trace.series: group `group`, default 0, or parameter `param`). */
  series(metric: string, group?: number, param?: string): BoundedSeries | undefined {
    return this.single().series(metric, group, param);
  }

  to_json(): TraceJSON {
    return this.single().to_json();
  }

  /** What went wrong measuring any traced optimizer's steps (every trace's, in order). */
  get errors(): Error[] {
    return this.traces.flatMap((t) => t.errors);
  }

  /** Every traced optimizer's summary lines, in the order they first stepped. */
  summary(): string[] {
    return this.traces.flatMap((t) => t.summary());
  }

  /**
   * The loss of a step (one number, or a one-element tensor), given to every traced optimizer
   * (see the file comment: with several, each one's coming step gets it; one optimizer's own loss
   * is `get(optimizer).log_loss(loss)`). Logged between `loss.backward()` and `optimizer.step()`,
   * every step or every K steps, it is the coming step's; logged after `step()`, before the next
   * `zero_grad()`/`backward()`, the step just taken's; twice for one step, the later one counts
   * (Trace.log_loss says how the two places are told apart); in a `step(closure)`'s closure, the
   * first of that step() (the closure's first evaluation) is the step's. With `{ batch_size }`:
   * the batch size of every traced optimizer's coming step, for a batch of another size than
   * --batch-size (a DataLoader's smaller last batch).
   */
  log_loss(loss: number | Tensor, options?: { batch_size?: number; split?: "train" | "val" }): void {
    if (options !== undefined && options !== null && typeof options === "object") {
      const bad = Object.keys(options).filter((k) => k !== "batch_size" && k !== "split");
      if (bad.length > 0) throw new TypeError(`log_loss: unknown option ${JSON.stringify(bad[0])}; valid options: batch_size, split`);
      if (options.split === "val") {
        this.logVal(loss, options);
        return;
      }
      if (options.batch_size !== undefined) this.nextBatchSize(options.batch_size, "log_loss");
    } else if (options !== undefined) {
      throw new TypeError(`log_loss: options must be an object like { batch_size: B }, got ${options}`);
    }
    // in a step(closure)'s closure: that optimizer's step's (the first of its step(): Trace.log_loss)
    const inClosure = this.traces.find((t) => t._in_step_closure);
    if (inClosure !== undefined) {
      inClosure.log_loss(loss, options);
      return;
    }
    // (a trace that takes the loss now is given the batch size again: it says when that comes late)
    const open = this.open;
    const stepping = open === null ? this.traces : this.traces.filter((t) => !open.includes(t));
    const seq = ++this.lossSeq;
    // (a loss that is not a number fails here, not in step())
    const value = lossNumber(loss);
    const current: NonNullable<GlobalTrace["current"]> = { loss: value, sumReduced: lossSumReduced(loss), samples: lossSamples(loss), unscaled: lossUnscaled(loss, value), seq, stepped: false, immediate: null };
    // no trace yet to take it (before the first step): kept with the others since, for that step
    if (stepping.length === 0) this.early.push({ loss: current.loss, samples: current.samples, unscaled: current.unscaled, seq });
    else this.early = [];
    if (stepping.length === 1) {
      // one optimizer so far: its trace takes it now (reads before the step see it), as it did
      const t = stepping[0];
      const taken = t._loss_goes_to_step_taken;
      t.log_loss(loss, options);
      this.given.set(t, seq);
      if (!taken) current.immediate = t;
    } else {
      // several: those whose step just taken gets it take it now; every coming step, at its pre-hook
      for (const t of stepping) {
        if (!t._loss_goes_to_step_taken) continue;
        t.log_loss(loss, options);
        this.given.set(t, seq);
      }
    }
    this.current = current;
  }

  /**
   * A validation loss (`log_loss(v, { split: "val" })`, `record({ val_loss })`): every traced
   * optimizer's val_loss series gets it at its steps taken (Trace.log_loss); logged before any
   * optimizer stepped (a baseline before training), the traces made later get it at step 0.
   * Never a step's training loss.
   */
  private logVal(loss: number | Tensor, options: { batch_size?: number; split?: "train" | "val" }): void {
    if (options.batch_size !== undefined) throw new TypeError('log_loss: batch_size is the coming step\'s training batch size; a validation loss ({ split: "val" }) takes none');
    // (a value that is not a number fails here, not at the first step)
    if (this.traces.length === 0) this.earlyVal.push(lossNumber(loss));
    else for (const t of this.traces) t.log_loss(loss, { split: "val" });
  }

  /** Validation losses logged before any optimizer stepped (logVal). */
  private earlyVal: number[] = [];

  /**
   * The pre-hook of `t`'s step: the loss logged through the run since its last step is its coming
   * step's (see `current`). An optimizer stepping for the first time with a loss that went at once
   * to the only other one, which has not stepped with it, takes it from that one: it was logged
   * for this step (optimizers trained one after the other in one cell).
   */
  private giveLoss(t: Trace): void {
    const c = this.current;
    if (c === null || (this.given.get(t) ?? 0) >= c.seq) return;
    if (c.immediate !== null && c.immediate !== t && !c.stepped && !this.given.has(t)) {
      c.immediate._withdraw_coming_loss();
      c.immediate = null;
    }
    const e = this.early;
    const earlier = e.length > 1 && e[e.length - 1].seq === c.seq && !this.given.has(t) ? e.slice(0, -1) : [];
    this.early = [];
    this.given.set(t, c.seq);
    t._log_coming_loss(c.loss, c.sumReduced, c.stepped, c.samples, earlier, c.unscaled);
  }

  /** `record({ loss, batch_size })`: log_loss in record form (either key alone, or both). */
  record(values: { loss?: number | Tensor; batch_size?: number; val_loss?: number | Tensor }): void {
    if (values === null || typeof values !== "object") throw new TypeError("record: expected an object like { loss, batch_size }");
    const bad = Object.keys(values).filter((k) => k !== "loss" && k !== "batch_size" && k !== "val_loss");
    if (bad.length > 0) throw new TypeError(`record: unknown key ${JSON.stringify(bad[0])}; valid keys: loss, batch_size, val_loss`);
    if (values.val_loss !== undefined) this.logVal(values.val_loss, { split: "val" });
    if (values.batch_size !== undefined) this.nextBatchSize(values.batch_size, "record");
    if (values.loss !== undefined) this.log_loss(values.loss);
  }

  /** The coming step's batch size, for every traced optimizer and those that step first later. */
  private nextBatchSize(b: number, caller: string): void {
    if (!(Number.isInteger(b) && b > 0)) throw new RangeError(`${caller}: batch_size must be a positive integer, got ${b}`);
    this.pendingBatch = b;
    for (const t of this.traces) t._next_batch_size(b, caller);
  }

  /** Listen to the steps of every traced optimizer; returns the unsubscribe function. */
  on_step(listener: StepListener): () => void {
    if (typeof listener !== "function") throw new TypeError("trace_all.on_step: listener must be a function");
    this.listeners.add(listener);
    for (const t of this.traces) this.forward(t, listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** One trace alone is plotted as a trace, several as a compare view. */
  bundle(options: BundleOptions = {}): MimeBundle {
    if (this.traces.length === 0) {
      return displayableBundle({ "text/plain": this.toString() });
    }
    return this.traces.length === 1 ? this.traces[0].bundle(options) : bundle(this.traces, options);
  }

  _repr_mimebundle_(options: BundleOptions = {}): MimeBundle {
    return this.bundle(options);
  }

  /** Each optimizer's trace summary (or that none stepped), as the plot's text form says it. */
  toString(): string {
    if (this.traces.length === 0) return `${this.options.name ?? "trace"}: no optimizer stepped`;
    return this.traces.map((t) => t.toString()).join("\n");
  }

  /** `console.log(_lr_trace)` prints that, not the hooks and traces it holds. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  private traceOf(opt: TraceableOptimizer): Trace {
    let t = this.byOptimizer.get(opt);
    if (t !== undefined) return t;
    if (this.open !== null) {
      // appending: the optimizer continues one of the run's traces (an error names why it cannot)
      t = continuedTrace("%%lr_trace --append", this.options.name as string, this.traces, this.open, opt);
      this.open.splice(this.open.indexOf(t), 1);
      t._continue(opt, this.options.batch_size);
      this.byOptimizer.set(opt, t);
    } else {
      t = new Trace(opt, this.options);
      this.byOptimizer.set(opt, t);
      this.traces.push(t);
      this.rename();
      for (const l of this.listeners) this.forward(t, l);
    }
    t._watch_clipping(this.clipWatch, false);
    if (this.pendingBatch !== null) t._next_batch_size(this.pendingBatch, "log_loss");
    for (const v of this.earlyVal) t.log_loss(v, { split: "val" });
    return t;
  }

  /** Pass `t`'s steps to `l` while `l` is subscribed here. */
  private forward(t: Trace, l: StepListener): void {
    const off = t.on_step((tr, m) => {
      if (this.listeners.has(l)) l(tr, m);
      else off();
    });
  }

  private rename(): void {
    const base = this.options.name ?? "trace";
    if (this.traces.length === 1) {
      this.traces[0].name = base;
      return;
    }
    const seen = new Map<string, number>();
    for (const t of this.traces) {
      const k = (seen.get(t.optimizer_name) ?? 0) + 1;
      seen.set(t.optimizer_name, k);
      t.name = `${base}:${t.optimizer_name}${k > 1 ? `#${k}` : ""}`;
    }
  }
}

/** `lrlab.trace_all(options)`: trace every optimizer stepped until `.stop()`. */
export function trace_all(options: TraceOptions = {}): GlobalTrace {
  return new GlobalTrace(options);
}

// a trace given a name is a run of that name (runs.ts saveNamedTrace)
_set_trace_run((t) => GlobalTrace._of(t));
