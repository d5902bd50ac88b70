/**
 * The exp/tanh-based ops that take their exponentials (or tanh) from the WebAssembly module
 * (kernel/src/tensor/transcendental_ops.ts; the module's bits are checked by fast_exp.test.ts):
 * exp_, softmax / log_softmax (torch's and nn.functional's), cross_entropy, logsumexp,
 * logcumsumexp (backward), silu,
 * softplus, gelu (tanh), expm1, mish, logsigmoid, tanhshrink,
 * binary_cross_entropy_with_logits, soft_margin_loss, kl_div (log_target), poisson_nll_loss (log_input).
 * Each op,
 * forward and backward, gives the same bytes with the module on and off (off: the op's JS loops
 * as they were), for float32 and float64, contiguous and transposed inputs, sizes below the
 * module's threshold, above it and above its 8192-double chunk, with NaN, ±Infinity, huge and
 * tiny values among the inputs. (elu / selu / celu stay on Math.expm1 / Math.exp, see
 * nn/functional/pointwise.ts; they are run here too, as a check that they do not depend on the module.)
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as F from "../../kernel/src/nn/functional/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { transcendental_wasm_available } from "../../kernel/src/tensor/wasm/transcendental";
import { WASM_MAP_MAX_ELEMENTS, wasm_map } from "../../kernel/src/tensor/transcendental_ops";
import { rng } from "./gradcheck";
import { bytes, sameBothWays } from "./wasm_both_ways";

type Dtype = "float32" | "float64";

const SPECIAL = [NaN, Infinity, -Infinity, 1e300, -1e300, 800, -800, 710, -746, 90, -104, 1e-310, -1e-310, 2 ** -30, 0, -0, 1e5, -1e5];

/**
 * Values uniform in [−scale/2, scale/2) (by default [−12, 12): softplus/ELU/gelu's interesting
 * range), a fraction `special` of them from SPECIAL. (A reduction over a slice holding NaN or ±∞
 * is NaN or ±∞ whatever the exponentials, so each op also runs on inputs without them.)
 */
function values(n: number, seed: number, scale = 24, special = 0.02): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => (r() < special ? SPECIAL[Math.floor(r() * SPECIAL.length)] : (r() - 0.5) * scale));
}

// [rows, cols]: below the module's 64 elements, above it, and above its 8192-double chunk
const SHAPES: [number, number][] = [[3, 5], [128, 10], [7, 1301]];

/**
 * op(x) and the gradient of x for a random upstream gradient, x of `shape` (transposed: x = a
 * [cols, rows] leaf's .t(), whose data order and memory order differ from a fresh tensor's).
 */
function forwardBackward(op: (x: Tensor) => Tensor, dtype: Dtype, [rows, cols]: [number, number], transposed: boolean, special: number): Tensor[] {
  const leaf = torch.tensor(values(rows * cols, rows + cols, 24, special), { dtype, requires_grad: true }) as Tensor;
  const x = transposed ? leaf.reshape([cols, rows]).t() : leaf.reshape([rows, cols]);
  const out = op(x);
  const g = torch.tensor(Array.from({ length: out.numel() }, (_, i) => Math.sin(i) * 3), { dtype }).reshape(out.shape);
  out.backward(g);
  return [out, leaf.grad as Tensor];
}

const OPS: Record<string, (x: Tensor) => Tensor> = {
  "torch.softmax dim 1": (x) => torch.softmax(x, 1),
  "torch.softmax dim 0": (x) => torch.softmax(x, 0),
  "torch.log_softmax dim 1": (x) => torch.log_softmax(x, 1),
  "torch.log_softmax dim 0": (x) => torch.log_softmax(x, 0),
  "torch.softmax to float64": (x) => torch.softmax(x, 1, { dtype: "float64" }),
  "F.softmax dim 1": (x) => F.softmax(x, 1),
  "F.softmax dim 0": (x) => F.softmax(x, 0),
  "F.log_softmax dim 1": (x) => F.log_softmax(x, 1),
  "F.log_softmax dim 0": (x) => F.log_softmax(x, 0),
  "torch.logsumexp dim 1": (x) => torch.logsumexp(x, 1),
  "torch.logsumexp dim 0 keepdim": (x) => torch.logsumexp(x, 0, true),
  "torch.logsumexp dims (0, 1)": (x) => torch.logsumexp(x, [0, 1]),
  "torch.logcumsumexp dim 1": (x) => torch.logcumsumexp(x, 1),
  "torch.logcumsumexp dim 0": (x) => torch.logcumsumexp(x, 0),
  "torch.silu": (x) => torch.silu(x),
  "torch.softplus": (x) => torch.softplus(x),
  "torch.softplus beta 2 threshold 5": (x) => torch.softplus(x, 2, 5),
  "torch.gelu tanh": (x) => torch.gelu(x, "tanh"),
  "F.silu": (x) => F.silu(x),
  "F.softplus": (x) => F.softplus(x),
  "F.softplus beta 0.5 threshold 3": (x) => F.softplus(x, 0.5, 3),
  "F.gelu tanh": (x) => F.gelu(x, { approximate: "tanh" }),
  "F.elu": (x) => F.elu(x),
  "F.elu alpha 0.3": (x) => F.elu(x, 0.3),
  "F.selu": (x) => F.selu(x),
  "F.celu alpha 0.7": (x) => F.celu(x, 0.7),
  "F.mish": (x) => F.mish(x),
  "F.logsigmoid": (x) => F.logsigmoid(x),
  "F.tanhshrink": (x) => F.tanhshrink(x),
  "torch.expm1": (x) => torch.expm1(x),
  "F.elu in place": (x) => F.elu(x.mul(1), 1.5, true),
  // exp_ in place: recorded (exp's graph) and, below, without grad
  "exp_": (x) => x.mul(1).exp_(),
};

