/**
 * The autograd engine: graph recording (`attach`) and reverse-mode differentiation (`run_backward`).
 *
 * For a scalar loss L and the graph of ops that produced it, backward computes dL/dx for every leaf
 * x with requires_grad by the chain rule, visiting each node once in topological order:
 *   grad(node inputs) = node.backward(grad(node output)),
 * summing the contributions when a tensor feeds several nodes (in place, in one buffer per node:
 * GradSum; a slice's gradient only at its own positions: slice_grad.ts). The order is found
 * ITERATIVELY (Kahn's algorithm over dependency counts), so graphs of any depth work without
 * recursion.
 *
 * As in PyTorch: leaf gradients accumulate into `.grad` across backward calls; non-leaf gradients
 * are dropped unless `retain_grad()` was called; saved tensors are freed after backward unless
 * `retain_graph` is set, and a second pass then fails with PyTorch's message; a tensor a node
 * saved and that was modified in place since makes that node's backward fail with PyTorch's
 * version-counter message (version.ts). Tensor hooks run once
 * per pass on the tensor's total gradient (a leaf's too: its uses are summed first), under
 * autograd.grad as under backward; autograd.grad runs only the nodes on a path to its inputs.
 */
import { is_grad_enabled, no_grad } from "./grad_mode";
import { cast_storage } from "./dtype";
import { GradFn, Tensor, storageFor } from "./tensor";
import { SliceGrad } from "./slice_grad";
import { nextFunctions, nodeRepr } from "./next_functions";
import type { NextFunction } from "./tensor";
import { inspect } from "node:util";
import { EXTRA, OUT, bump_version, check_saved, extras_spec, saves } from "./version";
import type { SaveSpec, SavedVersions } from "./version";
import { RuntimeError, RuntimeRangeError } from "../errors";

/**
 * A node's backward: the gradient w.r.t. each input, or null. Slicing ops may return a SliceGrad
 * (slice_grad.ts: the slice's gradient and where it goes in the input) for the engine to add in
 * place; Node.backward gives everyone else tensors.
 */
export type BackwardFn = (grad_output: Tensor) => (Tensor | SliceGrad | null)[];

/** A graph node made by the library's ops: the backward is a closure over what the op saved. */
export class Node implements GradFn {
  /** @internal PyTorch's name; writable so composite ops can carry PyTorch's name for the whole op (rename). */
  _name: string;
  readonly inputs: (Tensor | null)[];
  private fn: BackwardFn | null;
  /** Whether the closure holds saved tensors (then a second backward without retain_graph fails). */
  readonly saves: boolean;
  /**
   * Each input's grad_fn when this node was made (PyTorch's edges): where its gradient goes, even
   * if an in-place op later gives the input tensor a new history (the gradient w.r.t. the values
   * this node read belongs to the history that produced those values).
   */
  readonly edges: (GradFn | null)[];
  /**
   * @internal The tensors the op saved (as PyTorch's derivative formulas save them) with their
   * versions then: backward refuses to run when one was modified in place since (version.ts).
   */
  _saved: SavedVersions | null = null;

  constructor(name: string, inputs: (Tensor | null)[], fn: BackwardFn, saves = true) {
    this._name = name;
    this.inputs = inputs;
    const edges: (GradFn | null)[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) edges[i] = inputs[i]?.grad_fn ?? null;
    this.edges = edges;
    this.fn = fn;
    this.saves = saves;
  }

  /** PyTorch's name for the node, e.g. "MulBackward0": a method, as PyTorch's `grad_fn.name()`. */
  name(): string {
    return this._name;
  }

  /**
   * PyTorch's `grad_fn.next_functions`: `[node, 0]` per input in the op's order (an AccumulateGrad
   * for a leaf requiring grad), `[null, 0]` where no gradient goes (tensor/next_functions.ts).
   */
  get next_functions(): readonly NextFunction[] {
    return nextFunctions(this.inputs, this.edges);
  }

  /** `<MseLossBackward0 object #1>`: PyTorch's repr with a number for its address (next_functions.ts). */
  toString(): string {
    return nodeRepr(this, this._name);
  }

  [inspect.custom](): string {
    return this.toString();
  }

  backward(grad_output: Tensor): (Tensor | null)[] {
    const grads = this.gradients(grad_output);
    return grads.map((g) => (g instanceof SliceGrad ? g.dense() : g));
  }

