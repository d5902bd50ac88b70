import { LRScheduler, checkOptimizer, formatParam, paramGroupsChangedMessage } from "./lr_scheduler";
import { KeyError, ValueError } from "./errors";
import { closeWord, finiteNumber, isWord, quotedWords } from "./checks";
import { recordBuiltMomentum, setMomentum, usesBeta1 } from "./momentum";
import { checkOptions, opt, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike } from "./types";

/**
 * The words anneal_strategy takes (PyTorch's): the constructor checks against this list, and
 * `%lr_schedule OneCycleLR anneal_strategy=` offers it on Tab (magics/lr_schedule.ts WORD_VALUES).
 */
export const ONE_CYCLE_ANNEAL_STRATEGIES = Object.freeze(["cos", "linear"] as const);

export interface OneCycleLROptions {
  /** Peak rate, one for all groups or one per group. */
  max_lr: number | number[];
  /** Steps in the cycle; default null, meaning epochs · steps_per_epoch. */
  total_steps?: number | null;
  /** Epochs in the cycle, with `steps_per_epoch`, when `total_steps` is not given; default null. */
  epochs?: number | null;
  /** Steps per epoch, with `epochs`, when `total_steps` is not given; default null. */
  steps_per_epoch?: number | null;
  /** Fraction of the cycle spent raising the rate; default 0.3. */
  pct_start?: number;
  /** Annealing, "cos" (cosine) or "linear"; default "cos". */
  anneal_strategy?: (typeof ONE_CYCLE_ANNEAL_STRATEGIES)[number];
  /** Cycle momentum (or Adam's β₁) inversely to the rate; default true. */
  cycle_momentum?: boolean;
  /** Momentum at the rate's peak, one for all groups or one per group; default 0.85. */
  base_momentum?: number | number[];
  /** Momentum at the start and end, one for all groups or one per group; default 0.95. */
  max_momentum?: number | number[];
  /** The initial rate is max_lr / div_factor; default 25.0. */
  div_factor?: number;
  /** The minimum rate is initial_lr / final_div_factor; default 1e4. */
  final_div_factor?: number;
  /** Three phases (up, symmetric down, annihilate) as in the paper, instead of fastai's two; default false. */
  three_phase?: boolean;
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/** One phase: it ends at `end_step` and anneals between the named group keys. */
export interface SchedulePhase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

/**
 * `OneCycleLR` (Smith & Topin, Super-Convergence, arXiv:1708.07120; fastai's two-phase default).
 * With N = total_steps, p = pct_start, η_max = max_lr, η_0 = η_max / div_factor,
 * η_min = η_0 / final_div_factor, the phases end at steps
 *
 *   two phases:    pN − 1 (η_0 → η_max),  N − 1 (η_max → η_min)
 *   three phases:  pN − 1 (η_0 → η_max),  2pN − 2 (η_max → η_0),  N − 1 (η_0 → η_min)
 *
 * and inside a phase from step a to b, with q = (t − a) / (b − a),
 *
 *   cos:     η_t = end + (start − end)/2 · (1 + cos(π q))
 *   linear:  η_t = start + (end − start) · q
 *
 * Momentum follows the same phases inversely (max_momentum → base_momentum → max_momentum).
 * A closed form in t; not chainable. Stepping past N throws.
 */
export class OneCycleLR extends LRScheduler {
  declare total_steps: number;
  declare _schedule_phases: SchedulePhase[];
  declare _anneal_func_type: (typeof ONE_CYCLE_ANNEAL_STRATEGIES)[number];
  declare cycle_momentum: boolean;
  declare use_beta1: boolean;

