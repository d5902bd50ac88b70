/**
 * `torch.autograd.Function`: custom differentiable ops written by the user, with PyTorch 2.13's
 * names and semantics.
 *
 *   class MyExp extends torch.autograd.Function {
 *     static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) { const y = x.exp(); ctx.save_for_backward(y); return y; }
 *     static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) { const [y] = ctx.saved_tensors; return g.mul(y); }
 *   }
 *   const y = MyExp.apply(x);            // y.grad_fn.name() === "MyExpBackward"
 *
 * For outputs y_1..y_m of inputs x_1..x_n, `backward(ctx, g_1, ..., g_m)` returns the
 * vector-Jacobian products  grad x_i = sum_j (dy_j/dx_i)^T g_j  (one entry per forward argument,
 * null for non-tensors and for inputs that need no gradient). As PyTorch's `apply`:
 *   - forward runs under no_grad (its own ops record nothing); the outputs get one node named
 *     `<ClassName>Backward` when grad mode is on and a tensor input requires grad;
 *   - `setup_context` style: `static forward(...args)` without ctx, and
 *     `static setup_context(ctx, inputs, output)` fills ctx afterwards;
 *   - ctx: `save_for_backward` / `saved_tensors` (freed after a backward without retain_graph:
 *     then PyTorch's "backward through the graph a second time" error; a saved tensor modified in
 *     place since apply returned is PyTorch's version-counter error there, tensor/version.ts), `needs_input_grad`,
 *     `mark_non_differentiable` (those outputs get requires_grad false; integer outputs too),
 *     `set_materialize_grads` (default true: an output that got no gradient is given zeros;
 *     false: null), `mark_dirty` (an input modified in place in forward: the same tensor object is
 *     returned with its history rebased onto this node; a leaf that requires grad is PyTorch's
 *     error), and any other property (`ctx.k = k`);
 *   - an input returned unmodified (not marked dirty) comes back as a new tensor over the same
 *     storage with this node as grad_fn (the input keeps its history);
 *   - backward's result is checked as PyTorch's engine does: the number of gradients (extra
 *     trailing nulls are allowed), their types, a gradient for a non-tensor argument, and the
 *     shape (a gradient the input's shape broadcasts to is summed down to it, any other is an error).
 *
 * Deviations (lrlab's engine has one output gradient per node):
 *   - with several differentiable outputs, each output has its own node (all named
 *     `<ClassName>Backward`), joined to one shared node that calls `backward` once with every
 *     output's gradient; so `y1.grad_fn !== y2.grad_fn` where PyTorch has one object;
 *   - no double backward (lrlab has no create_graph), so `once_differentiable` only runs backward
 *     under no_grad, which is how every backward runs here anyway;
 *   - no forward-mode AD (`jvp`, `save_for_forward`), no `vmap`;
 *   - a wrong gradient type says JavaScript's `typeof` (`got number`) where Python names its type.
 */
import { Tensor } from "./tensor";
import { is_grad_enabled, no_grad } from "./grad_mode";
import { Node } from "./autograd";
import { is_floating } from "./dtype";
import { broadcast_shapes, fmt_shape } from "./shape";
import { sum_to } from "./sum_to";
import { check_inplace, rebase_history } from "./view_history";
import { zeros_like } from "./factories";
import { share_version, version_error, version_of } from "./version";
import { NotImplementedError, RuntimeError } from "../errors";

/** The `ctx` object given to a custom Function's forward/setup_context and backward. */
export class FunctionCtx {
  /** Other values the user keeps for backward (`ctx.k = k`): any, as Python's attribute bag. */
  [key: string]: any;

  /** For each forward argument: whether backward must compute its gradient (false for non-tensors). */
  needs_input_grad: boolean[] = [];
  /** Whether outputs that got no gradient are given zeros (true) or null (false) in backward. */
  materialize_grads = true;
  /** @internal */ _saved: (Tensor | null)[] = [];
  /** @internal */ _freed = false;
  /** @internal */ _dirty: Tensor[] = [];
  /** @internal */ _non_differentiable: Tensor[] = [];
  /**
   * @internal The saved tensors' versions when apply returned (and, for a saved output, its
   * number), checked when backward reads `saved_tensors`; null when apply recorded no node.
   */
  _versions: { t: Tensor; v: number; output: number }[] | null = null;
  /** @internal The node's name (`<ClassName>Backward`), for the version error. */
  _name = "";