describe("exp/tanh-based ops give the same bytes with the WebAssembly module on and off", () => {
  it("the module is available here (otherwise these tests compare the JS loops with themselves)", () => {
    expect(transcendental_wasm_available()).toBe(true);
  });

  for (const [name, op] of Object.entries(OPS)) {
    it(`${name}: forward and backward`, () => {
      for (const dtype of ["float32", "float64"] as const) {
        for (const shape of SHAPES) {
          for (const transposed of [false, true]) {
            for (const special of [0.02, 0]) sameBothWays(() => forwardBackward(op, dtype, shape, transposed, special));
          }
        }
      }
    });
  }

  it("declines (the JS loops run) above WASM_MAP_MAX_ELEMENTS, before filling or allocating anything", () => {
    let filled = false;
    expect(wasm_map("exp", WASM_MAP_MAX_ELEMENTS + 1, () => { filled = true; })).toBe(null);
    expect(filled).toBe(false);
    expect(wasm_map("exp", 100, (a) => a.fill(1))).toEqual(new Float64Array(100).fill(Math.E));
  });

  it("exp_ without autograd, contiguous and on a transposed tensor", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const [r, c] of SHAPES) {
        for (const transposed of [false, true]) {
          sameBothWays(() => {
            const base = torch.tensor(values(r * c, 5), { dtype }).reshape([r, c]);
            const x = transposed ? base.t().clone() : base.clone();
            return [x.exp_()];
          });
        }
      }
    }
  });

  it("binary_cross_entropy_with_logits (plain, weight and pos_weight), soft_margin_loss, kl_div (log_target) and poisson_nll_loss (log_input): loss and gradients", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const [r, c] of SHAPES) {
        const y01 = torch.tensor(values(r * c, 3, 1, 0).map((v) => v + 0.5), { dtype }).reshape([r, c]);
        const ypm = torch.tensor(values(r * c, 4, 1, 0).map((v) => (v < 0 ? -1 : 1)), { dtype }).reshape([r, c]);
        const w = torch.tensor(values(c, 5, 1, 0).map((v) => v + 1), { dtype });
        const variants: ((x: Tensor, t: Tensor) => Tensor)[] = [
          (x, t) => F.binary_cross_entropy_with_logits(x, t, { reduction: "none" }),
          (x, t) => F.binary_cross_entropy_with_logits(x, t, { weight: w, pos_weight: w.mul(2), reduction: "none" }),
          (x) => F.soft_margin_loss(x, ypm, { reduction: "none" }),
          (x, t) => F.kl_div(x, t.sub(1), { log_target: true, reduction: "none" }),
          (x, t) => F.kl_div(x.sub(1), t.mul(0.5).sub(3), { log_target: true, reduction: "none" }),
          (x, t) => F.poisson_nll_loss(x, t.mul(4), { reduction: "none" }),
          (x, t) => F.poisson_nll_loss(x, t.mul(4), { full: true, reduction: "none" }),
        ];
        for (const loss of variants) {
          for (const special of [0.02, 0]) {
            sameBothWays(() => {
              const leaf = torch.tensor(values(r * c, r, 30, special), { dtype, requires_grad: true }) as Tensor;
              const t = y01.clone().requires_grad_(true);
              const l = loss(leaf.reshape([r, c]), t);
              l.backward(torch.tensor(values(r * c, 6, 4, 0), { dtype }).reshape(l.shape));
              return [l, leaf.grad as Tensor, ...(t.grad ? [t.grad] : [])];
            });
          }
        }
      }
    }
  });

  it("cross_entropy (class indices: plain, weight, ignore_index, label smoothing; probabilities): loss and gradient", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const [N, C] of [[4, 3], [128, 10], [9, 1000]] as [number, number][]) {
        const r = rng(N + C);
        const t = torch.tensor(Array.from({ length: N }, (_, i) => (i % 5 === 4 ? -100 : Math.floor(r() * C))), { dtype: "int64" }) as Tensor;
        const w = torch.tensor(Array.from({ length: C }, () => r() + 0.5), { dtype }) as Tensor;
        const probs = torch.softmax(torch.tensor(values(N * C, 9, 6, 0), { dtype }).reshape([N, C]), 1);
        const variants: ((x: Tensor) => Tensor)[] = [
          (x) => F.cross_entropy(x, t),
          (x) => F.cross_entropy(x, t, { weight: w, label_smoothing: 0.1, reduction: "sum" }),
          (x) => F.cross_entropy(x, probs, { label_smoothing: 0.2 }),
          (x) => F.cross_entropy(x, probs, { weight: w, reduction: "none" }),
          (x) => F.cross_entropy(x, t, { reduction: "none" }),
        ];
        for (const loss of variants) {
          // with SPECIAL values only per sample (reduction "none"): one NaN would make a mean NaN
          for (const special of [0, 0.02]) {
            sameBothWays(() => {
              const leaf = torch.tensor(values(N * C, N, 30, special), { dtype, requires_grad: true }) as Tensor;
              const l = loss(leaf.reshape([N, C]));
              if (special > 0 && l.dim() === 0) return [];
              l.backward(torch.ones(l.shape, { dtype }));
              return [l, leaf.grad as Tensor];
            });
          }
        }
      }
    }
  });
});
