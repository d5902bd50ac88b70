/**
 * Loss arguments PyTorch 2.13 accepts or refuses: integer (and bool) regression targets promote;
 * probability targets refuse a class index to ignore. Values from PyTorch (code in the comments).
 */
import { describe, expect, it } from "vitest";
import * as nn from "../../kernel/src/nn/index";
import { functional as F } from "../../kernel/src/nn/index";
import * as torch from "../../kernel/src/tensor/index";

function close(a: unknown, e: number[] | number, rtol: number, what: string): void {
  const av = ([] as number[]).concat(a as number[]);
  const ev = ([] as number[]).concat(e);
  expect(av.length, what).toBe(ev.length);
  av.forEach((v, i) => expect(Math.abs(v - ev[i]), `${what}[${i}]: ${v} vs ${ev[i]}`).toBeLessThanOrEqual(rtol * (1 + Math.abs(ev[i]))));
}

describe("regression losses with an int64 or bool target", () => {
  // x = torch.tensor([0.5, 1.5, 4.0], dtype=dt, requires_grad=True); t = torch.tensor([1, 2, 2]) (int64)
  // or torch.tensor([True, False, True]); l = F.<loss>(x, t); l.backward() -> l.dtype == dt, l.item(), x.grad
  const cases: [string, (x: torch.Tensor, t: torch.Tensor) => torch.Tensor, number, number[], number | null, number[] | null][] = [
    // [name, loss, int64 value, int64 x.grad, bool value, bool x.grad]
    ["mse_loss", (x, t) => F.mse_loss(x, t), 1.5, [-1 / 3, -1 / 3, 4 / 3], 3.8333333333333335, [-1 / 3, 1, 2]],
    ["l1_loss", (x, t) => F.l1_loss(x, t), 1.0, [-1 / 3, -1 / 3, 1 / 3], null, null],
    ["smooth_l1_loss", (x, t) => F.smooth_l1_loss(x, t), 0.5833333333333334, [-1 / 6, -1 / 6, 1 / 3], 1.2083333333333333, [-1 / 6, 1 / 3, 1 / 3]],
    ["MSELoss", (x, t) => new nn.MSELoss().forward(x, t), 1.5, [-1 / 3, -1 / 3, 4 / 3], 3.8333333333333335, [-1 / 3, 1, 2]],
    ["L1Loss", (x, t) => new nn.L1Loss().forward(x, t), 1.0, [-1 / 3, -1 / 3, 1 / 3], null, null],
    ["SmoothL1Loss", (x, t) => new nn.SmoothL1Loss().forward(x, t), 0.5833333333333334, [-1 / 6, -1 / 6, 1 / 3], 1.2083333333333333, [-1 / 6, 1 / 3, 1 / 3]],
  ];
  for (const [name, loss, v, g, bv, bg] of cases) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`${name}, ${dtype} input: promotes like PyTorch`, () => {
        const rtol = dtype === "float32" ? 1e-6 : 1e-12;
        const x = torch.tensor([0.5, 1.5, 4.0], { dtype, requires_grad: true });
        const l = loss(x, torch.tensor([1, 2, 2], { dtype: "int64" }));
        expect(l.dtype).toBe(dtype);
        close(l.item(), v, rtol, "loss");
        l.backward();
        close(x.grad!.tolist(), g, rtol, "grad");
        x.grad = null;
        const tb = torch.tensor([true, false, true]);
        if (bv === null) {
          // l1_loss(x, bool) -> RuntimeError: Subtraction, the `-` operator, with a bool tensor is not supported. ...
          expect(() => loss(x, tb)).toThrow("Subtraction, the `-` operator, with a bool tensor is not supported.");
        } else {
          const lb = loss(x, tb);
          close(lb.item(), bv, rtol, "bool loss");
          lb.backward();
          close(x.grad!.tolist(), bg!, rtol, "bool grad");
        }
      });
    }
  }

  it("an int64 input with a float target that requires grad", () => {
    // t = torch.tensor([0.5, 1.5, 4.0], requires_grad=True); l = F.mse_loss(torch.tensor([1, 2, 2]), t); l.backward()
    // -> 1.5, t.grad [-0.3333, -0.3333, 1.3333]
    const t = torch.tensor([0.5, 1.5, 4.0], { requires_grad: true });
    const l = F.mse_loss(torch.tensor([1, 2, 2], { dtype: "int64" }), t);
    expect(l.dtype).toBe("float32");
    l.backward();
    close(l.item(), 1.5, 1e-6, "loss");
    close(t.grad!.tolist(), [-1 / 3, -1 / 3, 4 / 3], 1e-6, "grad");
  });

  it("two integer tensors are refused, naming what is allowed", () => {
    // F.mse_loss(torch.tensor([1, 2, 2]), torch.tensor([1, 3, 5])) -> RuntimeError: "mse_cpu" not implemented for 'Long'
    expect(() => F.mse_loss(torch.tensor([1, 2, 2], { dtype: "int64" }), torch.tensor([1, 3, 5], { dtype: "int64" }))).toThrow(
      "mse_loss(): expected a floating point input or target (float32 or float64), got input int64 and target int64",
    );
  });

  it("huber_loss: forward in the input's dtype; backward needs the target in it too (PyTorch 2.13)", () => {
    // x = torch.tensor([0.5, 1.5, 4.0], requires_grad=True); l = F.huber_loss(x, torch.tensor([1, 2, 2]))
    // -> tensor(0.5833, grad_fn=<HuberLossBackward0>); l.backward() -> RuntimeError: Found dtype Long but expected Float
    const x = torch.tensor([0.5, 1.5, 4.0], { requires_grad: true });
    const l = F.huber_loss(x, torch.tensor([1, 2, 2], { dtype: "int64" }));
    expect(l.dtype).toBe("float32");
    close(l.item(), 0.5833333333333334, 1e-6, "loss");
    expect(() => l.backward()).toThrow("Found dtype Long but expected Float");
    // F.huber_loss(torch.tensor([0.5, 1.5, 4.0]), torch.tensor([1., 2, 2], dtype=torch.float64)) -> tensor(0.5833) (float32)
    const m = new nn.HuberLoss().forward(torch.tensor([0.5, 1.5, 4.0]), torch.tensor([1, 2, 2], { dtype: "float64" }));
    expect(m.dtype).toBe("float32");
    close(m.item(), 0.5833333333333334, 1e-6, "mixed");
    // ... and with the input requiring grad: backward -> RuntimeError: Found dtype Double but expected Float
    const y = torch.tensor([0.5, 1.5, 4.0], { requires_grad: true });
    expect(() => F.huber_loss(y, torch.tensor([1, 2, 2], { dtype: "float64" })).backward()).toThrow("Found dtype Double but expected Float");
  });
});