  /** Keeps tensors (or null) for backward; read them there as `ctx.saved_tensors`. */
  save_for_backward(...tensors: (Tensor | null | undefined)[]): void {
    tensors.forEach((t, i) => {
      if (t !== null && t !== undefined && !(t instanceof Tensor)) {
        throw new TypeError(`save_for_backward can only save variables, but argument ${i} is of type ${typeof t}`);
      }
    });
    this._saved = tensors.map((t) => t ?? null);
  }

  /**
   * The tensors given to save_for_backward, in order (null where null was saved: typed `Tensor[]`
   * so that `const [y] = ctx.saved_tensors` needs no cast).
   */
  get saved_tensors(): Tensor[] {
    if (this._freed) {
      throw RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
          "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). " +
          "Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward. " +
          "(In lrlab: t.backward({ retain_graph: true }).)",
      );
    }
    if (this._versions !== null) {
      for (const { t, v, output } of this._versions) {
        const now = version_of(t);
        if (now === v) continue;
        const fn = output >= 0 ? null : t.grad_fn;
        throw version_error(t.dtype, t.shape, output >= 0 ? this._name : fn === null ? null : fn.name(), now, v, Math.max(output, 0));
      }
    }
    return [...this._saved] as Tensor[];
  }

  /** Declares input tensors that forward modified in place (they must be returned as outputs). */
  mark_dirty(...tensors: Tensor[]): void {
    for (const t of tensors) if (!(t instanceof Tensor)) throw new TypeError(`mark_dirty can only accept variables, but got ${typeof t}`);
    this._dirty = tensors;
  }

  /** Declares outputs that are not differentiable (indices, masks): they get requires_grad false. */
  mark_non_differentiable(...tensors: Tensor[]): void {
    for (const t of tensors) if (!(t instanceof Tensor)) throw new TypeError(`mark_non_differentiable can only accept variables, but got ${typeof t}`);
    this._non_differentiable = tensors;
  }

  /** Whether backward gets zeros (true, the default) or null for outputs that got no gradient. */
  set_materialize_grads(value: boolean): void {
    this.materialize_grads = value;
  }
}

/** The arguments of `apply` for a Function class: forward's without ctx (all of them with setup_context). */
export type ApplyArgs<C> = C extends { setup_context(...a: any[]): any; forward(...a: infer A): any }
  ? A
  : C extends { forward(ctx: any, ...a: infer A): any }
    ? A
    : any[];

/** The result of `apply`: what forward returns (an array of outputs stays an array). */
export type ApplyResult<C> = C extends { forward(...a: any[]): infer R } ? R : any;

/**
 * Base class of custom differentiable ops: subclass it with static `forward` and `backward`
 * (and optionally `setup_context`), then call `MyOp.apply(...args)`. See the module comment.
 */
export class Function {
  /**
   * PyTorch's classes are never instantiated (it warns, and will raise): the methods are static.
   * Here it is an error at once.
   */
  constructor() {
    throw RuntimeError(
      `${new.target.name} should not be instantiated. Methods on autograd functions are all static, so you should invoke them on the class itself: ${new.target.name}.apply(...).`,
    );
  }

  /** Computes the outputs: `forward(ctx, ...args)`, or `forward(...args)` with setup_context. Override it. */
  static forward(..._args: any[]): any {
    throw NotImplementedError("You must implement the forward function for custom autograd.Function.");
  }

  /** Given each output's gradient, returns each forward argument's gradient (or null). Override it. */
  static backward(_ctx: FunctionCtx, ..._grad_outputs: any[]): any {
    throw NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.");
  }

  /** PyTorch's alias of backward: a class may define `vjp` instead. */
  static vjp(ctx: FunctionCtx, ...grad_outputs: any[]): any {
    return this.backward(ctx, ...grad_outputs);
  }

  /** Optional: fills ctx from (inputs, output) when forward takes no ctx. */
  static setup_context?(ctx: FunctionCtx, inputs: any[], output: any): void;

  /**
   * Runs the op and records it for autograd: `MyOp.apply(x, ...)`. The arguments are forward's
   * (without ctx); the result is what forward returned, outputs joined to one `<Name>Backward`.
   * It works unbound too, as PyTorch's tutorials use it: `const P3 = LegendrePolynomial3.apply;
   * P3(x)` (an accessor gives each class its own bound function, below; unbound, TypeScript no
   * longer knows the class, so the arguments and result are untyped then).
   */
  declare static apply: <C extends typeof Function>(this: C | void, ...args: ApplyArgs<C>) => ApplyResult<C>;
}

