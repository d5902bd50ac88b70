/**
 * The functional losses' options objects: PyTorch 2.13's `weight` of mse_loss / l1_loss /
 * huber_loss (ignored before), and the deprecated `size_average` / `reduce`, which the loss
 * classes' constructors take only as null (lrlab has `reduction`): F.* refuses them the same way
 * instead of ignoring them (`F.mse_loss(x, y, reduce=False)` returned the mean). An unknown key is
 * an error. PyTorch's values, from torch 2.13:
 *   x = torch.tensor([[0.5, 2.0], [1.0, -1.0]]); y = torch.zeros(2, 2); w = torch.tensor([[1, 3], [2, 0.5]])
 *   F.mse_loss(x, y, weight=w)                  -> 2.2692   (Σ w d² / Σ w)
 *   F.mse_loss(x, y, weight=w, reduction='sum') -> 14.7500
 *   F.l1_loss(x, y, weight=w)                   -> 1.3846
 *   F.huber_loss(x, y, weight=w)                -> 1.4688   (mean of w ℓ; exactly 1.46875)
 *   F.huber_loss(x, y, weight=w, reduction='none') -> [[0.1250, 4.5000], [1.0000, 0.2500]]
 *   F.huber_loss(x, y, weight=torch.ones(2))    -> ValueError: Weights and input must have the same size.
 *   grad of F.huber_loss(x, y, weight=w) -> [[0.1250, 0.7500], [0.5000, -0.1250]]
 *   grad of F.mse_loss(x, y, weight=w)   -> [[0.1538, 1.8462], [0.6154, -0.1538]]
 *   F.huber_loss(x, y, reduce=False)     -> TypeError: huber_loss() got an unexpected keyword argument 'reduce'
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

const F = torch.nn.functional;
const x = () => torch.tensor([[0.5, 2.0], [1.0, -1.0]]);
const y = () => torch.zeros(2, 2);
const w = () => torch.tensor([[1, 3], [2, 0.5]]);
const close = (t: torch.Tensor, want: number[][]) =>
  (t.tolist() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 4)));

describe("mse_loss / l1_loss / huber_loss take PyTorch 2.13's weight", () => {
  it("forward, as PyTorch's formulas", () => {
    expect(F.mse_loss(x(), y(), { weight: w() }).item()).toBeCloseTo(2.2692, 4);
    expect(F.mse_loss(x(), y(), { weight: w(), reduction: "sum" }).item()).toBeCloseTo(14.75, 4);
    expect(F.l1_loss(x(), y(), { weight: w() }).item()).toBeCloseTo(1.3846, 4);
    expect(F.huber_loss(x(), y(), { weight: w() }).item()).toBeCloseTo(1.46875, 5);
    close(F.huber_loss(x(), y(), { weight: w(), reduction: "none" }), [[0.125, 4.5], [1, 0.25]]);
    expect(() => F.huber_loss(x(), y(), { weight: torch.ones(2) })).toThrow("Weights and input must have the same size.");
  });

  it("backward", () => {
    const a = x().requires_grad_();
    F.huber_loss(a, y(), { weight: w() }).backward();
    close(a.grad!, [[0.125, 0.75], [0.5, -0.125]]);
    const b = x().requires_grad_();
    F.mse_loss(b, y(), { weight: w() }).backward();
    close(b.grad!, [[0.1538, 1.8462], [0.6154, -0.1538]]);
  });
});

describe("the deprecated size_average / reduce and unknown keys", () => {
  const p = () => torch.tensor([[0.2, 0.8], [0.6, 0.4]]);
  const t01 = () => torch.tensor([[0, 1], [1, 0]]);
  const logits = () => torch.tensor([[1, 2, 0.5], [0.1, -1, 2]]);
  const target = () => torch.tensor([2, 0], { dtype: torch.int64 });

  it("take only null, as the loss classes do, in every loss that has them", () => {
    const refused = /'(reduce|size_average)' takes only null \(deprecated in PyTorch and not in lrlab: use reduction/;
    expect(() => F.mse_loss(x(), y(), { reduce: false } as never)).toThrow(refused);
    expect(() => F.l1_loss(x(), y(), { size_average: false } as never)).toThrow(refused);
    expect(() => F.smooth_l1_loss(x(), y(), { reduce: false } as never)).toThrow(refused);
    expect(() => F.binary_cross_entropy(p(), t01(), { reduce: false } as never)).toThrow(refused);
    expect(() => F.binary_cross_entropy_with_logits(p(), t01(), { size_average: false } as never)).toThrow(refused);
    expect(() => F.nll_loss(logits().log_softmax(1), target(), { reduce: false } as never)).toThrow(refused);
    expect(() => F.cross_entropy(logits(), target(), { reduce: false } as never)).toThrow(refused);
    expect(() => new torch.nn.MSELoss({ reduce: false } as never)).toThrow(/'reduce' takes only null/);
    // null is "not given", as in PyTorch
    expect(F.mse_loss(x(), y(), { size_average: null, reduce: null }).item()).toBeCloseTo(1.5625, 4);
  });

  it("an unknown key is an error naming the allowed ones", () => {
    expect(() => F.huber_loss(x(), y(), { reduce: false } as never)).toThrow("huber_loss() got an unexpected keyword argument 'reduce' (allowed: reduction, delta, weight)");
    expect(() => F.cross_entropy(logits(), target(), { label_smothing: 0.1 } as never)).toThrow(/cross_entropy\(\) got an unexpected keyword argument 'label_smothing'.*did you mean 'label_smoothing'/);
    expect(() => F.mse_loss(x(), y(), { zzz: 1 } as never)).toThrow("mse_loss() got an unexpected keyword argument 'zzz'");
  });
});
