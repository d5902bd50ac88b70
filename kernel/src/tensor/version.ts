/**
 * PyTorch's version counter (`tensor._version`) and the check autograd makes with it: a tensor an
 * op saved for its backward, modified in place before that backward runs, is PyTorch's
 * RuntimeError instead of a silently wrong gradient.
 *
 * The counter: every in-place op adds one to the counter of the tensor it writes (under no_grad
 * too: add_, copy_, fill_, index_put_, the random samplers, torch.nn.init, the optimizers' steps,
 * ...). Tensors over the same storage share one counter, as PyTorch's views do: views (view,
 * reshape, squeeze, ...), `detach()`, a Parameter and the tensor it was made from, state_dict's
 * tensors, and slices (lrlab's copies that write back: slice_window.ts), so writing any of them
 * moves all of them. `t.data` (the typed array) is not a tensor: writing it directly changes no
 * counter, as PyTorch's `t.data` (a tensor with a counter of its own). A tensor gets its counter
 * object only when one is needed (its first in-place op, or a tensor sharing it); until then its
 * version is 0 and the field holds null, so ordinary results allocate nothing more.
 *
 * What ops save: each op declares, with `saves(...)` (a spec parsed once, when its module loads),
 * the tensors PyTorch's derivative formulas save for it (derivatives.yaml, found by experiment:
 * test/fixtures/generate_version_counter.py): inputs by position, "out" for the result, each
 * saved only when an input whose gradient formula reads it requires grad (`0 if 1`: mul saves
 * `self` only for `other`'s gradient). `attach` records the saved tensors with their versions in
 * the node (one small array per node that saves anything); before the node's backward runs, a
 * version that moved since is PyTorch's error, with its message:
 *
 *   one of the variables needed for gradient computation has been modified by an inplace
 *   operation: [torch.FloatTensor [3]], which is output 0 of MulBackward0's name without
 *   "Backward0" ("Mul"), is at version 1; expected version 0 instead. Hint: ...
 *
 * (the node named is the saved tensor's grad_fn now, or, for a saved result, the node that saved
 * it; a leaf has none). Where PyTorch saves a view of an input (F.linear saves `weight.t()`), the
 * spec says which (`1 as t`), for the message's shape and its node (AsStrided, as PyTorch's view
 * rebuilt after the in-place change).
 *
 * An output of split, chunk or unbind (PyTorch's multi-output views; lrlab's slices) made while
 * autograd records is refused once its storage was written, with PyTorch's "Output 1 of Split is
 * a view and its base or another view of its base has been modified inplace ..." (check_multi_output,
 * read by the tensor's grad_fn and requires_grad getters).
 *
 * Deviations: ops without a spec save nothing here (their backward reads the values as they are
 * when it runs, as before); an op's spec is PyTorch's where the fixture covers it. The output
 * number in the message is 0 unless the spec says otherwise (`out@1`: aminmax's max) or the node is
 * a custom Function's (lrlab's nodes have one output each).
 */
import { RuntimeError } from "../errors";
import type { DType, Tensor } from "./tensor";

/** One storage's count of in-place writes, shared by every tensor over that storage. */
export class VersionCounter {
  v = 0;
}

/** `t`'s counter, made now if it had none (then shared by whatever gets it from here). */
export function counter_of(t: Tensor): VersionCounter {
  let c = t._vc;
  if (c === null) {
    c = new VersionCounter();
    t._vc = c;
  }
  return c;
}

/** `out` (a tensor over `src`'s storage: a view, a detached alias, a slice) shares src's counter. Returns out. */
export function share_version<T extends Tensor>(out: T, src: Tensor): T {
  out._vc = counter_of(src);
  return out;
}

/** One in-place write of `t` (n of them: an op PyTorch does as n in-place ops). */
export function bump_version(t: Tensor, n = 1): void {
  counter_of(t).v += n;
}

/** `t._version`. */
export function version_of(t: Tensor): number {
  const c = t._vc;
  return c === null ? 0 : c.v;
}

// ---- what ops save --------------------------------------------------------------------------

/** The slot of the op's result in a spec. */
export const OUT = -1;
/** Slots from EXTRA on name the `extra` tensors given to attach (a node's saved tensors that are not its inputs). */
export const EXTRA = 1000;

/**
 * A view of the saved tensor `t` that PyTorch saves instead of the tensor: its shape (computed
 * only for the message, from t's shape and, where PyTorch's choice depends on them, the op's
 * inputs as given to attach).
 */
type ViewShape = (s: readonly number[], t: Tensor, inputs: readonly unknown[]) => readonly number[];

