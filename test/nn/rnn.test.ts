/**
 * nn.RNN, nn.LSTM, nn.GRU and their cells against real PyTorch (test/fixtures/generate_rnn.py):
 * for each configuration, in float64 (1e-12) and float32 (1e-6, relative to the tensor's scale as
 * in helpers.ts): the outputs and final states, the gradients of the input, the initial state and
 * every parameter, and the parameters after one SGD step; dropout between layers with PyTorch's
 * masks; seeded initialisation bit for bit; PyTorch's error messages and reprs; a seeded LSTM
 * trained with Adam and clip_grad_norm_ (PyTorch's losses, and the loss falls); and the tracer
 * run per parameter over an LSTM.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as torch from "../../kernel/src/index";
import * as lrlab from "../../kernel/src/tools";
import * as nn from "../../kernel/src/nn/index";
import type { Module } from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { manual_seed } from "../../kernel/src/random/index";
import * as F from "../../kernel/src/nn/functional/rnn";
import { expectClose, expectExact, fixture, fromFixture } from "./helpers";
import type { FixtureTensor } from "./helpers";

const fx = fixture("rnn.json");

interface RNNCase {
  name: string;
  cls: "RNN" | "LSTM" | "GRU" | "RNNCell" | "LSTMCell" | "GRUCell";
  args: unknown[];
  kwargs: Record<string, unknown>;
  dtype: "float32" | "float64";
  mode: "train" | "eval";
  seed: number | null;
  state_before: Record<string, FixtureTensor>;
  x: FixtureTensor;
  hx: FixtureTensor[];
  upstream: FixtureTensor[];
  outputs: FixtureTensor[];
  grad_x: FixtureTensor;
  grad_hx: FixtureTensor[];
  param_grads: Record<string, FixtureTensor>;
  params_after_sgd: Record<string, FixtureTensor>;
}

/** Python's `nn.<cls>(*args, **kwargs)` as lrlab's constructor call (keywords as the options object). */
function build(cls: string, args: unknown[], kwargs: Record<string, unknown>): Module {
  const C = (nn as unknown as Record<string, new (...a: unknown[]) => Module>)[cls];
  return new C(...args, kwargs);
}

/** forward's result as PyTorch's flat list: [output, h_n] / [output, h_n, c_n] / [h'] / [h', c']. */
function flatOutputs(cls: string, out: unknown): Tensor[] {
  if (cls === "RNNCell" || cls === "GRUCell") return [out as Tensor];
  if (cls === "LSTMCell") return out as Tensor[];
  if (cls === "LSTM") {
    const [o, [h, c]] = out as [Tensor, [Tensor, Tensor]];
    return [o, h, c];
  }
  return out as Tensor[];
}

function checkCase(c: RNNCase): void {
  const m = build(c.cls, c.args, c.kwargs).to(c.dtype);
  const sd: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.state_before)) sd[k] = fromFixture(v);
  m.load_state_dict(sd);
  if (c.mode === "eval") m.eval();
  const x = fromFixture(c.x, true);
  const hx = c.hx.map((h) => fromFixture(h, true));
  const state = hx.length === 0 ? undefined : c.cls === "LSTM" || c.cls === "LSTMCell" ? [hx[0], hx[1]] : hx[0];
  if (c.seed !== null) manual_seed(c.seed);
  const outs = flatOutputs(c.cls, m.forward(x, state));
  expect(outs.length).toBe(c.outputs.length);
  outs.forEach((o, i) => expectClose(o, c.outputs[i], `${c.name} output ${i}`));
  let loss = outs[0].mul(fromFixture(c.upstream[0])).sum();
  for (let i = 1; i < outs.length; i++) loss = loss.add(outs[i].mul(fromFixture(c.upstream[i])).sum());
  loss.backward();
  expectClose(x.grad, c.grad_x, `${c.name} grad x`);
  hx.forEach((h, i) => expectClose(h.grad, c.grad_hx[i], `${c.name} grad hx[${i}]`));
  const params = Object.fromEntries(m.named_parameters());
  expect(Object.keys(params)).toEqual(Object.keys(c.param_grads));
  for (const [k, g] of Object.entries(c.param_grads)) expectClose(params[k].grad, g, `${c.name} grad ${k}`);
  new torch.optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9, weight_decay: 1e-3 }).step();
  const after = m.state_dict();
  expect(Object.keys(after)).toEqual(Object.keys(c.params_after_sgd));
  for (const [k, v] of Object.entries(c.params_after_sgd)) expectClose(after[k], v, `${c.name} after SGD ${k}`);
}

