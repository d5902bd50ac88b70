/** Bad input to layers: PyTorch's messages (checked against PyTorch 2.13), and option forms. */
import { describe, expect, it } from "vitest";
import * as nn from "../../kernel/src/nn/index";
import { functional as F } from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";

const f32 = (shape: number[]) => new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5), shape, "float32");
const f64 = (shape: number[]) => new Tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(0.5), shape, "float64");

describe("layer errors", () => {
  it("Linear: shape and dtype mismatches", () => {
    expect(() => new nn.Linear(6, 3).forward(f32([4, 5]))).toThrow("mat1 and mat2 shapes cannot be multiplied (4x5 and 6x3)");
    expect(() => new nn.Linear(3, 2).forward(f64([2, 3]))).toThrow("mat1 and mat2 must have the same dtype, but got Double and Float");
    expect(() => new nn.Linear(-1, 2)).toThrow("Linear: in_features must be a non-negative integer, got -1");
    expect(() => F.linear(new Tensor(new Float64Array(2), [2], "int64"), f32([1, 2]))).toThrow(/expected a floating point input/);
  });
  it("normalisation layers", () => {
    expect(() => new nn.LayerNorm(4).forward(f32([2, 3]))).toThrow(
      "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]",
    );
    expect(() => new nn.BatchNorm1d(3).forward(f32([1, 3]))).toThrow(
      "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])",
    );
    expect(() => new nn.BatchNorm1d(3).forward(f32([2, 3, 4, 5]))).toThrow("expected 2D or 3D input (got 4D input)");
    expect(() => new nn.BatchNorm1d(3).forward(f32([2, 4]))).toThrow("running_mean should contain 4 elements not 3");
  });
  it("softmax dim out of range; GELU approximate", () => {
    expect(() => F.softmax(f32([2, 3]), 2)).toThrow("Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    expect(() => new nn.GELU({ approximate: "foo" as any })).toThrow(/approximate argument must be either none or tanh/);
  });
});

describe("Python keyword arguments as an options object", () => {
  it("parameters / named_parameters / buffers accept options or positional forms", () => {
    const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
    expect(seq.parameters({ recurse: false })).toEqual([]);
    expect(seq.parameters(false)).toEqual([]);
    expect(seq.named_parameters({ prefix: "model" }).map(([k]) => k)[0]).toBe("model.0.weight");
    expect(seq.named_parameters("model").map(([k]) => k)[0]).toBe("model.0.weight");
    expect(seq.named_buffers({ prefix: "m" }).map(([k]) => k)).toEqual(["m.1.running_mean", "m.1.running_var", "m.1.num_batches_tracked"]);
  });
  it("softmax / log_softmax take dim positionally or as { dim }", () => {
    const x = new Tensor(Float64Array.from([1, 2, 3, 4, 5, 7]), [2, 3], "float64");
    expect(Array.from(F.softmax(x, { dim: 1 }).data)).toEqual(Array.from(F.softmax(x, 1).data));
    expect(Array.from(F.log_softmax(x, { dim: 0 }).data)).toEqual(Array.from(F.log_softmax(x, 0).data));
  });

  it("to('cpu') and cpu() keep the module; another device is an error", () => {
    const l = new nn.Linear(2, 2);
    expect(l.to("cpu")).toBe(l);
    expect(l.cpu()).toBe(l);
    expect(l.to({ device: "cpu", dtype: "float64" }).weight.dtype).toBe("float64");
    expect(() => l.to({ device: "cuda" })).toThrow("lrlab runs on the CPU only; got device cuda");
  });
});
