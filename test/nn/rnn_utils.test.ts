/**
 * torch.nn.utils.rnn against real PyTorch (test/fixtures/generate_rnn_utils.py): pad_sequence,
 * pack_padded_sequence, pad_packed_sequence, pack_sequence, unpad_sequence and unpack_sequence
 * (values, batch_sizes, sorted/unsorted indices, returned lengths and every input's gradient, in
 * float64 to 1e-12 and float32 to 1e-6), nn.RNN / nn.LSTM / nn.GRU on a PackedSequence (packed
 * output, h_n and c_n in the caller's order, gradients of the input, the initial state and every
 * parameter; dropout between layers with PyTorch's masks), PyTorch's error messages and PackedSequence's repr; plus what lrlab adds: the options
 * object, the checks PyTorch 2.13 lacks, and the packed path agreeing with the tensor path.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import type { Module } from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { expectClose, fixture, fromFixture } from "./helpers";
import type { FixtureTensor } from "./helpers";

const R = torch.nn.utils.rnn;
const fx = fixture("rnn_utils.json");

interface PackedFixture {
  data: FixtureTensor;
  batch_sizes: FixtureTensor;
  sorted_indices: FixtureTensor | null;
  unsorted_indices: FixtureTensor | null;
}

/** An int64 tensor equal to the fixture's (or null for null). */
function expectIndices(actual: Tensor | null, expected: FixtureTensor | null, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  expect(actual, what).toBeInstanceOf(Tensor);
  expect(actual!.dtype, what).toBe("int64");
  expect(actual!.shape, what).toEqual(expected.shape);
  expect(Array.from(actual!.data), what).toEqual(expected.data);
}

function expectPacked(p: InstanceType<typeof R.PackedSequence>, f: PackedFixture, what: string): void {
  expect(p).toBeInstanceOf(R.PackedSequence);
  expectClose(p.data, f.data, `${what} data`);
  expectIndices(p.batch_sizes, f.batch_sizes, `${what} batch_sizes`);
  expectIndices(p.sorted_indices, f.sorted_indices, `${what} sorted_indices`);
  expectIndices(p.unsorted_indices, f.unsorted_indices, `${what} unsorted_indices`);
}

/** A PackedSequence made of a fixture's fields, its data a leaf requiring grad. */
function packedFrom(f: PackedFixture): InstanceType<typeof R.PackedSequence> {
  const idx = (t: FixtureTensor | null) => (t === null ? null : fromFixture(t));
  return new R.PackedSequence(fromFixture(f.data, true), fromFixture(f.batch_sizes), idx(f.sorted_indices), idx(f.unsorted_indices));
}

/** Σ out·g over the outputs, backward. */
function backward(outs: Tensor[], ups: FixtureTensor[]): void {
  let loss = outs[0].mul(fromFixture(ups[0])).sum();
  for (let i = 1; i < outs.length; i++) loss = loss.add(outs[i].mul(fromFixture(ups[i])).sum());
  loss.backward();
}