describe("recurrent layers match PyTorch (outputs, states, gradients, one SGD step)", () => {
  const cases = fx.cases as RNNCase[];
  it("covers every class, in float64 and float32", () => {
    const classes = new Set(cases.map((c) => c.cls));
    expect([...classes].sort()).toEqual(["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNCell"]);
    expect(cases.filter((c) => c.dtype === "float32").length).toBe(cases.length / 2);
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => checkCase(c));
});

describe("seeded initialisation equals PyTorch's", () => {
  it.each(Object.entries(fx.init as Record<string, any>))("%s", (_name, c) => {
    manual_seed(c.seed);
    const m = build(c.cls, c.args, c.kwargs);
    expect(m.named_parameters().map(([n]) => n)).toEqual(c.names);
    const sd = m.state_dict();
    expect(Object.keys(sd)).toEqual(Object.keys(c.state));
    for (const [k, v] of Object.entries(c.state as Record<string, FixtureTensor>)) {
      expect(sd[k].dtype, k).toBe(v.dtype);
      expectExact(sd[k], v, k);
    }
  });

  it("parameters have PyTorch's shapes; all_weights and _flat_weights_names follow PyTorch's order", () => {
    const lstm = new nn.LSTM(3, 6, { num_layers: 2, proj_size: 2, bidirectional: true });
    expect(lstm.weight_ih_l0.shape).toEqual([24, 3]);
    expect(lstm.weight_hh_l0.shape).toEqual([24, 2]);
    expect(lstm.weight_hr_l0.shape).toEqual([2, 6]);
    expect(lstm.weight_ih_l1_reverse.shape).toEqual([24, 4]);
    expect(lstm.all_weights.length).toBe(4);
    expect(lstm.all_weights[1][0]).toBe(lstm.weight_ih_l0_reverse);
    expect(lstm._flat_weights_names.slice(0, 5)).toEqual(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]);
    const cell = new nn.GRUCell(3, 4, false);
    expect(cell.bias_ih).toBeNull();
    expect(cell.weight_hh.shape).toEqual([12, 4]);
    expect(Object.keys(cell.state_dict())).toEqual(["weight_ih", "weight_hh"]);
  });
});

