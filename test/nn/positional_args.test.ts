/**
 * Python's positional arguments work as in PyTorch (`nn.ELU(0.3)`, `F.leaky_relu(x, 0.2)`, ...),
 * as do its keywords (an options object); a wrong value is an error, never a silent default.
 * Values from PyTorch 2.13 with v = torch.tensor([-1.0, 0.0, 1.0, 2.0]).
 */
import { describe, expect, it } from "vitest";
import * as nn from "../../kernel/src/nn/index";
import { functional as F } from "../../kernel/src/nn/index";
import * as torch from "../../kernel/src/tensor/index";
import { manual_seed } from "../../kernel/src/random/index";

const v = () => torch.tensor([-1.0, 0.0, 1.0, 2.0]);

function close(a: unknown, e: number[], what: string): void {
  const av = a as number[];
  expect(av.length, what).toBe(e.length);
  av.forEach((x, i) => expect(Math.abs(x - e[i]), `${what}[${i}]: ${x} vs ${e[i]}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(e[i]))));
}

// torch.nn.ELU(0.3)(v), F.elu(v, 0.3)
const ELU = [-0.18963617086410522, 0.0, 1.0, 2.0];
// torch.nn.Softplus(2)(v), F.softplus(v, 2)
const SOFTPLUS2 = [0.06346400082111359, 0.3465735912322998, 1.0634640455245972, 2.0090749263763428];
// torch.nn.Softplus(2, 1)(v), F.softplus(v, 2, 1)
const SOFTPLUS2_1 = [0.06346400082111359, 0.3465735912322998, 1.0, 2.0];
// torch.nn.LeakyReLU(0.2)(v), F.leaky_relu(v, 0.2)
const LEAKY = [-0.20000000298023224, 0.0, 1.0, 2.0];
// torch.manual_seed(0); F.dropout(torch.ones(8), 0.25)   (and torch.nn.Dropout(0.25) likewise)
const DROPOUT = [0.0, 1.3333333730697632, 1.3333333730697632, 0.0, 1.3333333730697632, 0.0, 1.3333333730697632, 1.3333333730697632];

describe("positional and keyword arguments", () => {
  it("layers", () => {
    close(new nn.ELU(0.3).forward(v()).tolist() as number[], ELU, "ELU(0.3)");
    close(new nn.ELU({ alpha: 0.3 }).forward(v()).tolist() as number[], ELU, "ELU({ alpha })");
    close(new nn.Softplus(2).forward(v()).tolist() as number[], SOFTPLUS2, "Softplus(2)");
    close(new nn.Softplus(2, 1).forward(v()).tolist() as number[], SOFTPLUS2_1, "Softplus(2, 1)");
    close(new nn.Softplus(2, { threshold: 1 }).forward(v()).tolist() as number[], SOFTPLUS2_1, "Softplus(2, { threshold })");
    close(new nn.Softplus({ beta: 2 }).forward(v()).tolist() as number[], SOFTPLUS2, "Softplus({ beta })");
    close(new nn.LeakyReLU(0.2).forward(v()).tolist() as number[], LEAKY, "LeakyReLU(0.2)");
    close(new nn.LeakyReLU({ negative_slope: 0.2 }).forward(v()).tolist() as number[], LEAKY, "LeakyReLU({ negative_slope })");
    expect(new nn.ELU(0.3, { inplace: true }).toString()).toBe("ELU(alpha=0.3, inplace=True)");
    manual_seed(0);
    close(new nn.Dropout(0.25).forward(torch.ones(8)).tolist() as number[], DROPOUT, "Dropout(0.25)");
    manual_seed(0);
    close(new nn.Dropout({ p: 0.25 }).forward(torch.ones(8)).tolist() as number[], DROPOUT, "Dropout({ p })");
  });

  it("functions", () => {
    close(F.leaky_relu(v(), 0.2).tolist() as number[], LEAKY, "leaky_relu(x, 0.2)");
    close(F.leaky_relu(v(), { negative_slope: 0.2 }).tolist() as number[], LEAKY, "leaky_relu(x, { negative_slope })");
    close(F.elu(v(), 0.3).tolist() as number[], ELU, "elu(x, 0.3)");
    close(F.softplus(v(), 2).tolist() as number[], SOFTPLUS2, "softplus(x, 2)");
    close(F.softplus(v(), 2, 1).tolist() as number[], SOFTPLUS2_1, "softplus(x, 2, 1)");
    manual_seed(0);
    close(F.dropout(torch.ones(8), 0.25).tolist() as number[], DROPOUT, "dropout(x, 0.25)");
    // F.dropout(torch.ones(3), 0.25, False) -> the input unchanged
    expect(F.dropout(torch.ones(3), 0.25, false).tolist()).toEqual([1, 1, 1]);
    expect(F.dropout(torch.ones(3), { p: 0.25, training: false }).tolist()).toEqual([1, 1, 1]);
  });

  it("a wrong argument is an error that names it", () => {
    expect(() => new nn.ELU("0.3" as never)).toThrow("ELU(): argument 'alpha' must be a number, not string");
    expect(() => F.leaky_relu(v(), 0.2, { negative_slope: 0.1 } as never)).toThrow("leaky_relu() got multiple values for argument 'negative_slope'");
    expect(() => F.elu(v(), { alpah: 0.3 } as never)).toThrow("elu() got an unexpected keyword argument 'alpah' (allowed: alpha, inplace)");
    expect(() => (F.softplus as (...a: unknown[]) => unknown)(v(), 2, 1, 3)).toThrow("softplus() takes at most 2 optional positional arguments (beta, threshold) but 3 were given");
    expect(() => new nn.Dropout(1.5)).toThrow("dropout probability has to be between 0 and 1, but got 1.5");
  });
});