describe("pad_sequence", () => {
  for (const c of fx.pad_sequence) {
    it(`${c.name}: values and gradients as PyTorch's`, () => {
      const seqs: Tensor[] = c.sequences.map((s: FixtureTensor) => fromFixture(s, true));
      const y = R.pad_sequence(seqs, c.kwargs);
      expectClose(y, c.out, `${c.name} out`);
      expect(y.grad_fn?.name()).toBe("CopySlices");
      backward([y], [c.upstream]);
      seqs.forEach((s, i) => expectClose(s.grad, c.grads[i], `${c.name} grad ${i}`));
    });
  }

  it("takes Python's positional form and a tensor of sequences", () => {
    const c = fx.pad_sequence.find((k: { name: string }) => k.name === "left_value");
    const seqs: Tensor[] = c.sequences.map((s: FixtureTensor) => fromFixture(s));
    expectClose(R.pad_sequence(seqs, false, -1.5, "left"), c.out, "positional");
    const stacked = torch.randn(3, 4, 2);
    const y = R.pad_sequence(stacked, true);
    expect(Array.from(y.data)).toEqual(Array.from(stacked.data));
  });

  it("pads int64 sequences with the value cast, and converts later sequences to the first one's dtype", () => {
    const y = R.pad_sequence([torch.tensor([1, 2, 3], { dtype: "int64" }), torch.tensor([4], { dtype: "int64" })], { padding_value: 0.5 });
    expect(y.dtype).toBe("int64");
    expect(y.tolist()).toEqual([[1, 4], [2, 0], [3, 0]]);
    const z = R.pad_sequence([torch.tensor([1.5]), torch.tensor([2, 3], { dtype: "float64" })]);
    expect(z.dtype).toBe("float32");
    expect(z.tolist()).toEqual([[1.5, 2], [0, 3]]);
  });

  it("names a trailing-shape mismatch, a 0-D sequence, and a bad argument", () => {
    expect(() => R.pad_sequence([torch.zeros(3, 2), torch.zeros(2, 3)])).toThrow(
      "pad_sequence: every sequence must have the first one's trailing dims [2] (only the length, dim 0, may differ), but sequence 1 has shape [2, 3]",
    );
    expect(() => R.pad_sequence([torch.tensor(1)])).toThrow("sequence 0 is 0-D");
    expect(() => R.pad_sequence([torch.zeros(2)], { padding_sid: "left" } as never)).toThrow(
      "pad_sequence() got an unexpected keyword argument 'padding_sid' (allowed: batch_first, padding_value, padding_side)",
    );
    expect(() => R.pad_sequence([torch.zeros(2)], true, { batch_first: true })).toThrow("pad_sequence() got multiple values for argument 'batch_first'");
    expect(() => R.pad_sequence([torch.zeros(2)], "yes" as never)).toThrow("pad_sequence(): argument 'batch_first' must be a boolean, not string");
    const untyped = R.pad_sequence as (...a: unknown[]) => Tensor;
    expect(() => untyped([torch.zeros(2)], false, 0, "right", 1)).toThrow("pad_sequence() takes at most 3 optional positional arguments");
  });
});

describe("pack_padded_sequence", () => {
  for (const c of fx.pack_padded_sequence) {
    it(`${c.name}: data, batch_sizes, indices and the input's gradient as PyTorch's`, () => {
      const x = fromFixture(c.input, true);
      const p = R.pack_padded_sequence(x, c.lengths, c.kwargs);
      expectPacked(p, c.packed, c.name);
      expect(p.data.grad_fn?.name()).toBe("PackPaddedSequenceBackward0");
      backward([p.data], [c.upstream]);
      expectClose(x.grad, c.grad_input, `${c.name} grad input`);
    });
  }

  it("takes the lengths as an int64 tensor and the options positionally", () => {
    const c = fx.pack_padded_sequence.find((k: { name: string }) => k.name === "unsorted_ties_batch_first");
    const lengths = torch.tensor(c.lengths, { dtype: "int64" });
    expectPacked(R.pack_padded_sequence(fromFixture(c.input), lengths, true, false), c.packed, "positional");
  });

  it("rejects a length longer than the padded input (PyTorch 2.13 reads past the input's end)", () => {
    expect(() => R.pack_padded_sequence(torch.zeros(4, 3, 2), [5, 2, 1])).toThrow(
      "pack_padded_sequence: every length must be at most the padded input's sequence length 4 (input.size(0)), but got a length of 5",
    );
    expect(() => R.pack_padded_sequence(torch.zeros(3, 4, 2), [2, 5, 1], { batch_first: true, enforce_sorted: false })).toThrow(
      "at most the padded input's sequence length 4 (input.size(1))",
    );
  });
});

describe("pad_packed_sequence", () => {
  for (const c of fx.pad_packed_sequence) {
    it(`${c.name}: padded values, lengths and the data's gradient as PyTorch's`, () => {
      const p = packedFrom(c.packed);
      const [padded, lengths] = R.pad_packed_sequence(p, c.kwargs);
      expectClose(padded, c.padded, `${c.name} padded`);
      expectIndices(lengths, c.lengths, `${c.name} lengths`);
      backward([padded], [c.upstream]);
      expectClose(p.data.grad, c.grad_data, `${c.name} grad data`);
    });
  }

  it("takes Python's positional form", () => {
    const c = fx.pad_packed_sequence.find((k: { name: string }) => k.name === "sorted_batch_first_total");
    const [padded] = R.pad_packed_sequence(packedFrom(c.packed), true, 9, 7);
    expectClose(padded, c.padded, "positional");
    expect(() => R.pad_packed_sequence(packedFrom(c.packed), { total_length: 7.5 })).toThrow(
      "pad_packed_sequence(): argument 'total_length' must be an int or null, not float",
    );
    expect(() => R.pad_packed_sequence(torch.zeros(3) as never)).toThrow("argument 'sequence' must be a PackedSequence");
  });
});