const VIEWS: Record<string, ViewShape> = {
  /** `w.t()` (F.linear's weight, mm's transposed operand) */
  t: (s) => (s.length === 2 ? [s[1], s[0]] : s),
  /** the leading dims folded into rows: `x.reshape(-1, x.size(-1))` (matmul / F.linear of an N-D input) */
  rows: (s) => (s.length <= 2 ? s : [s.slice(0, -1).reduce((a, b) => a * b, 1), s[s.length - 1]]),
  /** a row `v.reshape(1, -1)` (matmul's 1-D left operand) */
  row: (s) => [1, s.reduce((a, b) => a * b, 1)],
  /** the same shape (a batched operand expanded to its own shape: still a view) */
  same: (s) => s,
  /** a dim of 1 before the last: the 1-D poolings run as 2-D ones on `x.unsqueeze(-2)` */
  unsqueeze_h: (s) => [...s.slice(0, -1), 1, s[s.length - 1]],
  /** instance_norm's input as batch_norm sees it: `x.view(1, N * C, ...)` */
  instance: (s) => [1, s[0] * s[1], ...s.slice(2)],
  /**
   * matmul's 2-D left operand of an N-D right one: `a.mT` when a requires grad (PyTorch folds the
   * product), else a expanded to the right operand's batch
   */
  mT_or_batched: (s, t, inputs) => (t.requires_grad ? [s[1], s[0]] : [...(inputs[1] as Tensor).shape.slice(0, -2), ...s]),
  /**
   * matmul's N-D left operand of an N-D right one: folded into rows when the right operand's
   * batch is all 1s and it requires grad (PyTorch then calls mm), else expanded to the broadcast batch
   */
  bmm_left: (s, _t, inputs) => {
    const b = inputs[1] as Tensor;
    return folds(b) ? VIEWS.rows(s, _t, inputs) : [...batch_of(s, b.shape), ...s.slice(-2)];
  },
  /** matmul's N-D right operand (see bmm_left): its last two dims when folded, else expanded */
  bmm_right: (s, t, inputs) => (folds(t) ? s.slice(-2) : [...batch_of((inputs[0] as Tensor).shape, s), ...s.slice(-2)]),
};

/** Whether PyTorch's matmul folds a batched product into one mm: the right operand's batch dims are all 1 and it requires grad. */
function folds(b: Tensor): boolean {
  return b.requires_grad && b.shape.slice(0, -2).every((d) => d === 1);
}

/** The broadcast of two shapes' batch dims (all but the last two). */
function batch_of(a: readonly number[], b: readonly number[]): number[] {
  const x = a.slice(0, -2);
  const y = b.slice(0, -2);
  const n = Math.max(x.length, y.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = x[x.length - n + i] ?? 1;
    const q = y[y.length - n + i] ?? 1;
    out.push(p === 1 ? q : p);
  }
  return out;
}

export interface SavedEntry {
  /** An input's position, OUT, or EXTRA + i. */
  readonly slot: number;
  /** Saved when an input whose bit is set requires grad (all bits: whenever the node is recorded). */
  readonly when: number;
  /** The view PyTorch saves instead of the tensor, if any. */
  readonly view: ViewShape | null;
  /** For OUT: which output of PyTorch's op it is (the message says "output 1 of Aminmax"). */
  readonly output_nr: number;
  /**
   * An extra tensor that is another output of the same PyTorch op (`x1@1`: qr's R saved by the
   * node lrlab gave Q): the message names it as PyTorch's does a saved output, by the node.
   */
  readonly is_output: boolean;
}

export type SaveSpec = readonly SavedEntry[];

/**
 * A spec from its text, entries separated by commas: `0`, `out` (`out@1`: the result, which is
 * output 1 of PyTorch's op), `x1` (extra tensor 1; `x1@2`: which is output 2 of PyTorch's op), each with an optional `if 0 1` (saved when
 * input 0 or 1 requires grad) and `as t` (a view: t, rows, row, same, mT_or_batched, bmm_left,
 * bmm_right). Parsed once, when the op's module loads.
 */
export function saves(text: string): SaveSpec {
  const entries: SavedEntry[] = [];
  for (const part of text.split(",")) {
    const words = part.trim().split(/\s+/);
    let head = words[0];
    let output_nr = 0;
    let is_output = false;
    const at = head.indexOf("@");
    if (at >= 0) {
      output_nr = Number(head.slice(at + 1));
      head = head.slice(0, at);
      is_output = head !== "out";
    }
    const slot = head === "out" ? OUT : head.startsWith("x") ? EXTRA + Number(head.slice(1)) : Number(head);
    if (!Number.isInteger(slot)) throw new Error(`saves(): bad slot ${head} in "${text}"`);
    let when = -1;
    let view: ViewShape | null = null;
    for (let i = 1; i < words.length; i++) {
      if (words[i] === "if") {
        when = 0;
        while (i + 1 < words.length && /^\d+$/.test(words[i + 1])) when |= 1 << Number(words[++i]);
      } else if (words[i] === "as") {
        view = VIEWS[words[++i]] ?? null;
        if (view === null) throw new Error(`saves(): unknown view ${words[i]} in "${text}"`);
      } else throw new Error(`saves(): cannot read "${words[i]}" in "${text}"`);
    }
    entries.push({ slot, when, view, output_nr, is_output });
  }
  return entries;
}