/** The same calls as gen_errors() in generate_rnn.py, by name. */
const z = (...s: number[]) => torch.zeros(s);
const r = (...s: number[]) => torch.randn(s);
const ERRORS: Record<string, () => unknown> = {
  rnn_input_rank: () => new nn.RNN(4, 6).forward(r(4)),
  gru_input_rank: () => new nn.GRU(4, 6).forward(r(2, 3, 4, 5)),
  lstm_input_rank: () => new nn.LSTM(4, 6).forward(r(4)),
  input_size: () => new nn.LSTM(4, 6).forward(r(5, 3, 5)),
  input_dtype: () => new nn.GRU(4, 6).forward(torch.randn([5, 3, 4], { dtype: "float64" })),
  hidden_size: () => new nn.GRU(4, 6).forward(r(5, 3, 4), z(2, 3, 6)),
  hidden_batch_first: () => new nn.RNN(4, 6, { batch_first: true }).forward(r(3, 5, 4), z(1, 5, 6)),
  hidden_bidir: () => new nn.RNN(4, 6, { bidirectional: true }).forward(r(5, 3, 4), z(1, 3, 6)),
  hidden_rank_batched: () => new nn.RNN(4, 6).forward(r(2, 3, 4), z(6)),
  hidden_rank_unbatched: () => new nn.RNN(4, 6).forward(r(3, 4), z(1, 3, 6)),
  hidden_unbatched_size: () => new nn.RNN(4, 6).forward(r(3, 4), z(1, 7)),
  lstm_h0_size: () => new nn.LSTM(4, 6).forward(r(5, 3, 4), [z(1, 2, 6), z(1, 3, 6)]),
  lstm_c0_size: () => new nn.LSTM(4, 6).forward(r(5, 3, 4), [z(1, 3, 6), z(1, 3, 5)]),
  lstm_proj_h0_size: () => new nn.LSTM(4, 6, { proj_size: 2 }).forward(r(5, 3, 4), [z(1, 3, 6), z(1, 3, 6)]),
  lstm_hx_rank_batched: () => new nn.LSTM(4, 6).forward(r(5, 3, 4), [z(3, 6), z(1, 3, 6)]),
  lstm_hx_rank_unbatched: () => new nn.LSTM(4, 6).forward(r(5, 4), [z(1, 6), z(1, 1, 6)]),
  nonlinearity: () => new nn.RNN(4, 6, { nonlinearity: "sigmoid" as never }),
  proj_size_gru: () => new nn.GRU(4, 6, { proj_size: 2 } as never),
  proj_size_too_large: () => new nn.LSTM(4, 6, { proj_size: 6 }),
  proj_size_negative: () => new nn.LSTM(4, 6, { proj_size: -1 }),
  dropout_range: () => new nn.LSTM(4, 6, { dropout: 1.5 }),
  hidden_size_zero: () => new nn.LSTM(4, 0),
  input_size_zero: () => new nn.GRU(0, 3),
  num_layers_zero: () => new nn.LSTM(4, 6, { num_layers: 0 }),
  hidden_size_float: () => new nn.RNN(4, 2.5),
  cell_input_rank: () => new nn.RNNCell(4, 6).forward(r(2, 3, 4)),
  cell_hidden_rank: () => new nn.GRUCell(4, 6).forward(r(3, 4), z(1, 3, 6)),
  lstmcell_hx_rank: () => new nn.LSTMCell(4, 6).forward(r(3, 4), [z(3, 6), z(1, 3, 6)]),
  cell_input_size: () => new nn.RNNCell(4, 6).forward(r(3, 5)),
  cell_batch: () => new nn.GRUCell(4, 6).forward(r(3, 4), z(2, 6)),
  cell_hidden_size: () => new nn.RNNCell(4, 6).forward(r(3, 4), z(3, 5)),
  lstmcell_c_size: () => new nn.LSTMCell(4, 6).forward(r(3, 4), [z(3, 6), z(3, 5)]),
  lstmcell_c_batch: () => new nn.LSTMCell(4, 6).forward(r(3, 4), [z(3, 6), z(2, 6)]),
  cell_nonlinearity: () => new nn.RNNCell(4, 6, { nonlinearity: "gelu" as never }).forward(r(3, 4)),
  cell_input_dtype: () => new nn.GRUCell(4, 6).forward(torch.randn([3, 4], { dtype: "float64" })),
  hx_dtype: () => new nn.GRU(4, 6).forward(r(5, 3, 4), torch.zeros([1, 3, 6], { dtype: "float64" })),
};