describe("pack_sequence and unpack_sequence", () => {
  for (const c of fx.pack_sequence) {
    it(`${c.name}: packed like PyTorch, gradients to every sequence, and unpacked back`, () => {
      const seqs: Tensor[] = c.sequences.map((s: FixtureTensor) => fromFixture(s, true));
      const p = R.pack_sequence(seqs, { enforce_sorted: c.enforce_sorted });
      expectPacked(p, c.packed, c.name);
      backward([p.data], [c.upstream]);
      seqs.forEach((s, i) => expectClose(s.grad, c.grads[i], `${c.name} grad ${i}`));
      const back = R.unpack_sequence(p);
      expect(back.length).toBe(c.unpacked.length);
      back.forEach((s, i) => expectClose(s, c.unpacked[i], `${c.name} unpacked ${i}`));
      expectPacked(R.pack_sequence(seqs.map((s) => s.detach()), c.enforce_sorted), c.packed, `${c.name} positional`);
    });
  }

  for (const c of fx.unpack_sequence) {
    it(`unpack_sequence ${c.name}: sequences in the caller's order and the data's gradient`, () => {
      const p = packedFrom(c.packed);
      const seqs = R.unpack_sequence(p);
      expect(seqs.length).toBe(c.sequences.length);
      seqs.forEach((s, i) => expectClose(s, c.sequences[i], `${c.name} sequence ${i}`));
      backward(seqs, c.upstream);
      expectClose(p.data.grad, c.grad_data, `${c.name} grad data`);
    });
  }
});

describe("unpad_sequence", () => {
  for (const c of fx.unpad_sequence) {
    it(`${c.name}: sequences and the padded input's gradient as PyTorch's`, () => {
      const x = fromFixture(c.padded, true);
      const seqs = R.unpad_sequence(x, torch.tensor(c.lengths, { dtype: "int64" }), { batch_first: c.batch_first });
      expect(seqs.length).toBe(c.sequences.length);
      seqs.forEach((s, i) => expectClose(s, c.sequences[i], `${c.name} sequence ${i}`));
      backward(seqs, c.upstream);
      expectClose(x.grad, c.grad_padded, `${c.name} grad padded`);
      expect(x.shape).toEqual(c.padded.shape); // PyTorch transposes its argument in place; lrlab leaves it alone
    });
  }

  it("takes an array of lengths, and names a count that does not match the batch", () => {
    const x = torch.randn(3, 2, 4);
    expect(R.unpad_sequence(x, [3, 1], false).map((s) => s.shape)).toEqual([[3, 4], [1, 4]]);
    expect(() => R.unpad_sequence(x, [3, 1, 2])).toThrow("unpad_sequence: expected one length per sequence of the batch (B = 2), but got 3 lengths");
  });
});

interface PackedRNNCase {
  name: string;
  cls: "RNN" | "LSTM" | "GRU";
  args: unknown[];
  kwargs: Record<string, unknown>;
  dtype: "float32" | "float64";
  lengths: number[];
  enforce_sorted: boolean;
  batch_first: boolean;
  /** Dropout cases: torch.manual_seed(seed) just before forward, as the generator did. */
  seed: number | null;
  state_before: Record<string, FixtureTensor>;
  x: FixtureTensor;
  hx: FixtureTensor[];
  packed_out: PackedFixture;
  outputs: FixtureTensor[];
  upstream: FixtureTensor[];
  grad_x: FixtureTensor;
  grad_hx: FixtureTensor[];
  param_grads: Record<string, FixtureTensor>;
}

function build(cls: string, args: unknown[], kwargs: Record<string, unknown>): Module {
  const C = (nn as unknown as Record<string, new (...a: unknown[]) => Module>)[cls];
  return new C(...args, kwargs);
}

