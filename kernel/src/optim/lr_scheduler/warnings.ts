/**
 * Python `warnings.warn` as schedulers use it, on stderr through `console.warn` (the kernel
 * forwards it to the notebook's stderr stream). Python's default filter shows a warning once per
 * call site, and in IPython every cell is a new call site; the closest equivalent here is once per
 * message and scheduler: a `step(epoch)` loop warns once, a new scheduler in a new cell warns again.
 */

const shown = new WeakMap<object, Set<string>>();

/** Emit `UserWarning: message` once per distinct message and `owner` (the scheduler). */
export function warn(message: string, owner: object): void {
  let messages = shown.get(owner);
  if (!messages) shown.set(owner, (messages = new Set()));
  if (messages.has(message)) return;
  messages.add(message);
  console.warn(`UserWarning: ${message}`);
}

/** PyTorch's text for the deprecated `scheduler.step(epoch)` argument. */
export const EPOCH_DEPRECATION_WARNING =
  "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where " +
  "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if " +
  "epoch is different from None, the closed form is used instead of the new chainable form, " +
  "where available. Please open an issue if you are unable to replicate your use case: " +
  "https://github.com/pytorch/pytorch/issues/new/choose.";

export const STEP_BEFORE_OPTIMIZER_WARNING =
  "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and " +
  "later, you should call them in the opposite order: `optimizer.step()` before " +
  "`lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value " +
  "of the learning rate schedule. See more details at " +
  "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate";

export const STEP_OVERRIDDEN_WARNING =
  "Seems like `optimizer.step()` has been overridden after learning rate scheduler " +
  "initialization. Please, make sure to call `optimizer.step()` before `lr_scheduler.step()`. " +
  "See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate";

export const GET_LR_OUTSIDE_STEP_WARNING =
  "To get the last learning rate computed by the scheduler, please use `get_last_lr()`.";