  /** What the backward closure returned: as `backward`, but slices' gradients stay SliceGrads (for the engine). */
  gradients(grad_output: Tensor): (Tensor | SliceGrad | null)[] {
    if (this.fn === null) {
      throw RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
          "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). " +
          "Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward. " +
          "(In lrlab: t.backward({ retain_graph: true }).)",
      );
    }
    if (this._saved !== null) check_saved(this._saved, this._name);
    return this.fn(grad_output);
  }

  /** Drops the saved tensors (called by the engine after a pass without retain_graph). */
  release(): void {
    if (this.saves) {
      this.fn = null;
      this._saved = null;
    }
  }
}

/** Renames the node that produced `t` (for ops built from other ops), returning `t`. */
export function rename(t: Tensor, name: string): Tensor {
  if (t.grad_fn instanceof Node) t.grad_fn._name = name;
  return t;
}

/** True when an op with these inputs must record a node. */
export function needs_grad(...inputs: unknown[]): boolean {
  if (!is_grad_enabled()) return false;
  for (const t of inputs) if (t instanceof Tensor && t.requires_grad) return true;
  return false;
}

/**
 * Records `out` as produced by an op: if grad mode is on and an input requires grad, `out` gets a
 * grad_fn named `name`. Inputs that are not tensors needing grad are stored as null, so the
 * backward closure can skip them (check `node.inputs[i] !== null`, or the `need` array).
 *
 * `saved`: the tensors PyTorch's op saves for backward (version.ts `saves("0 if 1, 1 if 0")`:
 * inputs by position, `out`, `x<i>` for `extra[i]`), recorded with their versions so that
 * backward raises PyTorch's error when one was modified in place in between. Without it the node
 * checks nothing.
 */
export function attach(
  out: Tensor,
  name: string,
  inputs: readonly unknown[],
  backward: (grad_output: Tensor, need: boolean[]) => (Tensor | SliceGrad | null)[],
  saves = true,
  saved?: SaveSpec,
  extra?: readonly unknown[],
): Tensor {
  if (!is_grad_enabled()) return out;
  let mask = 0;
  const ins: (Tensor | null)[] = new Array(inputs.length);
  const need: boolean[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    const r = t instanceof Tensor && t.requires_grad;
    ins[i] = r ? (t as Tensor) : null;
    need[i] = r;
    if (r) mask |= 1 << (i < 30 ? i : 30);
  }
  if (mask === 0) return out;
  out._set_requires_grad(true);
  const node = new Node(name, ins, (g) => backward(g, need), saves);
  if (saved !== undefined) node._saved = record_saved(saved, inputs, out, mask, extra, null);
  out.grad_fn = node;
  return out;
}

/**
 * The tensors of `spec` that an op with these inputs saves (`need`: bit i set when inputs[i]
 * requires grad), with their versions now, appended to `into` (or a new record: version.ts's
 * SavedVersions). Null when nothing is saved.
 */
function record_saved(spec: SaveSpec, inputs: readonly unknown[], out: Tensor, need: number, extra: readonly unknown[] | undefined, into: SavedVersions | null): SavedVersions | null {
  let saved = into;
  let at = 1;
  if (into !== null) while (at < into.length && into[at] !== undefined) at += 3;
  for (let k = 0; k < spec.length; k++) {
    const e = spec[k];
    if ((e.when & need) === 0) continue;
    const t = e.slot === OUT ? out : e.slot >= EXTRA ? extra?.[e.slot - EXTRA] : inputs[e.slot];
    if (!(t instanceof Tensor)) continue;
    const c = t._vc;
    // (sized for the whole spec at once: no growth; unused slots stay undefined, where check_saved stops)
    if (saved === null) {
      saved = new Array(1 + 3 * (spec.length - k));
      saved[0] = inputs;
    }
    saved[at] = t;
    saved[at + 1] = c === null ? 0 : c.v;
    saved[at + 2] = e;
    at += 3;
  }
  return saved;
}

const RESULT_ONLY = saves("out");

/** The node that made `out` saves `out` (its result) instead of what it saved (an in-place variant's node). Returns out. */
export function saves_result(out: Tensor): Tensor {
  const fn = out.grad_fn;
  if (fn instanceof Node) fn._saved = record_saved(RESULT_ONLY, [], out, -1, undefined, null);
  return out;
}

