/**
 * Ops PyTorch 2.13 has no bool kernel for refuse a bool tensor with its message, instead of
 * returning an answer: what PyTorch printed is quoted with each.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";

describe("bool inputs PyTorch refuses", () => {
  const b = () => torch.tensor([true, false]);

  it("argmax and argmin", () => {
    // torch.tensor([True, False]).argmax() -> RuntimeError: argmax(): does not support bool input
    expect(() => b().argmax()).toThrow(/^argmax\(\): does not support bool input$/);
    expect(() => torch.argmax(b(), 0)).toThrow(/^argmax\(\): does not support bool input$/);
    // .argmin() -> RuntimeError: argmin(): does not support bool input
    expect(() => b().argmin()).toThrow(/^argmin\(\): does not support bool input$/);
  });

  it("abs and abs_", () => {
    // torch.tensor([True, False]).abs() (and torch.abs, .abs_()) -> NotImplementedError: "abs_cpu" not implemented for 'Bool'
    expect(() => b().abs()).toThrow(/^"abs_cpu" not implemented for 'Bool'$/);
    expect(() => torch.abs(b())).toThrow(/^"abs_cpu" not implemented for 'Bool'$/);
    expect(() => b().abs_()).toThrow(/^"abs_cpu" not implemented for 'Bool'$/);
  });
});
