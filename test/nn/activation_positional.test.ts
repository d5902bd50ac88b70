/**
 * Activation modules built with PyTorch's positional constructor arguments (`new nn.GELU("tanh")`,
 * `new nn.LeakyReLU(0.2)`, `new nn.Hardtanh(-2, 2)`, ...) against real PyTorch 2.13
 * (test/fixtures/generate_activation_positional.py → fixtures/nn/activation_positional.json):
 * each prints PyTorch's repr for the same arguments, so the values landed in the right fields.
 */
import { describe, expect, it } from "vitest";
import * as nn from "../../kernel/src/nn/index";
import { expectClose, fixture, fromFixture, type FixtureTensor } from "./helpers";

const fx = fixture<{ reprs: { name: string; args: unknown[]; repr: string }[]; gelu_tanh: { x: FixtureTensor; y: FixtureTensor } }>(
  "activation_positional.json",
);

describe("activation modules take PyTorch's positional arguments", () => {
  it.each(fx.reprs.map((c) => [`${c.name}(${c.args.map((a) => JSON.stringify(a)).join(", ")})`, c] as const))("%s", (_n, c) => {
    const Cls = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[c.name];
    expect(String(new Cls(...c.args))).toBe(c.repr);
  });

  it('new nn.GELU("tanh") computes the tanh approximation, as { approximate: "tanh" }', () => {
    const x = fromFixture(fx.gelu_tanh.x);
    expectClose(new nn.GELU("tanh").forward(x), fx.gelu_tanh.y, "GELU('tanh')");
    expectClose(new nn.GELU({ approximate: "tanh" }).forward(x), fx.gelu_tanh.y, "GELU(approximate='tanh')");
  });

  it("GELU's errors: an unknown approximation, a non-string, too many values", () => {
    expect(() => new nn.GELU("fast" as never)).toThrow("approximate argument must be either none or tanh. (got fast)");
    expect(() => new nn.GELU(1 as never)).toThrow("GELU(): argument 'approximate' must be a string, not number");
    expect(() => new (nn.GELU as unknown as new (...a: unknown[]) => nn.GELU)("tanh", "none")).toThrow(/takes at most 1 optional positional argument/);
  });
});