/**
 * For an op built of other ops: the node that made `out` saves what `spec` says instead of what it
 * saved (`x<i>`: extra[i]; `out`: out), as the one node of PyTorch's fused op would. Returns out.
 */
export function saves_instead(out: Tensor, spec: SaveSpec, extra: readonly unknown[]): Tensor {
  const fn = out.grad_fn;
  if (fn instanceof Node) fn._saved = record_saved(spec, [], out, -1, extra, null);
  return out;
}

/**
 * For an op built of other ops (or renamed): the node that made `out` saves `tensors` too (the
 * index tensors PyTorch's IndexBackward0 keeps, ...), at their versions now. Returns out.
 */
export function saved_also(out: Tensor, tensors: readonly Tensor[]): Tensor {
  const fn = out.grad_fn;
  if (!(fn instanceof Node) || tensors.length === 0) return out;
  fn._saved = record_saved(extras_spec(tensors.length), tensors, out, -1, tensors, fn._saved);
  return out;
}

// Tensors that asked for retain_grad(), found from their grad_fn during backward.
const retained = new WeakMap<GradFn, Tensor>();

/** Marks a non-leaf tensor so backward keeps its `.grad` (no-op for leaves, as PyTorch). */
export function retain_grad(t: Tensor): void {
  if (!t.requires_grad) throw RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
  if (t.grad_fn !== null) retained.set(t.grad_fn, t);
}

export function retains_grad(t: Tensor): boolean {
  return t.grad_fn !== null && retained.get(t.grad_fn) === t;
}

/**
 * Called when an in-place op replaced `t`'s grad_fn `old`: retain_grad() follows the tensor to its
 * new value (its `.grad` is then the gradient w.r.t. the values it holds now, as PyTorch's).
 */
export function history_replaced(t: Tensor, old: GradFn | null): void {
  if (old === null || retained.get(old) !== t) return;
  retained.delete(old);
  if (t.grad_fn !== null) retained.set(t.grad_fn, t);
}

export type GradHook = (grad: Tensor) => Tensor | void | null | undefined;

// Tensor.register_hook: a leaf's hooks are kept by tensor (they run before its gradient is
// accumulated into .grad), a non-leaf's by its grad_fn, that is by value: hooks registered before
// an in-place op get the gradient w.r.t. the old values, later ones w.r.t. the new (as PyTorch).
const hooks = new WeakMap<Tensor | GradFn, GradHook[]>();
// How many hooks are registered on leaves now: while none is, backward skips looking leaves up.
let leaf_hooks = 0;

/**
 * Registers `hook` to be called with the tensor's gradient during backward (before it is
 * accumulated into a leaf's `.grad`, or passed on by a non-leaf); a returned tensor replaces the
 * gradient. Returns a handle whose remove() unregisters it.
 */
export function register_hook(t: Tensor, hook: GradHook): { remove(): void } {
  if (typeof hook !== "function") throw new TypeError("register_hook(): hook must be a function");
  if (!t.requires_grad) throw RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
  const key = t.grad_fn ?? t;
  let list = hooks.get(key);
  if (list === undefined) {
    list = [];
    hooks.set(key, list);
  }
  list.push(hook);
  const leaf = key === t;
  if (leaf) leaf_hooks++;
  return {
    remove: () => {
      const l = hooks.get(key);
      const i = l ? l.indexOf(hook) : -1;
      if (i >= 0) {
        l!.splice(i, 1);
        if (leaf) leaf_hooks--;
      }
    },
  };
}

function apply_hooks(key: Tensor | GradFn, g: Tensor): Tensor {
  const list = hooks.get(key);
  if (list === undefined || list.length === 0) return g;
  for (const h of [...list]) {
    const r = h(g);
    if (r !== undefined && r !== null) {
      if (!(r instanceof Tensor) || !same_shape(r.shape, g.shape)) {
        throw new TypeError(`hook returned an invalid value: expected a Tensor of shape [${g.shape.join(", ")}] or nothing`);
      }
      g = r.dtype === g.dtype ? r : new Tensor(cast_storage(r.data, g.dtype), r.shape, g.dtype);
    }
  }
  return g;
}

function same_shape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function size_str(s: readonly number[]): string {
  return `torch.Size([${s.join(", ")}])`;
}