describe("errors and warnings with PyTorch's messages", () => {
  afterEach(() => vi.restoreAllMocks());
  const messages = fx.errors as Record<string, string>;
  it("has a call for every message", () => {
    expect(Object.keys(ERRORS).sort()).toEqual(Object.keys(messages).filter((k) => k !== "dropout_warning").sort());
  });
  it.each(Object.entries(ERRORS))("%s", (name, f) => {
    expect(f).toThrow(messages[name]);
    let msg = "";
    try {
      f();
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe(messages[name]);
  });
  it("dropout with one layer warns as PyTorch", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    new nn.LSTM(4, 6, { dropout: 0.5 });
    expect(warn).toHaveBeenCalledWith(`UserWarning: ${fx.errors.dropout_warning}`);
  });
  it("options: positional in Python's order, unknown keywords and types named", () => {
    const a = new nn.RNN(3, 4, 2, "relu", false, true, 0, true);
    expect([a.num_layers, a.nonlinearity, a.bias, a.batch_first, a.bidirectional]).toEqual([2, "relu", false, true, true]);
    const b = new nn.LSTM(3, 4, 1, true, false, 0, false, 2);
    expect(b.proj_size).toBe(2);
    expect(new nn.RNNCell(3, 4, true, "relu").nonlinearity).toBe("relu");
    expect(() => new nn.LSTM(3, 4, { num_layer: 2 } as never)).toThrow(/LSTM\(\) got an unexpected keyword argument 'num_layer'.*did you mean 'num_layers'\?/);
    expect(() => new nn.GRU(3, 4, { batch_first: 1 } as never)).toThrow("GRU(): argument 'batch_first' must be a boolean, not number");
    expect(() => new nn.RNN(3, 4, 1, "relu", { nonlinearity: "tanh" } as never)).toThrow("RNN() got multiple values for argument 'nonlinearity'");
    expect(() => new nn.LSTM(3, 4, { device: "cuda" })).toThrow(/lrlab runs on the CPU/);
    expect(() => new nn.LSTM(3, 4).forward(r(5, 2, 3), [z(1, 2, 4), torch.zeros([1, 2, 4], { dtype: "float64" })]))
      .toThrow("LSTM: h_0 and c_0 must have the input's dtype (torch.float32), got torch.float32 and torch.float64");
    // PyTorch's message (RuntimeError) for an empty sequence
    expect(() => new nn.GRU(3, 4).forward(r(0, 2, 3))).toThrow("Expected sequence length to be larger than 0 in RNN");
    expect(() => new nn.LSTM(3, 4).forward(r(5, 2, 3), z(1, 2, 4) as never)).toThrow("LSTM: hx must be a pair [h_0, c_0] of tensors (PyTorch's tuple)");
  });
});

describe("reprs", () => {
  it("print as PyTorch's", () => {
    const reprs = fx.reprs as Record<string, string>;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const mods: Record<string, Module> = {
      lstm: new nn.LSTM(10, 20, { num_layers: 2, batch_first: true }),
      lstm_all: new nn.LSTM(10, 20, { num_layers: 2, bias: false, batch_first: true, dropout: 0.25, bidirectional: true, proj_size: 5 }),
      rnn_relu: new nn.RNN(10, 20, { nonlinearity: "relu" }),
      gru: new nn.GRU(3, 4, 3, { dropout: 0.5 }),
      rnncell_relu: new nn.RNNCell(3, 4, { bias: false, nonlinearity: "relu" }),
      lstmcell: new nn.LSTMCell(3, 4),
      grucell: new nn.GRUCell(3, 4, false),
      seq: new nn.Sequential(new nn.LSTM(3, 4)),
    };
    warn.mockRestore();
    expect(Object.keys(mods).sort()).toEqual(Object.keys(reprs).sort());
    for (const [k, m] of Object.entries(mods)) expect(String(m), k).toBe(reprs[k]);
  });
});

describe("training", () => {
  it.each((fx.training as any[]).map((run) => [run.dtype, run] as [string, any]))(
    "%s: LSTM + Linear, Adam and clip_grad_norm_ on a toy sequence task: PyTorch's losses, and the loss falls",
    (_d, run) => {
      const dtype = run.dtype as "float32" | "float64";
      torch.manual_seed(0);
      const lstm = new nn.LSTM(1, 12, { batch_first: true }).to(dtype);
      const head = new nn.Linear(12, 1).to(dtype);
      const x = fromFixture(run.x);
      const y = x.select(1, 0).add(x.select(1, 1)); // the sum of the first two numbers: [16, 1]
      const params = [...lstm.parameters(), ...head.parameters()];
      const opt = new torch.optim.Adam(params, { lr: 0.02 });
      const losses: number[] = [];
      for (let step = 0; step < run.losses.length; step++) {
        opt.zero_grad();
        const [out] = lstm.forward(x);
        const loss = torch.nn.functional.mse_loss(head.forward(out.select(1, -1)), y);
        loss.backward();
        torch.nn.utils.clip_grad_norm_(params, 1.0);
        opt.step();
        losses.push(loss.item());
      }
      // float32's rounding differences compound over 40 steps (8e-6 measured at the last); float64 1e-12 as everywhere
      const rtol = dtype === "float32" ? 5e-5 : 1e-12;
      losses.forEach((l, i) => expect(Math.abs(l - run.losses[i]), `loss ${i}`).toBeLessThanOrEqual(rtol * Math.abs(run.losses[i])));
      expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 5);
    },
  );
});