// `Sub.apply` is an accessor returning `apply_function` bound to Sub, one function per class (so
// `Sub.apply === Sub.apply`, as a Python classmethod's bound method compares equal): a static
// method would get `this` undefined when called unbound (`const f = Sub.apply; f(x)`), and the
// class would be lost.
const boundApply = new WeakMap<typeof Function, (...args: unknown[]) => unknown>();
Object.defineProperty(Function, "apply", {
  configurable: true,
  get(this: typeof Function) {
    let fn = boundApply.get(this);
    if (fn === undefined) {
      const cls = this;
      fn = (...args: unknown[]) => apply_function(cls, args);
      boundApply.set(this, fn);
    }
    return fn;
  },
});

/** Makes `backward` run under no_grad (lrlab's backward always does: it has no double backward). */
export function once_differentiable<F extends (...args: any[]) => any>(fn: F): F {
  return function (this: unknown, ...args: any[]) {
    return no_grad(() => fn.apply(this, args));
  } as unknown as F;
}

/** A custom Function's node: its `release` (after a backward without retain_graph) frees ctx's saved tensors. */
class FunctionNode extends Node {
  constructor(name: string, inputs: (Tensor | null)[], fn: (g: Tensor) => (Tensor | null)[], private readonly ctx: FunctionCtx) {
    super(name, inputs, fn, true);
  }

  override release(): void {
    super.release();
    this.ctx._freed = true;
  }
}


function is_differentiable(t: Tensor, ctx: FunctionCtx): boolean {
  return is_floating(t.dtype) && !ctx._non_differentiable.includes(t);
}

/** Function.apply: forward under no_grad, then the outputs are wired to one backward. */
function apply_function(cls: typeof Function, args: unknown[]): unknown {
  if (Object.prototype.hasOwnProperty.call(cls.prototype, "forward")) {
    throw RuntimeError(
      "Legacy autograd function with non-static forward method is deprecated. Please use new-style autograd function with static forward method. " +
        "(In TypeScript: `static forward(ctx, ...)` and `static backward(ctx, ...)`.)",
    );
  }
  if (cls.forward === Function.forward) throw NotImplementedError("You must implement the forward function for custom autograd.Function.");
  const name = `${cls.name}Backward`;
  const ctx = new FunctionCtx();
  const grad_on = is_grad_enabled();
  ctx.needs_input_grad = args.map((a) => grad_on && a instanceof Tensor && a.requires_grad);
  const uses_setup = typeof cls.setup_context === "function";
  const output = no_grad(() => {
    const out = uses_setup ? cls.forward(...args) : cls.forward(ctx, ...args);
    if (uses_setup) cls.setup_context!(ctx, args, out);
    return out;
  });
  const is_list = Array.isArray(output);
  const outs: unknown[] = is_list ? [...(output as unknown[])] : [output];
  const record = ctx.needs_input_grad.some((b) => b);
  for (const d of ctx._dirty) {
    if (!outs.includes(d)) throw RuntimeError("Some elements marked as dirty during the forward method were not returned as output. The inputs that are modified inplace must all be outputs of the Function.");
    if (record && d.is_leaf && d.requires_grad) throw RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.");
    if (record) check_inplace(d, []);
  }
  if (!record) return output;

  // Output metadata for materialized zeros; which outputs get a node.
  const diff: boolean[] = outs.map((o) => o instanceof Tensor && is_differentiable(o, ctx));
  const ins: (Tensor | null)[] = args.map((a) => (a instanceof Tensor && a.requires_grad ? a : null));
  const tensor_outs = outs.map((o) => (o instanceof Tensor ? o : null));

  // The one call of the user's backward, with every output's gradient (null or zeros where none came).
  const run_user_backward = (grads: (Tensor | null)[]): (Tensor | null)[] => {
    const gs = grads.map((g, i) => {
      const o = tensor_outs[i];
      if (g !== null || o === null || !ctx.materialize_grads) return g;
      return zeros_like(o);
    });
    const bw = cls.backward !== Function.backward ? cls.backward : cls.vjp !== Function.vjp ? cls.vjp : cls.backward;
    const res = bw.call(cls, ctx, ...gs);
    return check_gradients(name, Array.isArray(res) ? res : [res], args, ins);
  };

  const results: unknown[] = [...outs];
  const n_diff = diff.filter((b) => b).length;
  if (n_diff === 1) {
    const j = diff.indexOf(true);
    const node = new FunctionNode(name, ins, (g) => run_user_backward(outs.map((_, i) => (i === j ? g : null))), ctx);
    results[j] = wire(outs[j] as Tensor, node, args, ctx);
  } else if (n_diff > 1) {
    // One shared node (backward once with all gradients), reached through a scalar link from each
    // output's node. Output j's node leaves its gradient in slots[j] and sends 2^j down the link,
    // so the hub gets the sum of the bits of the outputs reached in this pass (a slot left over
    // from a pass that threw midway is never read).
    const slots: (Tensor | null)[] = outs.map(() => null);
    const hub = new FunctionNode(name, ins, (mask) => {
      let bits = Math.round(mask.data[0]);
      const grads: (Tensor | null)[] = outs.map(() => null);
      for (let j = 0; j < outs.length; j++) {
        if (bits % 2 === 1 || j >= 52) grads[j] = slots[j];
        bits = Math.floor(bits / 2);
      }
      slots.fill(null);
      return run_user_backward(grads);
    }, ctx);
    const link = new Tensor(new Float64Array(1), [], "float64");
    link._set_requires_grad(true);
    link.grad_fn = hub;
    for (let j = 0; j < outs.length; j++) {
      if (!diff[j]) continue;
      const node = new Node(name, [link], (g) => {
        slots[j] = g;
        return [new Tensor(Float64Array.of(j < 52 ? 2 ** j : 0), [], "float64")];
      }, false);
      results[j] = wire(outs[j] as Tensor, node, args, ctx);
    }
  }
  for (let j = 0; j < outs.length; j++) {
    const o = outs[j];
    if (o instanceof Tensor && !diff[j] && !ctx._dirty.includes(o) && args.includes(o)) results[j] = o.detach();
  }
  // What ctx saved, at its versions now (PyTorch packs the saved tensors once the outputs are made)
  ctx._name = name;
  ctx._versions = [];
  for (const t of ctx._saved) if (t !== null) ctx._versions.push({ t, v: version_of(t), output: outs.indexOf(t) });
  return is_list ? results : results[0];
}