/** A gradient in the dtype of the tensor it is for (PyTorch casts back through type promotion). */
function as_grad_for(g: Tensor | SliceGrad, t: Tensor, where: string): Tensor | SliceGrad {
  if (!same_shape(g.shape, t.shape)) {
    throw new RangeError(
      `Function ${where} returned an invalid gradient - got ${size_str(g.shape)} but expected shape compatible with ${size_str(t.shape)}`,
    );
  }
  if (g.dtype === t.dtype) return g;
  if (g instanceof SliceGrad) return g.to_dtype(t.dtype);
  return new Tensor(cast_storage(g.data, t.dtype), g.shape, t.dtype);
}

/**
 * Sum of two gradients of the same shape and dtype, into a new tensor. Sparse gradients (an
 * embedding's with `sparse: true`) sum as PyTorch's InputBuffer does: sparse + sparse stays
 * sparse (sparse.ts's merge), a dense one with a sparse one gives dense + sparse.
 */
function sum_grads(a: Tensor, b: Tensor): Tensor {
  if (a.is_sparse || b.is_sparse) return a.is_sparse && !b.is_sparse ? b.add(a) : a.add(b);
  const out = storageFor(a.dtype, a.data.length);
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < out.length; i++) out[i] = x[i] + y[i];
  return new Tensor(out, a.shape, a.dtype);
}

/** b's elements added into a's storage (dense tensors of the same shape and dtype). */
function add_into(a: Tensor, b: Tensor): void {
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < x.length; i++) x[i] += y[i];
}

/**
 * The gradients arriving for one node, summed (PyTorch's InputBuffer), in arrival order. The first
 * tensor is kept as it is (it may be shared: a view's or another node's gradient); the sum is made
 * in a buffer allocated here, into which later gradients are added in place, and a slice's
 * gradient (SliceGrad) only at its own positions. So n gradients cost one allocation and n slices
 * O(size + total slice size), not n full-size tensors.
 */
class GradSum {
  private value: Tensor | null = null;
  /** `value` was allocated here (dense, referenced by nobody else): later gradients add into it. */
  private owned = false;

  add(g: Tensor | SliceGrad): void {
    const v = this.value;
    if (v === null) {
      this.value = g instanceof SliceGrad ? g.dense() : g;
      this.owned = g instanceof SliceGrad;
    } else if (v.is_sparse || (g instanceof Tensor && g.is_sparse)) {
      // Sparse gradients keep sum_grads's rules; the result is new (dense: ours to add into).
      this.value = sum_grads(v, g instanceof SliceGrad ? g.dense() : g);
      this.owned = !this.value.is_sparse;
    } else if (g instanceof SliceGrad) {
      if (!this.owned) this.take(new Tensor(v.data.slice() as typeof v.data, v.shape, v.dtype));
      g.add_to(this.value!.data);
    } else if (!this.owned) this.take(sum_grads(v, g));
    else add_into(v, g);
  }

  private take(t: Tensor): void {
    this.value = t;
    this.owned = true;
  }

  get(): Tensor {
    return this.value!;
  }
}

// Storages of gradients that the backward function running now computed into fresh memory and
// returned for one input only (see `fresh_grad`); the engine empties the list around each node.
// (A short list, not a WeakSet: a WeakSet entry per backward call made GC slow for tiny models.)
const fresh: object[] = [];

/**
 * Marks `g`, just computed by a backward function into newly allocated storage that nothing else
 * references, as adoptable: when it becomes a leaf's first `.grad` it is taken over without a copy
 * (as PyTorch's AccumulateGrad steals a gradient nobody else holds). Saves an O(n) copy and
 * allocation per parameter per step. Returns `g`.
 */
export function fresh_grad(g: Tensor): Tensor {
  fresh.push(g.data);
  return g;
}

/**
 * AccumulateGrad: `.grad = g` the first time (a copy, or g's own storage when it is fresh and no
 * hook could have kept a reference to it), `.grad += g` afterwards (in place).
 */
function accumulate(leaf: Tensor, g: Tensor): void {
  const cur = leaf.grad;
  if (g.is_sparse || (cur !== null && cur.is_sparse)) {
    accumulate_sparse(leaf, cur, g);
    return;
  }
  if (cur === null) {
    const at = fresh.indexOf(g.data);
    const adopt = at >= 0 && !(hooks.get(leaf)?.length);
    if (at >= 0) fresh.splice(at, 1);
    const data = adopt ? g.data : (g.data.slice() as typeof g.data);
    leaf.grad = new Tensor(data, leaf.shape, leaf.dtype);
  } else {
    add_into(cur, g);
    // (PyTorch's `grad += g` is an in-place op)
    const c = cur._vc;
    if (c !== null) c.v++;
    else bump_version(cur);
  }
}