describe("the tracer traces an LSTM per parameter", () => {
  it("lrlab.trace(optimizer, { per_param: true }) names every LSTM parameter", () => {
    torch.manual_seed(1);
    class Net extends nn.Module {
      lstm = new nn.LSTM(2, 8, { num_layers: 2, batch_first: true });
      head = new nn.Linear(8, 1);
      override forward(x: Tensor): Tensor {
        const [out] = this.lstm.forward(x);
        return this.head.forward(out.select(1, -1));
      }
    }
    const model = new Net();
    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
    const t = lrlab.trace(opt, { per_param: true, named_parameters: model.named_parameters(), batch_size: 4 });
    const x = torch.randn([4, 5, 2]);
    const y = torch.randn([4, 1]);
    for (let step = 0; step < 3; step++) {
      opt.zero_grad();
      const loss = torch.nn.functional.mse_loss(model.forward(x), y);
      loss.backward();
      opt.step();
    }
    t.stop();
    expect(t.errors).toEqual([]);
    const names = model.named_parameters().map(([n]) => n);
    expect(names).toContain("lstm.weight_hh_l1");
    expect(t.param_names()).toEqual(names);
    for (const n of names) {
      const m = t.latest_param(n);
      expect(m, n).not.toBeNull();
      expect(m!.step).toBe(2);
      expect(m!.lr_preconditioned, n).not.toBeNull();
      expect(t.series("update_ratio", 0, n)!.steps).toBe(3);
    }
  });
});

/**
 * The fused step ops of functional/rnn.ts against the same step composed from the library's own
 * ops (as the recurrences were written before they were fused): the forward bit for bit (every
 * intermediate is rounded as the separate ops round it), the gradients of gi, gh and the state to
 * rounding, with gi both one step [N, G·H] and a block `step` of all steps [L, N, G·H] (whose
 * gradient then lands in that block only).
 */