/**
 * Gives output `o` its node: a dirty input keeps its object and has its history rebased (as an
 * in-place op); an input returned unmodified becomes a new tensor over its storage; a new tensor
 * just takes the node.
 */
function wire(o: Tensor, node: Node, args: unknown[], ctx: FunctionCtx): Tensor {
  // (an input returned comes back as a tensor over its storage: PyTorch's view of it, with its version counter)
  const result = ctx._dirty.includes(o) || args.includes(o) ? share_version(new Tensor(o.data, o.shape, o.dtype), o) : o;
  result._set_requires_grad(true);
  result.grad_fn = node;
  if (!ctx._dirty.includes(o)) return result;
  rebase_history(o, result);
  return o;
}

/** The gradients backward returned, checked and fitted to the inputs as PyTorch's engine does. */
function check_gradients(name: string, res: unknown[], args: unknown[], ins: (Tensor | null)[]): (Tensor | null)[] {
  let grads = res;
  if (grads.length > args.length && grads.slice(args.length).every((g) => g === null || g === undefined)) grads = grads.slice(0, args.length);
  if (grads.length !== args.length) {
    throw RuntimeError(`function ${name} returned an incorrect number of gradients (expected ${args.length}, got ${grads.length})`);
  }
  return grads.map((g, i) => {
    if (g === null || g === undefined) return null;
    if (!(g instanceof Tensor)) throw new TypeError(`expected Variable or None (got ${typeof g})`);
    const a = args[i];
    if (!(a instanceof Tensor)) {
      throw RuntimeError(`function ${name} returned a gradient different than None at position ${i + 1}, but the corresponding forward input was not a Variable`);
    }
    const t = ins[i];
    if (t === null) return null;
    if (g.shape.length === t.shape.length && g.shape.every((d, k) => d === t.shape[k])) return g;
    let expandable = false;
    try {
      const b = broadcast_shapes(t.shape, g.shape);
      expandable = b.length === g.shape.length && b.every((d, k) => d === g.shape[k]);
    } catch {
      expandable = false;
    }
    if (!expandable) {
      throw new RangeError(`Function ${name} returned an invalid gradient at index ${i} - got ${fmt_shape(g.shape)} but expected shape compatible with ${fmt_shape(t.shape)}`);
    }
    return sum_to(g, t.shape);
  });
}