/**
 * AccumulateGrad of a slice's gradient: added at its positions of `.grad` (made of zeros first if
 * there is none), so each slice of a leaf costs O(slice). With a hook on the leaf, or a sparse
 * `.grad`, the gradient is made dense and accumulated as any other.
 */
function accumulate_slice(leaf: Tensor, g: SliceGrad): void {
  const cur = leaf.grad;
  if (hooks.get(leaf)?.length || (cur !== null && cur.is_sparse)) accumulate(leaf, apply_hooks(leaf, g.dense()));
  else if (cur === null) leaf.grad = g.dense();
  else {
    g.add_to(cur.data);
    bump_version(cur);
  }
}

/**
 * AccumulateGrad with a sparse gradient on either side, as PyTorch: the first one is taken as it is
 * (a copy when a hook may hold it); sparse into sparse adds in place (the same `.grad` object,
 * merged: sparse.ts); sparse into dense adds its entries into the dense `.grad` in place; dense
 * into sparse makes a new dense `.grad` (dense + sparse).
 */
function accumulate_sparse(leaf: Tensor, cur: Tensor | null, g: Tensor): void {
  if (!g.is_sparse) {
    const at = fresh.indexOf(g.data);
    if (at >= 0) fresh.splice(at, 1);
  }
  if (cur === null) {
    leaf.grad = hooks.get(leaf)?.length ? g.clone() : g;
  } else if (cur.is_sparse && !g.is_sparse) {
    leaf.grad = g.add(cur);
  } else {
    cur.add_(g);
  }
}

export interface BackwardOptions {
  retain_graph?: boolean;
}

/**
 * For autograd.grad: the gradients w.r.t. these tensors are collected here (summed) instead of
 * being accumulated into any leaf's `.grad`.
 */
export type Capture = Map<Tensor, Tensor | null>;

/**
 * The options object of backward()/autograd.grad(), checked: a key the function does not have is
 * PyTorch's TypeError, and `create_graph: true` (a gradient with a graph of its own, for double
 * backward) is refused, since lrlab's gradients are computed without one. In plain JavaScript,
 * where no type check catches them, both were ignored: a second backward through such a gradient
 * then failed far from the cause, or a typo silently did nothing.
 */
export function check_grad_options(where: string, options: object, accepted: readonly string[]): void {
  if (typeof options !== "object" || options === null) throw new TypeError(`${where}() expects its options as one object, got ${options === null ? "null" : typeof options}`);
  for (const key of Object.keys(options)) {
    if (!accepted.includes(key) && key !== "create_graph") {
      throw new TypeError(`${where}() got an unexpected keyword argument '${key}'; accepted: ${accepted.join(", ")}`);
    }
  }
  if ((options as { create_graph?: unknown }).create_graph === true) {
    throw new Error(`${where}(): create_graph=true is not supported: lrlab's autograd computes first derivatives only (no double backward or Hessian-vector products)`);
  }
}

