/**
 * Convolutions whose column matrix is built in the WebAssembly module (nn/functional/conv_wasm.ts)
 * give bit for bit what the JS path gives (im2col/col2im in JS, the same matrix product), forward
 * and every gradient, over the geometries that move the module's loops (padding, stride,
 * dilation, groups, "same", conv1d, a batch split into chunks); other padding modes stay in JS.
 * conv.test.ts checks both against PyTorch.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import type { Module } from "../../kernel/src/nn/index";
import { CONV_FIELDS, conv_wasm_stats, set_conv_wasm } from "../../kernel/src/nn/functional/conv_wasm";
import { set_wasm_enabled } from "../../kernel/src/tensor/wasm/instance";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require("../../kernel/scripts/gen_gemm_wasm.cjs") as { CONV_FIELDS: string[] };

type DType = "float32" | "float64";

/** Output, input gradient and parameter gradients of a seeded model on a seeded input. */
function run(build: () => Module, shape: number[], dtype: DType): Float32Array[] | Float64Array[] {
  torch.manual_seed(7);
  const m = build();
  if (dtype === "float64") m.double();
  const x = torch.randn(shape, { dtype }).requires_grad_(true);
  const y = m.forward(x) as torch.Tensor;
  y.mul(torch.randn(y.shape, { dtype })).sum().backward();
  return [y.data, x.grad!.data, ...m.parameters().map((p) => p.grad!.data)] as Float32Array[];
}

const CASES: [string, () => Module, number[]][] = [
  ["LeNet's two convolutions and a pool", () => new nn.Sequential(new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(6, 16, 5)), [8, 1, 28, 28]],
  ["padding, stride and dilation per dim", () => new nn.Conv2d(3, 8, [3, 5], { stride: [2, 3], padding: [2, 1], dilation: [1, 2] }), [4, 3, 17, 19]],
  ["groups", () => new nn.Conv2d(4, 8, 3, { groups: 2, padding: 1 }), [3, 4, 12, 12]],
  ["padding 'same' with an even kernel", () => new nn.Conv2d(3, 4, 4, { padding: "same" }), [2, 3, 10, 9]],
  ["padding larger than the kernel's reach (whole rows of zeros)", () => new nn.Conv2d(2, 3, 2, { padding: 3 }), [2, 2, 6, 7]],
  ["conv1d, strided", () => new nn.Conv1d(3, 5, 3, { padding: 2, stride: 2 }), [4, 3, 40]],
  ["a batch split into chunks (over 2^22 column entries)", () => new nn.Conv2d(3, 4, 3, { bias: false }), [48, 3, 64, 64]],
  // 3·7·9 = 189 output positions: the module's bias addition (add_cols) ends on a part vector
  ["an odd number of output positions, with a bias", () => new nn.Conv2d(3, 5, 3), [3, 3, 9, 11]],
];

afterEach(() => {
  set_conv_wasm(true);
  set_wasm_enabled(true);
});

describe("the column matrix built in the WebAssembly module", () => {
  it("reads its descriptor in the order the generator wrote the module for", () => {
    expect([...CONV_FIELDS]).toEqual(gen.CONV_FIELDS);
  });

  for (const [name, build, shape] of CASES) {
    for (const dtype of ["float32", "float64"] as DType[]) {
      it(`${name}, ${dtype}: bit for bit the JS path's output and gradients`, () => {
        const before = { ...conv_wasm_stats };
        const inModule = run(build, shape, dtype);
        expect(conv_wasm_stats.im2col, "the module built the matrix").toBeGreaterThan(before.im2col);
        expect(conv_wasm_stats.col2im, "the module scattered dL/dx").toBeGreaterThan(before.col2im);
        set_conv_wasm(false);
        const inJs = run(build, shape, dtype);
        expect(inModule.length).toBe(inJs.length);
        inModule.forEach((a, k) => {
          expect(a.length).toBe(inJs[k].length);
          for (let i = 0; i < a.length; i++) if (!Object.is(a[i], inJs[k][i])) expect(`${k}[${i}]: ${a[i]}`).toBe(`${k}[${i}]: ${inJs[k][i]}`);
        });
      });
    }
  }

  it("leaves reflect, replicate and circular padding to the JS path", () => {
    const before = conv_wasm_stats.im2col;
    run(() => new nn.Conv2d(2, 3, 3, { padding: 2, padding_mode: "reflect" }), [2, 2, 9, 9], "float32");
    run(() => new nn.Conv2d(2, 3, 3, { padding: 1, padding_mode: "circular" }), [2, 2, 9, 9], "float32");
    expect(conv_wasm_stats.im2col).toBe(before);
  });

  it("without WebAssembly the JS path gives the same output to float32 precision", () => {
    const inModule = run(CASES[0][1], CASES[0][2], "float32");
    set_wasm_enabled(false);
    const js = run(CASES[0][1], CASES[0][2], "float32");
    // the JS product sums in float64 and rounds once: not the same bits, the same values to ~1e-6
    const scale = Math.max(...Array.from(js[0], Math.abs));
    for (let i = 0; i < js[0].length; i++) expect(Math.abs(inModule[0][i] - js[0][i])).toBeLessThan(1e-5 * scale);
  });
});
