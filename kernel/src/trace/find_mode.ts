/**
 * The range test trains its model in train mode, as training does: torch-lr-finder calls
 * `model.train()` before every batch of its test. Without it the test ran in whatever mode the
 * model was left in, and after a validation cell (`model.eval()`) that meant dropout off and
 * BatchNorm on its frozen running statistics: the suggested rates were those of another network,
 * and nothing said so (a user's pass, porting a Transformer classifier).
 *
 * find() (trace/find.ts) calls `trainModeFor(model)` when it is given a module: the model is put
 * in train mode (`model.train()`, every submodule) for the test, and afterwards each module gets
 * its own mode back — a BatchNorm deliberately frozen with `bn.eval()` in a training model too,
 * as the test already restores the weights, the optimizer and the random generator. `note` says
 * what changed, for the output, only when some module was in eval mode (null otherwise).
 */

/** What trainModeFor needs of a module: torch.nn.Module's train() and named_modules(). */
interface ModalModule {
  training: boolean;
  train(mode?: boolean): unknown;
  named_modules(): [string, ModalModule][];
}

export interface ModeSwitch {
  /** Puts every module back in the mode it had before (sets `training`, as train(mode) does per module). */
  restore(): void;
  /** The line for the output when some module was in eval mode; null when all were in train mode. */
  note: string | null;
}

const NOTHING: ModeSwitch = { restore: () => undefined, note: null };

function isModal(m: unknown): m is ModalModule {
  const o = m as Partial<ModalModule> | null;
  return o !== null && typeof o === "object" && typeof o.train === "function" && typeof o.named_modules === "function";
}

/** Puts `model` in train mode for the range test; see the file's comment. Anything that is no module: nothing to do. */
export function trainModeFor(model: unknown): ModeSwitch {
  if (!isModal(model)) return NOTHING;
  const saved = model.named_modules().map(([name, m]) => ({ name, m, training: m.training }));
  const inEval = saved.filter((s) => s.training === false);
  if (inEval.length === 0) return NOTHING;
  model.train();
  // each module's own flag, not train(mode) on the model, which would give all of them one mode
  const restore = () => {
    for (const s of saved) s.m.training = s.training;
  };
  const what = "dropout on, BatchNorm on batch statistics, as training runs it (torch-lr-finder calls model.train())";
  if (inEval.length === saved.length) {
    return { restore, note: `the model was in eval mode (model.training false): the range test ran it in train mode (${what}); it is back in eval mode` };
  }
  // a part in eval mode (a BatchNorm frozen with bn.eval()): which ones
  const names = inEval.map((s) => (s.name === "" ? "the model itself" : s.name));
  const some = names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
  return {
    restore,
    note: `${inEval.length} of the model's ${saved.length} modules were in eval mode (${some}): the range test ran them in train mode `
      + `(${what}); each has its own mode back`,
  };
}