/** An options object written where the gradient goes: `y.backward({ retain_graph: true })`. */
function is_options(v: unknown): v is BackwardOptions {
  if (v === null || typeof v !== "object" || v instanceof Tensor) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * A leaf with hooks (PyTorch's AccumulateGrad with tensor pre-hooks): the gradients of all its
 * uses are summed first, and the hooks run once on the total when the last edge into the leaf is
 * done, as PyTorch's (not once per use with a partial gradient).
 */
interface HeldLeaf {
  sum: GradSum | null;
  left: number;
}

let backwardRuns = 0;

/**
 * How many backward passes ran in this process (run_backward's calls): the tracer tells "no
 * backward() since the last step" by it (trace.ts: a loss logged then is no micro-batch), in O(1)
 * where a sample of the gradients cost a traced tiny model's step ~1 µs.
 */
export function backward_runs(): number {
  return backwardRuns;
}

/**
 * `tensor.backward(gradient?, { retain_graph })`, or `tensor.backward({ retain_graph })` (the
 * keywords as the one options object: an object that is not a tensor cannot be a gradient); see
 * the module comment. With `capture` (autograd.grad) only the nodes on a path to a captured tensor
 * run, as PyTorch's engine (so only their hooks run, and only their saved tensors are freed), and
 * the captured gradients are the ones after the tensors' hooks.
 */
export function run_backward(root: Tensor, gradient?: Tensor | number | null | BackwardOptions, options?: BackwardOptions, capture?: Capture): void {
  if (!(root instanceof Tensor)) throw new TypeError("backward(): expected a Tensor");
  backwardRuns++;
  if (is_options(gradient)) {
    if (options !== undefined) {
      throw new TypeError("backward(): the options were given twice: write backward(gradient, { retain_graph }) or backward({ retain_graph })");
    }
    options = gradient;
    gradient = undefined;
  }
  options ??= {};
  if (capture === undefined) check_grad_options("backward", options, ["retain_graph"]);
  if (!root.requires_grad) {
    throw RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn");
  }
  let g: Tensor;
  if (gradient === undefined || gradient === null) {
    if (root.numel() !== 1) throw RuntimeError("grad can be implicitly created only for scalar outputs");
    const d = storageFor(root.dtype, 1);
    d[0] = 1;
    g = new Tensor(d, root.shape, root.dtype);
  } else if (typeof gradient === "number") {
    if (root.numel() !== 1) throw RuntimeError("grad can be implicitly created only for scalar outputs");
    const d = storageFor(root.dtype, 1);
    d[0] = gradient;
    g = new Tensor(d, root.shape, root.dtype);
  } else {
    if (!(gradient instanceof Tensor)) throw new TypeError("backward(): gradient must be a Tensor, a number or undefined");
    if (!same_shape(gradient.shape, root.shape)) {
      throw RuntimeRangeError(
        `Mismatch in shape: grad_output[0] has a shape of ${size_str(gradient.shape)} and output[0] has a shape of ${size_str(root.shape)}.`,
      );
    }
    g = gradient.dtype === root.dtype ? gradient : new Tensor(cast_storage(gradient.data, root.dtype), root.shape, root.dtype);
  }
  const retain_graph = options.retain_graph === true;
  const start = root.grad_fn;
  fresh.length = 0; // (left over only if an earlier backward threw midway)
  // Into the capture map (autograd.grad): the captured sums are the engine's own tensors (copies,
  // or sums), so dense ones add in place.
  const capture_add = (t: Tensor, gt: Tensor | SliceGrad): void => {
    const prev = capture!.get(t);
    if (!prev) capture!.set(t, gt instanceof SliceGrad ? gt.dense() : gt.is_sparse ? gt.clone() : new Tensor(gt.data.slice() as typeof gt.data, gt.shape, gt.dtype));
    else if (gt instanceof SliceGrad && !prev.is_sparse) gt.add_to(prev.data);
    else if (gt instanceof Tensor && !gt.is_sparse && !prev.is_sparse) add_into(prev, gt);
    else capture!.set(t, sum_grads(prev, gt instanceof SliceGrad ? gt.dense() : gt));
  };
  // Where a gradient for tensor t goes: into t.grad, or (autograd.grad) into the capture map.
  const deliver = (t: Tensor, gt: Tensor | SliceGrad): void => {
    if (capture === undefined) {
      if (gt instanceof SliceGrad) accumulate_slice(t, gt);
      else accumulate(t, apply_hooks(t, gt));
    } else if (capture.has(t)) capture_add(t, gt);
  };
  // A leaf's total gradient, through its hooks once, then delivered (HeldLeaf).
  const flush = (t: Tensor, h: HeldLeaf): void => {
    if (h.sum === null) return;
    const total = apply_hooks(t, h.sum.get());
    if (capture === undefined) accumulate(t, total);
    else capture_add(t, total);
  };
  const captured_fns = new Map<GradFn, Tensor>();
  if (capture !== undefined) for (const t of capture.keys()) if (t.grad_fn !== null) captured_fns.set(t.grad_fn, t);
  if (start === null) {
    no_grad(() => {
      if (capture === undefined) deliver(root, g);
      else if (capture.has(root)) capture_add(root, apply_hooks(root, g));
    });
    return;
  }

  // Pass 1: count, for every node, how many edges of the graph point to it (and into each leaf
  // with hooks, which gets its gradient only when they are all done).
  const deps = new Map<GradFn, number>();
  const held = leaf_hooks > 0 ? new Map<Tensor, HeldLeaf>() : null;
  // autograd.grad: each node's consumers, to find the nodes on a path to a captured tensor.
  const parents = capture !== undefined ? new Map<GradFn, GradFn[]>() : null;
  const needed = capture !== undefined ? new Set<GradFn>() : null;
  deps.set(start, 0);
  const stack: GradFn[] = [start];
  while (stack.length > 0) {
    const fn = stack.pop()!;
    const ins = fn.inputs;
    const edges = fn instanceof Node ? fn.edges : null;
    for (let i = 0; i < ins.length; i++) {
      const c = edges !== null ? edges[i] : ins[i]?.grad_fn;
      if (!c) {
        const t = ins[i];
        if (t && needed !== null && capture!.has(t)) needed.add(fn);
        if (t && held !== null && t.requires_grad && hooks.get(t)?.length && (capture === undefined || capture.has(t))) {
          const h = held.get(t);
          if (h === undefined) held.set(t, { sum: null, left: 1 });
          else h.left++;
        }
        continue;
      }
      if (parents !== null) {
        const p = parents.get(c);
        if (p === undefined) parents.set(c, [fn]);
        else p.push(fn);
      }
      const d = deps.get(c);
      if (d === undefined) {
        deps.set(c, 1);
        stack.push(c);
      } else deps.set(c, d + 1);
    }
  }
  // autograd.grad: a node is needed when a captured tensor is below it; its hooks run when it is
  // needed or captured itself (PyTorch captures a tensor's gradient after its hooks).
  if (needed !== null) {
    const queue: GradFn[] = [...needed];
    for (const fn of captured_fns.keys()) if (deps.has(fn)) queue.push(fn);
    while (queue.length > 0) {
      const fn = queue.pop()!;
      for (const p of parents!.get(fn) ?? []) {
        if (!needed.has(p)) {
          needed.add(p);
          queue.push(p);
        }
      }
    }
  }

  // Pass 2: a node runs once all its consumers have given it their gradient.
  const pending = new Map<GradFn, GradSum>();
  const first = new GradSum();
  first.add(g);
  pending.set(start, first);
  const ready: GradFn[] = [start];
  const visited: GradFn[] = [];
  no_grad(() => {
    while (ready.length > 0) {
      const fn = ready.pop()!;
      let go = pending.get(fn)?.get();
      pending.delete(fn);
      const cap = captured_fns.get(fn);
      const run = needed === null || needed.has(fn);
      if (run) visited.push(fn);
      if (go !== undefined && (run || cap !== undefined)) go = apply_hooks(fn, go);
      const ins = fn.inputs;
      let grads: (Tensor | SliceGrad | null)[] | null = null;
      if (go !== undefined) {
        if (cap !== undefined) deliver(cap, go);
        const keep = capture === undefined ? retained.get(fn) : undefined;
        if (keep !== undefined) {
          if (keep.grad === null) keep.grad = go.is_sparse ? go.clone() : new Tensor(go.data.slice() as typeof go.data, go.shape, go.dtype);
          else accumulate(keep, go);
        }
        fresh.length = 0;
        if (run) grads = fn instanceof Node ? fn.gradients(go) : fn.backward(go);
      }
      const edges = fn instanceof Node ? fn.edges : null;
      for (let i = 0; i < ins.length; i++) {
        const t = ins[i];
        if (!t) continue;
        const gi = grads !== null ? grads[i] : null;
        const c = edges !== null ? edges[i] : t.grad_fn;
        const h = c === null && held !== null ? held.get(t) : undefined;
        if (gi && (c !== null || t.requires_grad)) {
          const gt = as_grad_for(gi, t, fn.name());
          if (h !== undefined) (h.sum ??= new GradSum()).add(gt);
          else if (c === null) deliver(t, gt);
          else {
            let sum = pending.get(c);
            if (sum === undefined) {
              sum = new GradSum();
              pending.set(c, sum);
            }
            sum.add(gt);
          }
        }
        if (h !== undefined && --h.left === 0) flush(t, h);
        if (c) {
          const d = deps.get(c)! - 1;
          deps.set(c, d);
          if (d === 0) ready.push(c);
        }
      }
      fresh.length = 0;
    }
  });
  if (!retain_graph) {
    for (const fn of visited) if (fn instanceof Node) fn.release();
  }
}