describe("cross_entropy with probability targets", () => {
  // x = torch.tensor([[0.2, 1.0, -0.5], [0.3, -1.2, 0.8]], requires_grad=True)
  // p = torch.tensor([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]])
  const x = () => torch.tensor([[0.2, 1.0, -0.5], [0.3, -1.2, 0.8]], { requires_grad: true });
  const p = () => torch.tensor([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]]);

  it("refuses a non-negative ignore_index, as PyTorch", () => {
    // torch.nn.CrossEntropyLoss(ignore_index=0)(x, p) -> RuntimeError: ignore_index is not supported for floating point target
    // (ignore_index=5 likewise)
    expect(() => new nn.CrossEntropyLoss({ ignore_index: 0 }).forward(x(), p())).toThrow("ignore_index is not supported for floating point target");
    expect(() => F.cross_entropy(x(), p(), { ignore_index: 5 })).toThrow("ignore_index is not supported for floating point target");
  });

  it("accepts the default and other negative values", () => {
    // F.cross_entropy(x, p).item() -> 1.1746259927749634; F.cross_entropy(x, p, ignore_index=-1).item() -> 1.1746259927749634
    close(new nn.CrossEntropyLoss().forward(x(), p()).item(), 1.1746259927749634, 1e-6, "default");
    close(F.cross_entropy(x(), p(), { ignore_index: -1 }).item(), 1.1746259927749634, 1e-6, "-1");
  });
});