describe("nn.RNN, nn.LSTM, nn.GRU on a PackedSequence", () => {
  for (const c of fx.packed_rnn as PackedRNNCase[]) {
    it(`${c.name}: packed output, final states and gradients as PyTorch's`, () => {
      const m = build(c.cls, c.args, c.kwargs).to(c.dtype);
      const sd: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.state_before)) sd[k] = fromFixture(v);
      m.load_state_dict(sd);
      const x = fromFixture(c.x, true);
      const hx = c.hx.map((h) => fromFixture(h, true));
      const state = hx.length === 0 ? undefined : c.cls === "LSTM" ? [hx[0], hx[1]] : hx[0];
      const packed = R.pack_padded_sequence(x, c.lengths, { batch_first: c.batch_first, enforce_sorted: c.enforce_sorted });
      if (c.seed !== null) torch.manual_seed(c.seed);
      const [out, hn] = m.forward(packed, state) as [InstanceType<typeof R.PackedSequence>, Tensor | [Tensor, Tensor]];
      expectPacked(out, c.packed_out, `${c.name} output`);
      const outs = c.cls === "LSTM" ? [out.data, ...(hn as [Tensor, Tensor])] : [out.data, hn as Tensor];
      outs.forEach((o, i) => expectClose(o, c.outputs[i], `${c.name} output ${i}`));
      backward(outs, c.upstream);
      expectClose(x.grad, c.grad_x, `${c.name} grad x`);
      hx.forEach((h, i) => expectClose(h.grad, c.grad_hx[i], `${c.name} grad hx[${i}]`));
      const params = Object.fromEntries(m.named_parameters());
      expect(Object.keys(params)).toEqual(Object.keys(c.param_grads));
      for (const [k, g] of Object.entries(c.param_grads)) expectClose(params[k].grad, g, `${c.name} grad ${k}`);
    });
  }

  it("gives the tensor path's results when every sequence has the full length", () => {
    torch.manual_seed(5);
    const mods: nn.RNNBase[] = [new nn.LSTM(3, 4, { num_layers: 2, bidirectional: true }), new nn.GRU(3, 4, { bidirectional: true }), new nn.RNN(3, 4, 2)];
    for (const m of mods) {
      m.double();
      const x = torch.randn(5, 3, 3, { dtype: "float64" });
      const [y, hy] = m.forward(x) as [Tensor, Tensor | Tensor[]];
      const [p, hp] = m.forward(R.pack_padded_sequence(x, [5, 5, 5])) as [InstanceType<typeof R.PackedSequence>, Tensor | Tensor[]];
      const [padded] = R.pad_packed_sequence(p);
      expect(Array.from(padded.data)).toEqual(Array.from(y.data));
      const a = hy instanceof Tensor ? [hy] : hy;
      const b = hp instanceof Tensor ? [hp] : hp;
      a.forEach((t, i) => expect(Array.from(b[i].data)).toEqual(Array.from(t.data)));
    }
  });

  it("names a wrong initial state size, input size or dtype", () => {
    const seqs = [torch.randn(3, 2), torch.randn(2, 2)];
    expect(() => new nn.GRU(3, 4).forward(R.pack_sequence(seqs))).toThrow(fx.errors.rnn_packed_input_size);
    expect(() => new nn.RNN(2, 4).forward(R.pack_sequence(seqs), torch.zeros(1, 2, 5))).toThrow(fx.errors.rnn_packed_hidden_size);
    const seqs64 = seqs.map((s) => s.double());
    expect(() => new nn.GRU(2, 4).forward(R.pack_sequence(seqs64))).toThrow(fx.errors.rnn_packed_dtype);
    // PyTorch 2.13 skips this check on its packed LSTM path ("got an incorrect number of RNN parameters")
    expect(() => new nn.LSTM(2, 4).forward(R.pack_sequence(seqs), [torch.zeros(1, 2, 4), torch.zeros(1, 2, 3)])).toThrow(
      "Expected hidden[1] size (1, 2, 4), got [1, 2, 3]",
    );
    // Checked before reordering by sorted_indices (PyTorch would first fail to index a too small batch)
    expect(() => new nn.GRU(2, 4).forward(R.pack_sequence([seqs[1], seqs[0]], false), torch.zeros(1, 1, 4))).toThrow(
      "Expected hidden size (1, 2, 4), got [1, 1, 4]",
    );
    const bad = new R.PackedSequence(torch.randn(5, 2), torch.tensor([2, 3], { dtype: "int64" }));
    expect(() => new nn.GRU(2, 4).forward(bad)).toThrow("GRU: batch_sizes must be positive and non-increasing");
  });
});