/**
 * What a node saved, as one array (one allocation per node that saves anything): the op's inputs
 * as given to attach (for the message's view shapes only), then for each tensor saved: the tensor,
 * its version then, and its spec entry (slots past the last tensor saved may be empty: undefined).
 * Made by autograd.ts's attach.
 */
export type SavedVersions = unknown[];

const EXTRAS: SaveSpec[] = [];

/** A spec saving extra tensors 0..n-1 whenever the node is recorded (cached). */
export function extras_spec(n: number): SaveSpec {
  let spec = EXTRAS[n];
  if (spec === undefined) {
    spec = Array.from({ length: n }, (_, i) => ({ slot: EXTRA + i, when: -1, view: null, output_nr: 0, is_output: false }));
    EXTRAS[n] = spec;
  }
  return spec;
}

/** Throws PyTorch's error when a tensor a node saved was modified in place since (`name`: the node's name now). */
export function check_saved(saved: SavedVersions, name: string): void {
  for (let i = 1; i < saved.length; i += 3) {
    const t = saved[i] as Tensor | undefined;
    if (t === undefined) break;
    const c = t._vc;
    const now = c === null ? 0 : c.v;
    if (now !== saved[i + 1]) {
      throw modified_error(t, now, saved[i + 1] as number, saved[i + 2] as SavedEntry, name, saved[0] as readonly unknown[]);
    }
  }
}

/** After an in-place op adopted `result`'s values and node into `self`: what that node saved as `result` is `self` now. */
export function retarget_saved(saved: SavedVersions, result: Tensor, self: Tensor): void {
  for (let i = 1; i < saved.length && saved[i] !== undefined; i += 3) {
    if (saved[i] === result) {
      saved[i] = self;
      saved[i + 1] = version_of(self);
    }
  }
}

/** Whether t is a slice (slice_window.ts) or a view of one. */
function is_slice(t: Tensor): boolean {
  return (t._view !== null ? t._view.base : t)._window !== null;
}

/**
 * One output of an op that returns several views (split, chunk, unbind): PyTorch's views there
 * refuse to be used by autograd once their storage was written (their history cannot be rebuilt).
 */
export interface MultiOutput {
  /** The op's name in PyTorch's message ("Split", "SplitWithSizes", "Unbind"). */
  readonly name: string;
  readonly index: number;
  /** The version when the output was made. */
  readonly seen: number;
}

/** PyTorch's error when a multi-output view's storage was written since it was made (read when its grad_fn is). */
export function check_multi_output(t: Tensor, m: MultiOutput): void {
  if (version_of(t) === m.seen) return;
  throw RuntimeError(
    `Output ${m.index} of ${m.name} is a view and its base or another view of its base has been modified inplace. ` +
      "This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace. " +
      "You should replace the inplace operation by an out-of-place one.",
  );
}

const TYPE_NAME: Record<DType, string> = {
  float32: "torch.FloatTensor",
  float64: "torch.DoubleTensor",
  int64: "torch.LongTensor",
  int32: "torch.IntTensor",
  int16: "torch.ShortTensor",
  int8: "torch.CharTensor",
  uint8: "torch.ByteTensor",
  bool: "CPUBoolType",
};

/** A node's name as PyTorch's message gives it: "MulBackward0" → "Mul", "MaxBackward1" → "Max1". */
export function message_name(name: string): string {
  if (name === "CopySlices" || name === "CopyBackwards") return `torch::autograd::${name}`;
  return name.replace(/Backward0$/, "").replace(/Backward(\d+)$/, "$1").replace(/Backward$/, "");
}

/** PyTorch's message for a saved tensor (or the view of it PyTorch saved) found at version `now` instead of `expected`. */
export function modified_error(t: Tensor, now: number, expected: number, e: SavedEntry, node_name: string, inputs: readonly unknown[]): Error {
  let shape: readonly number[] = t.shape;
  let by: string | null;
  if (e.slot === OUT || e.is_output) by = node_name;
  else if (e.view !== null) {
    shape = e.view(t.shape, t, inputs);
    by = t.requires_grad ? "AsStridedBackward0" : null;
  } else if (is_slice(t) && t.requires_grad) {
    // a slice (lrlab's copy written back, PyTorch's view) whose storage was written since: PyTorch
    // rebuilds the view's node as AsStridedBackward0 (lrlab keeps the slice's own history)
    by = "AsStridedBackward0";
  } else {
    const fn = t.grad_fn;
    by = fn === null ? null : fn.name();
  }
  return version_error(t.dtype, shape, by, now, expected, e.slot === OUT || e.is_output ? e.output_nr : 0);
}

/** The message itself (also for torch.autograd.Function's saved tensors). */
export function version_error(dtype: DType, shape: readonly number[], by: string | null, now: number, expected: number, output_nr = 0): Error {
  const which = by === null ? "" : `, which is output ${output_nr} of ${message_name(by)},`;
  return RuntimeError(
    "one of the variables needed for gradient computation has been modified by an inplace operation: " +
      `[${TYPE_NAME[dtype]} [${shape.join(", ")}]]${which} is at version ${now}; expected version ${expected} instead. ` +
      "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).",
  );
}
