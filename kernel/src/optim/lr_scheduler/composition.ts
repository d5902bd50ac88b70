import { TypeError_, ValueError } from "./errors";
import { LRScheduler, typeName } from "./lr_scheduler";
import type { OptimizerLike, SchedulerStateDict } from "./types";

/**
 * Checks shared by ChainedScheduler and SequentialLR (PyTorch's wording): at least one scheduler,
 * each a scheduler of `optimizer`, none a ReduceLROnPlateau (its `step` needs a metric).
 */
export function checkComposable(cls: string, schedulers: unknown, optimizer: OptimizerLike | undefined, noneMessage: string): LRScheduler[] {
  if (!Array.isArray(schedulers)) {
    throw TypeError_(`${cls} expects a list of schedulers, but got ${typeName(schedulers)}`);
  }
  if (schedulers.length < 1) throw ValueError(noneMessage);
  const opt = optimizer ?? (schedulers[0] as LRScheduler | undefined)?.optimizer;
  schedulers.forEach((scheduler, idx) => {
    if (scheduler === null || typeof scheduler !== "object" || !("optimizer" in scheduler)) {
      throw TypeError_(`${cls} at index ${idx} should have \`optimizer\` as its attribute.`);
    }
    if ((scheduler as object).constructor?.name === "ReduceLROnPlateau") {
      throw ValueError(
        `${cls} does not support \`ReduceLROnPlateau\` scheduler as it requires additional kwargs to be specified ` +
          `when calling \`step\`, but got one at index ${idx} in the given schedulers sequence.`,
      );
    }
    if ((scheduler as LRScheduler).optimizer !== opt) {
      throw ValueError(
        `${cls} expects all schedulers to belong to the same optimizer, but got scheduler ` +
          `${typeName(scheduler)} at index ${idx} has ${typeName((scheduler as LRScheduler).optimizer)}, ` +
          `which is different from ${typeName(opt)}.` + sameClassNote(cls, (scheduler as LRScheduler).optimizer, opt, optimizer !== undefined),
      );
    }
  });
  return schedulers as LRScheduler[];
}

/**
 * PyTorch's text names the classes only ("has SGD, which is different from SGD."; where it prints
 * the first optimizer's repr, lrlab prints its class), which reads as a contradiction when both are
 * of one class: the note says they are two optimizer objects, and tells them apart by their rates.
 */
function sameClassNote(cls: string, theirs: unknown, ours: unknown, given: boolean): string {
  if (typeName(theirs) !== typeName(ours)) return "";
  const rates = (o: unknown) => {
    const groups = (o as OptimizerLike | null)?.param_groups;
    return Array.isArray(groups) ? `lr [${groups.map((g) => String(g.lr)).join(", ")}]` : "no param_groups";
  };
  const reference = given ? `the optimizer given to ${cls}` : "the first scheduler's";
  return ` They are two different ${typeName(ours)} objects (this scheduler's: ${rates(theirs)}; ${reference}: ${rates(ours)}): ` +
    `build every scheduler on the one optimizer object ${cls} schedules.`;
}

/**
 * Attributes of the base class that a composite never uses (it has no step of its own in "initial"
 * mode, nor a get_lr): PyTorch's composite state_dict does not have them (its class defaults, not
 * instance attributes), so neither does this one. lrlab saved them, always false, before.
 */
const NOT_COMPOSITE_STATE = ["_get_lr_called_within_step", "_is_initial"];

/** state_dict of a composite: its own attributes (PyTorch's keys) plus each child's state_dict in `_schedulers`. */
export function compositeStateDict(own: SchedulerStateDict, schedulers: LRScheduler[]): SchedulerStateDict {
  const { _schedulers: _children, ...rest } = own;
  for (const key of NOT_COMPOSITE_STATE) delete rest[key];
  return { ...rest, _schedulers: schedulers.map((s) => s.state_dict()) };
}

/** Splits a composite state_dict into its own part and the children's, checking the count. */
export function splitCompositeState(
  cls: string,
  state_dict: SchedulerStateDict,
  schedulers: LRScheduler[],
): { own: SchedulerStateDict; children: SchedulerStateDict[] } {
  const { _schedulers: children, ...own } = state_dict;
  // an older lrlab state_dict carried them (always false): the composite's own stay as they are
  for (const key of NOT_COMPOSITE_STATE) delete own[key];
  if (!Array.isArray(children) || children.length !== schedulers.length) {
    throw ValueError(
      `${cls}.load_state_dict: expected _schedulers with ${schedulers.length} entries, got ${
        Array.isArray(children) ? children.length : typeName(children)
      }`,
    );
  }
  return { own, children };
}

/**
 * `step()` of a composite scheduler takes no argument (PyTorch: "SequentialLR.step() takes 1
 * positional argument but 2 were given"); ignoring an epoch would hide that it is not applied.
 */
export function rejectStepArguments(cls: string, args: readonly unknown[]): void {
  if (args.length === 0) return;
  throw TypeError_(
    `${cls}.step() takes no arguments, but got ${args.length} (${args.map((a) => String(a)).join(", ")}): ` +
      `it advances its schedulers by one epoch. A composite scheduler has no step(epoch); call ${cls}.step() ` +
      "(PyTorch: TypeError, step() takes 1 positional argument).",
  );
}