describe("fused LSTM / GRU / Elman steps equal the composed ops", () => {
  const N = 3, H = 5, L = 4, step = 2;
  type Composed = (gi: Tensor, gh: Tensor, s: Tensor) => Tensor;
  const composed: Record<string, [number, Composed]> = {
    LSTM: [4, (gi, gh, c) => {
      const [i, f, g, o] = gh.add(gi).chunk(4, 1);
      const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
      return torch.stack([o.sigmoid().mul(c2.tanh()), c2], 0);
    }],
    GRU: [3, (gi, gh, h) => {
      const [ir, iz, inn] = gi.chunk(3, 1);
      const [hr, hz, hn] = gh.chunk(3, 1);
      const r = hr.add(ir).sigmoid();
      const z = hz.add(iz).sigmoid();
      const n = inn.add(hn.mul(r)).tanh();
      return h.sub(n).mul(z).add(n);
    }],
    RNN_TANH: [1, (gi, gh) => gh.add(gi).tanh()],
    RNN_RELU: [1, (gi, gh) => gh.add(gi).relu()],
  };
  const fused = (mode: string, gi: Tensor, t: number, gh: Tensor, s: Tensor): Tensor =>
    mode === "LSTM" ? F.lstmPointwise(gi, t, gh, s) : mode === "GRU" ? F.gruPointwise(gi, t, gh, s) : F.rnnPointwise(mode as "RNN_TANH", gi, t, gh);

  for (const dtype of ["float32", "float64"] as const) {
    for (const [mode, [G, compose]] of Object.entries(composed)) {
      for (const all of [false, true]) {
        it(`${mode} ${dtype}, gi ${all ? "[L, N, G·H], one block" : "[N, G·H]"}`, () => {
          const gi = torch.randn(all ? [L, N, G * H] : [N, G * H], { dtype }).mul(2).requires_grad_();
          const gh = torch.randn([N, G * H], { dtype }).mul(2).requires_grad_();
          const s = torch.randn([N, H], { dtype }).requires_grad_();
          const up = torch.randn(mode === "LSTM" ? [2, N, H] : [N, H], { dtype });
          const giStep = all ? gi.select(0, step) : gi;
          const want = compose(giStep, gh, s);
          const got = fused(mode, gi, all ? step : 0, gh, s);
          expect(Array.from(got.data)).toEqual(Array.from(want.data));
          const [wgi, wgh, ws] = torch.autograd.grad(want.mul(up).sum(), [gi, gh, s], { allow_unused: true });
          const [ggi, ggh, gs] = torch.autograd.grad(got.mul(up).sum(), [gi, gh, s], { allow_unused: true });
          const tol = dtype === "float32" ? 1e-6 : 1e-14;
          for (const [a, b] of [[ggi, wgi], [ggh, wgh]] as const) {
            expect(a!.shape).toEqual(b!.shape);
            a!.data.forEach((v, k) => expect(Math.abs(v - b!.data[k])).toBeLessThanOrEqual(tol * (1 + Math.abs(b!.data[k]))));
          }
          if (all) gi.data.forEach((_, k) => { if (Math.floor(k / (N * G * H)) !== step) expect(ggi!.data[k]).toBe(0); });
          if (mode === "LSTM" || mode === "GRU") s.data.forEach((_, k) => expect(Math.abs(gs!.data[k] - ws!.data[k])).toBeLessThanOrEqual(tol * (1 + Math.abs(ws!.data[k]))));
          else expect(gs).toBeNull();
        });
      }
    }
  }

  it("a step outside gi's steps is refused", () => {
    const gi = torch.randn([L, N, 4 * H]);
    expect(() => F.lstmPointwise(gi, L, torch.randn([N, 4 * H]), torch.randn([N, H]))).toThrow(/step 4 is outside/);
    expect(() => F.gruPointwise(torch.randn([N, 3 * H]), 1, torch.randn([N, 3 * H]), torch.randn([N, H]))).toThrow(/step 1 is outside/);
  });
});

describe("hidden weights' gradients, taken once per sequence", () => {
  it("are the same with some hidden weights frozen, and the frozen ones get none", () => {
    manual_seed(0);
    const m = new nn.LSTM(3, 4, { num_layers: 2, bidirectional: true, dtype: "float64" });
    const x = torch.randn([5, 2, 3], { dtype: "float64", requires_grad: true });
    const run = (): Tensor[] => {
      m.zero_grad();
      x.grad = null;
      m.forward(x)[0].pow(2).sum().backward();
      return [x.grad!, ...m.parameters().map((p) => p.grad!)];
    };
    const full = run().map((g) => g.clone());
    m.weight_hh_l0.requires_grad_(false);
    m.bias_hh_l1_reverse.requires_grad_(false);
    const part = run();
    expect(m.weight_hh_l0.grad).toBeNull();
    expect(m.bias_hh_l1_reverse.grad).toBeNull();
    part.forEach((g, i) => { if (g) expect(Array.from(g.data)).toEqual(Array.from(full[i].data)); });
  });

  it("a hook on W_hh runs once per backward, with the whole sequence's gradient", () => {
    manual_seed(1);
    const m = new nn.GRU(3, 4, { dtype: "float64" });
    const seen: Tensor[] = [];
    m.weight_hh_l0.register_hook((g) => void seen.push(g.clone()));
    m.forward(torch.randn([6, 2, 3], { dtype: "float64" }))[0].sum().backward();
    expect(seen.length).toBe(1);
    expect(Array.from(seen[0].data)).toEqual(Array.from(m.weight_hh_l0.grad!.data));
  });
});
