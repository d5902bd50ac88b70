/**
 * `grad_fn.next_functions` and the nodes' repr (kernel/src/tensor/next_functions.ts), as the
 * PyTorch tutorials walk the graph: `loss.grad_fn`, `loss.grad_fn.next_functions[0][0]`, ... Before,
 * a node had no next_functions, `String(loss.grad_fn)` was "[object Object]" and console.log dumped
 * the node's fields.
 *
 * What PyTorch 2.13 printed for the same code is quoted beside each check (addresses elided).
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { AccumulateGrad } from "../../kernel/src/tensor/next_functions";
import type { GradFn, NextFunction } from "../../kernel/src/tensor/tensor";

const names = (fs: readonly NextFunction[]): (string | null)[] => fs.map(([n]) => (n === null ? null : n.toString().replace(/ object #\d+>$/, ">")));

describe("next_functions", () => {
  it("has one [node, 0] pair per input in the op's order, AccumulateGrad at leaves and null where no gradient goes", () => {
    const a = torch.ones(2, { requires_grad: true });
    const b = torch.ones(2);
    // (a*2).grad_fn.next_functions: ((<AccumulateGrad ...>, 0), (None, 0))
    expect(names(a.mul(2).grad_fn!.next_functions)).toEqual(["<AccumulateGrad>", null]);
    // (b*a): ((None, 0), (<AccumulateGrad ...>, 0))
    expect(names(b.mul(a).grad_fn!.next_functions)).toEqual([null, "<AccumulateGrad>"]);
    expect(b.mul(a).grad_fn!.next_functions.map(([, i]) => i)).toEqual([0, 0]);
    // (a*b).sum().grad_fn.next_functions: ((<MulBackward0 ...>, 0),)
    const p = a.mul(b);
    expect(p.sum().grad_fn!.next_functions[0][0]).toBe(p.grad_fn);
  });

  it("gives one AccumulateGrad per leaf, whose variable is the leaf", () => {
    const a = torch.ones(2, { requires_grad: true });
    // (a+a).grad_fn.next_functions: both entries the same AccumulateGrad; acc.variable is a: True;
    // acc.next_functions: (); acc.name(): torch::autograd::AccumulateGrad
    const [[x], [y]] = a.add(a).grad_fn!.next_functions;
    expect(x).toBeInstanceOf(AccumulateGrad);
    expect(x).toBe(y);
    expect(a.mul(3).grad_fn!.next_functions[0][0]).toBe(x);
    expect((x as AccumulateGrad).variable).toBe(a);
    expect(x!.next_functions).toEqual([]);
    expect(x!.name()).toBe("torch::autograd::AccumulateGrad");
  });

  it("walks a small network as the LeNet tutorial does", () => {
    torch.manual_seed(0);
    const fc1 = new torch.nn.Linear(4, 3);
    const fc2 = new torch.nn.Linear(3, 2);
    const out = fc2.forward(torch.nn.functional.relu(fc1.forward(torch.randn([1, 4]))));
    const loss = new torch.nn.MSELoss().forward(out, torch.randn([1, 2]));
    const g = loss.grad_fn!;
    // loss.grad_fn.next_functions: ((<AddmmBackward0 ...>, 0), (None, 0))
    expect(names(g.next_functions)).toEqual(["<AddmmBackward0>", null]);
    const addmm = g.next_functions[0][0] as GradFn;
    // PyTorch's AddmmBackward0 takes (bias, input, weight.T): ((<AccumulateGrad>, 0), (<ReluBackward0>, 0),
    // (<TBackward0>, 0)). lrlab's Linear is one fused node over (input, weight, bias), so its next
    // functions are the same nodes in that order, with the weight's AccumulateGrad for TBackward0.
    expect(names(addmm.next_functions)).toEqual(["<ReluBackward0>", "<AccumulateGrad>", "<AccumulateGrad>"]);
    expect((addmm.next_functions[1][0] as AccumulateGrad).variable).toBe(fc2.weight);
    expect((addmm.next_functions[2][0] as AccumulateGrad).variable).toBe(fc2.bias);
    expect(names(addmm.next_functions[0][0]!.next_functions)).toEqual(["<AddmmBackward0>"]);
  });
});

describe("a node's repr", () => {
  it("is PyTorch's <Name object ...> with a number for the address, the same for the same node", () => {
    const a = torch.ones(2, { requires_grad: true });
    const loss = torch.nn.functional.mse_loss(a, torch.zeros(2));
    // print(loss.grad_fn): <MseLossBackward0 object at 0x7f8de084f700>
    const s = String(loss.grad_fn);
    expect(s).toMatch(/^<MseLossBackward0 object #\d+>$/);
    expect(inspect(loss.grad_fn)).toBe(s);
    expect(String(loss.grad_fn)).toBe(s);
    expect(String(loss.mul(1).grad_fn)).not.toBe(s);
    expect(String(loss.grad_fn!.next_functions[0][0])).toMatch(/^<AccumulateGrad object #\d+>$/);
    // ... and the tensor's printout keeps the bare name: print(a * 2) is tensor([2., 4.], grad_fn=<MulBackward0>)
    expect(torch.tensor([1.0, 2.0], { requires_grad: true }).mul(2).toString()).toBe("tensor([2., 4.], grad_fn=<MulBackward0>)");
  });
});