  constructor(optimizer: OptimizerLike, options: OneCycleLROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[max_lr: number | number[], total_steps: number | null, epochs: number | null, steps_per_epoch: number | null, pct_start: number, anneal_strategy: "cos" | "linear", cycle_momentum: boolean, base_momentum: number | number[], max_momentum: number | number[], div_factor: number, final_div_factor: number, three_phase: boolean, last_epoch: number], OneCycleLROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("OneCycleLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: OneCycleLROptions): void {
    checkOptions("OneCycleLR", options, ["max_lr"], [
      "total_steps", "epochs", "steps_per_epoch", "pct_start", "anneal_strategy", "cycle_momentum",
      "base_momentum", "max_momentum", "div_factor", "final_div_factor", "three_phase", "last_epoch",
    ]);
    const opt_ = checkOptimizer(optimizer);
    this.optimizer = opt_;
    const total_steps = opt<number | null>(options, "total_steps", null);
    const epochs = opt<number | null>(options, "epochs", null);
    const steps_per_epoch = opt<number | null>(options, "steps_per_epoch", null);
    if (total_steps !== null) {
      if (!Number.isInteger(total_steps) || total_steps <= 0) {
        throw ValueError(`Expected positive integer total_steps, but got ${total_steps}`);
      }
      this.total_steps = total_steps;
    } else if (epochs !== null && steps_per_epoch !== null) {
      if (!Number.isInteger(epochs) || epochs <= 0) throw ValueError(`Expected positive integer epochs, but got ${epochs}`);
      if (!Number.isInteger(steps_per_epoch) || steps_per_epoch <= 0) {
        throw ValueError(`Expected positive integer steps_per_epoch, but got ${steps_per_epoch}`);
      }
      this.total_steps = epochs * steps_per_epoch;
    } else {
      throw ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)");
    }

    const pct_start = opt(options, "pct_start", 0.3);
    const N = this.total_steps;
    this._schedule_phases = opt(options, "three_phase", false)
      ? [
          phase(pct_start * N - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
          phase(2 * pct_start * N - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
          phase(N - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
        ]
      : [
          phase(pct_start * N - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
          phase(N - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
        ];
    if (typeof pct_start !== "number" || !(pct_start >= 0 && pct_start <= 1)) {
      throw ValueError(`Expected float between 0 and 1 pct_start, but got ${String(pct_start)}`);
    }
    const anneal = opt<unknown>(options, "anneal_strategy", "cos");
    if (!isWord(anneal, ONE_CYCLE_ANNEAL_STRATEGIES)) {
      throw ValueError(
        `anneal_strategy must be one of ${quotedWords(ONE_CYCLE_ANNEAL_STRATEGIES)}, instead got ${String(anneal)}` +
          closeWord(anneal, ONE_CYCLE_ANNEAL_STRATEGIES),
      );
    }
    this._anneal_func_type = anneal;

    const last_epoch = opt(options, "last_epoch", -1);
    const div_factor = finiteNumber("div_factor", opt(options, "div_factor", 25.0));
    const final_div_factor = finiteNumber("final_div_factor", opt(options, "final_div_factor", 1e4));
    const max_lrs = formatParam("max_lr", opt_, options.max_lr);
    if (last_epoch === -1) {
      opt_.param_groups.forEach((g, i) => {
        g.initial_lr = max_lrs[i] / div_factor;
        g.max_lr = max_lrs[i];
        g.min_lr = g.initial_lr / final_div_factor;
      });
    }

    this.cycle_momentum = opt(options, "cycle_momentum", true);
    if (this.cycle_momentum) {
      this.use_beta1 = usesBeta1(opt_);
      recordBuiltMomentum(opt_.param_groups, this.use_beta1);
      const max_m = formatParam("max_momentum", opt_, opt(options, "max_momentum", 0.95));
      const base_m = formatParam("base_momentum", opt_, opt(options, "base_momentum", 0.85));
      if (last_epoch === -1) {
        opt_.param_groups.forEach((g, i) => {
          setMomentum(g, this.use_beta1, max_m[i]);
          g.max_momentum = max_m[i];
          g.base_momentum = base_m[i];
        });
      }
    }
    super._init(optimizer, options);
  }

  /** Anneals from `start` to `end` as `pct` goes from 0 to 1, by the chosen strategy. */
  _anneal_func(start: number, end: number, pct: number): number {
    if (this._anneal_func_type === "cos") return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  /**
   * Every group needs the rates (and momenta) the constructor put in it; a group added with
   * add_param_group() afterwards has none, and would get a NaN rate. PyTorch raises KeyError
   * 'initial_lr' there; this says why. (A group given those keys by hand is scheduled, as in PyTorch.)
   */
  private _check_group_keys(): void {
    const keys = new Set<string>();
    for (const p of this._schedule_phases) {
      keys.add(p.start_lr).add(p.end_lr);
      if (this.cycle_momentum) keys.add(p.start_momentum).add(p.end_momentum);
    }
    const groups = this.optimizer.param_groups;
    groups.forEach((group, i) => {
      for (const key of keys) {
        if (typeof group[key] === "number") continue;
        const detail = ` (param_groups[${i}] has no '${key}')`;
        if (Array.isArray(this.base_lrs) && this.base_lrs.length !== groups.length) {
          throw KeyError(paramGroupsChangedMessage("OneCycleLR", groups.length, this.base_lrs.length, detail));
        }
        throw KeyError(
          `OneCycleLR: param_groups[${i}] has no '${key}' (a number), which OneCycleLR sets on every group when it is ` +
            "created with last_epoch=-1; to resume with last_epoch >= 0, load the optimizer's state_dict first.",
        );
      }
    });
  }

  override get_lr(): number[] {
    this._warn_get_lr_called_within_step();
    const step_num = this.last_epoch;
    if (step_num > this.total_steps) {
      throw ValueError(`Tried to step ${step_num} times. The specified number of total steps is ${this.total_steps}`);
    }
    const phases = this._schedule_phases;
    this._check_group_keys();
    return this.optimizer.param_groups.map((group) => {
      let start_step = 0.0;
      for (let i = 0; i < phases.length; i++) {
        const p = phases[i];
        if (step_num <= p.end_step || i === phases.length - 1) {
          const pct = (step_num - start_step) / (p.end_step - start_step);
          const lr = this._anneal_func(group[p.start_lr], group[p.end_lr], pct);
          if (this.cycle_momentum) {
            const m = this._anneal_func(group[p.start_momentum], group[p.end_momentum], pct);
            setMomentum(group, this.use_beta1, m);
          }
          return lr;
        }
        start_step = p.end_step;
      }
      throw ValueError("OneCycleLR has no schedule phases"); // unreachable: the last phase always matches
    });
  }
}

function phase(end_step: number, start_lr: string, end_lr: string, start_momentum: string, end_momentum: string): SchedulePhase {
  return { end_step, start_lr, end_lr, start_momentum, end_momentum };
}