describe("PackedSequence", () => {
  it("prints as PyTorch's", () => {
    const a = torch.tensor([1, 2, 3]);
    const b = torch.tensor([4, 5]);
    const c = torch.tensor([6]);
    expect(String(R.pack_sequence([a, b, c]))).toBe(fx.reprs.sorted);
    expect(String(R.pack_sequence([b, a, c], false))).toBe(fx.reprs.unsorted);
    const padded = torch.tensor([[1, 2, 0], [3, 0, 0], [4, 5, 6]]);
    expect(String(R.pack_padded_sequence(padded, [2, 1, 3], { batch_first: true, enforce_sorted: false }))).toBe(fx.reprs.padded_example);
  });

  it("destructures and indexes as PyTorch's named tuple, and converts its data with to()", () => {
    const p = R.pack_sequence([torch.randn(3, 2), torch.randn(1, 2), torch.randn(2, 2)], false);
    const [data, batch_sizes, sorted_indices, unsorted_indices] = p;
    expect(data).toBe(p.data);
    expect(batch_sizes).toBe(p[1]);
    expect(sorted_indices!.tolist()).toEqual([0, 2, 1]);
    expect(unsorted_indices!.tolist()).toEqual([0, 2, 1]);
    expect(p.length).toBe(4);
    expect(p.is_cuda).toBe(false);
    expect(p.to("float32")).toBe(p);
    expect(p.cpu()).toBe(p);
    const d = p.double();
    expect(d.data.dtype).toBe("float64");
    expect(d.batch_sizes).toBe(p.batch_sizes);
    expect(d.unsorted_indices).toBe(p.unsorted_indices);
    expect(R.invert_permutation(torch.tensor([2, 0, 1], { dtype: "int64" }))!.tolist()).toEqual([1, 2, 0]);
    expect(new R.PackedSequence(p.data, p.batch_sizes, p.sorted_indices).unsorted_indices!.tolist()).toEqual([0, 2, 1]);
  });
});

describe("PyTorch's error messages", () => {
  const r = (...s: number[]) => torch.randn(...s);
  const p = () => R.pack_sequence([r(3, 2), r(2, 2)]);
  const calls: Record<string, () => unknown> = {
    pack_unsorted: () => R.pack_padded_sequence(r(4, 3, 2), [2, 3, 1]),
    pack_zero_length: () => R.pack_padded_sequence(r(4, 3, 2), [3, 2, 0]),
    pack_zero_length_unsorted: () => R.pack_padded_sequence(r(4, 3, 2), [0, 2, 3], { enforce_sorted: false }),
    pack_lengths_count: () => R.pack_padded_sequence(r(4, 3, 2), [3, 2]),
    pack_lengths_2d: () => R.pack_padded_sequence(r(4, 3, 2), torch.tensor([[3, 2, 1]], { dtype: "int64" })),
    pack_empty: () => R.pack_padded_sequence(torch.zeros(0, 3, 2), [3, 2, 1]),
    pack_1d: () => R.pack_padded_sequence(r(4), [3]),
    pack_sequence_unsorted: () => R.pack_sequence([r(2, 2), r(3, 2)]),
    pack_sequence_empty_list: () => R.pack_sequence([]),
    pad_empty_list: () => R.pad_sequence([]),
    pad_padding_side: () => R.pad_sequence([r(3, 2)], { padding_side: "up" as never }),
    pad_not_iterable: () => R.pad_sequence(5 as never),
    pad_packed_total_length: () => R.pad_packed_sequence(p(), { total_length: 2 }),
  };
  for (const [name, call] of Object.entries(calls)) {
    it(name, () => {
      const want: string = fx.errors[name];
      expect(want).toBeTruthy();
      // PyTorch names the Python type ("<class 'int'>"); lrlab the JS one ("int")
      expect(call).toThrow(name === "pad_not_iterable" ? want.replace("<class 'int'>", "int") : want);
    });
  }
});
