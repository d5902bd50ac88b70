/**
 * Types of what containers and `call` return (a user's pass found them `any`: no completion after
 * `model.forward(x).`, typos only at run time). `Module.call` has the module's own forward's type
 * (overloads included), `Sequential.forward` is Tensor -> Tensor unless its type arguments say
 * otherwise, `seq.get(i)` and `seq[i]` are Modules (`get<Cls>(i)` names the class, a cast). The
 * type-level checks are compiled by the typecheck (`npm run typecheck`): `NotAny` fails to compile
 * on an `any`, and an unused `@ts-expect-error` is an error. The run-time tests check the values.
 */
import { describe, expect, test } from "vitest";
import * as nn from "../../kernel/src/nn/index";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";

type IsAny<T> = 0 extends 1 & T ? true : false;
/** Compiles only when T is not `any`. */
const notAny = <T>(_v: T, ok: IsAny<T> extends false ? true : never): void => void ok;
/** Compiles only when A and B are the same type. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(ok: Same<A, B>): void => void ok;

class Twice extends nn.Module {
  fc = new nn.Linear(3, 3);
  override forward(x: Tensor, times: number): [Tensor, number] {
    return [this.fc.forward(x).mul(times), times];
  }
}

/** Never run: type-level checks only. */
function typeChecks(seq: nn.Sequential, lin: nn.Linear, lstm: nn.LSTM, x: Tensor, ml: nn.ModuleList<nn.Linear>): void {
  const y = seq.forward(x);
  notAny(y, true);
  same<typeof y, Tensor>(true);
  const yc = seq.call(x);
  same<typeof yc, Tensor>(true);
  // @ts-expect-error a typo after a Sequential's output is caught by the type check
  y.nonexistent_method();
  same<ReturnType<typeof lin.call>, Tensor>(true);
  // @ts-expect-error Linear.call takes a Tensor
  lin.call("x");
  // overloads survive: an LSTM's call on a Tensor gives its Tensor overload
  const [out, [h, c]] = lstm.call(x);
  same<[typeof out, typeof h, typeof c], [Tensor, Tensor, Tensor]>(true);
  const tw = new Twice().call(x, 2);
  same<typeof tw, [Tensor, number]>(true);
  // @ts-expect-error Twice.call needs its second argument
  new Twice().call(x);
  const m0 = seq.get(0);
  same<typeof m0, nn.Module>(true);
  const i0 = seq[0];
  same<typeof i0, nn.Module>(true);
  // @ts-expect-error a Module has no weight: name the class with get<nn.Linear>(0)
  void seq.get(0).weight;
  same<ReturnType<typeof seq.get<nn.Linear>>, nn.Linear>(true);
  const l0 = ml.get(0);
  same<typeof l0, nn.Linear>(true);
  same<(typeof ml)[0], nn.Linear>(true);
  // a Sequential whose members return something else says so in its type arguments
  const rnn = new nn.Sequential<Tensor, [Tensor, [Tensor, Tensor]]>(new nn.Embedding(10, 4), lstm);
  const r = rnn.forward(x);
  same<typeof r, [Tensor, [Tensor, Tensor]]>(true);
}

describe("container and call types", () => {
  test("the type-level checks above compile (typecheck; never run)", () => {
    expect(typeof typeChecks).toBe("function");
  });

  test("Sequential.forward, call, get and [i] return what the types say", () => {
    torch.manual_seed(0);
    const seq = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
    const x = torch.randn([5, 4]);
    const y: Tensor = seq.forward(x);
    expect(y).toBeInstanceOf(torch.Tensor);
    expect(y.shape).toEqual([5, 1]);
    expect(seq.call(x).sub(y).abs().max().item()).toBe(0);
    const first: nn.Module = seq.get(0);
    expect(first).toBeInstanceOf(nn.Linear);
    expect(seq[0]).toBe(first);
    expect(seq.get<nn.Linear>(-1).weight.shape).toEqual([1, 8]);
    const ml = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 3)]);
    expect(ml.get(1).out_features).toBe(3);
    expect(ml.get(-1)).toBe(ml[1]);
  });

  test("call runs forward with every argument and the hooks, as before", () => {
    const tw = new Twice();
    const seen: unknown[] = [];
    tw.register_forward_hook((_m, input) => { seen.push(input.length); });
    const [out, times] = tw.call(torch.ones([1, 3]), 3);
    expect(times).toBe(3);
    expect(out.shape).toEqual([1, 3]);
    expect(seen).toEqual([2]);
    // call is a non-enumerable prototype method: not a field, not in the printout or state_dict
    expect(Object.keys(tw)).toEqual(["fc"]);
    expect(Object.getOwnPropertyDescriptor(nn.Module.prototype, "call")?.enumerable).toBe(false);
  });

  test("a Sequential of an Embedding and an LSTM returns the LSTM's tuple", () => {
    torch.manual_seed(0);
    const rnn = new nn.Sequential<Tensor, [Tensor, [Tensor, Tensor]]>(new nn.Embedding(10, 4), new nn.LSTM(4, 6, { batch_first: true }));
    const [out, [h, c]] = rnn.forward(torch.tensor([[1, 2, 3]], { dtype: "int64" }));
    expect(out.shape).toEqual([1, 3, 6]);
    expect(h.shape).toEqual([1, 1, 6]);
    expect(c.shape).toEqual([1, 1, 6]);
  });
});
