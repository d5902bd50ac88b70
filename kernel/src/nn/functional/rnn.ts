/**
 * The recurrences behind nn.RNN, nn.LSTM, nn.GRU and their cells (modules/rnn.ts): one time step
 * of each cell, and the loop over layers, directions and time steps. PyTorch 2.13's equations,
 * gate order and order of operations.
 *
 * One step, for x [N, H_in], h [N, H] (W·x + b is F.linear; PyTorch's "ih" and "hh" terms):
 *   RNN   h' = act(W_hh h + b_hh + W_ih x + b_ih)                 act = tanh or relu
 *   LSTM  i, f, g, o = chunk₄(W_hh h + b_hh + W_ih x + b_ih)       (gate order i, f, g, o)
 *         c' = σ(f)·c + σ(i)·tanh(g)    h' = σ(o)·tanh(c')    (proj_size > 0: h' = W_hr h')
 *   GRU   r, z, n chunks of gi = W_ih x + b_ih and gh = W_hh h + b_hh   (gate order r, z, n)
 *         r = σ(gh_r + gi_r)   z = σ(gh_z + gi_z)   n = tanh(gi_n + r·gh_n)   (b_hn inside r·(...))
 *         h' = (h − n)·z + n                     (= (1 − z)·n + z·h, in PyTorch's order of ops)
 * The two products are F.linear's (in the layer loop, the hidden one with its weight gradient taken
 * once per sequence: hiddenTerms); everything after them is one fused op per step (rnnPointwise,
 * lstmPointwise, gruPointwise; PyTorch has such ops for CUDA: _thnn_fused_lstm_cell,
 * _thnn_fused_gru_cell), with its derivative written out. Composed of a dozen element-wise ops
 * (each allocating its result, with as many graph nodes and gradient sums), that part was most of
 * a step's time; fused, it is one loop forward and one backward. The forward stores every
 * intermediate in the dtype before using it (a Float32Array store rounds), so it gives the
 * separate ops' results bit for bit; the backward is checked against PyTorch's gradients in
 * float64 to 1e-12 (test/nn/rnn.test.ts).
 *
 * Layers: layer 0 reads the input, layer l > 0 the outputs of layer l − 1 (both directions'
 * concatenated), after dropout(p) in training mode, as PyTorch (no dropout after the last layer;
 * one draw over the [L, N, D·H] layer output, as PyTorch, so a seeded run masks as PyTorch's).
 * The reverse direction reads the time steps last to first and writes its outputs back at their
 * own time step. Time-major throughout: the modules transpose batch_first input.
 *
 * As PyTorch's CPU path does, a layer's input term W_ih x + b_ih is computed for all time steps
 * at once, one [L·N, H_in] × [H_in, G·H] product (and one in backward) instead of L small ones;
 * only W_hh h + b_hh has to wait for the previous step. Each element is the same dot product
 * either way; the weight and bias gradients are then sums over all L·N rows at once. Each step's
 * fused op reads its block of that [L, N, G·H] tensor in place and gives its gradient as a
 * SliceGrad (tensor/slice_grad.ts), which autograd adds into one buffer: no per-step copies.
 *
 * Packed sequences (torch.nn.utils.rnn.PackedSequence; `packedRecurrence`): the input is the packed
 * data [Σ batch_sizes, H_in], step t being batch_sizes[t] rows (the longest sequences first), and
 * the state shrinks as sequences end. The forward direction runs t = 0, 1, ... and keeps each
 * sequence's state when it ends (its h_n and c_n); the reverse runs t = T − 1, ..., 0 and starts
 * each sequence from its own h_0 row at its own last step, as PyTorch does. The same fused steps
 * and hiddenTerms (with batch_sizes[t] rows at step t); each step's rows of the input terms are
 * taken by narrow (a copy), and the state's rows by narrow and cat where sequences end or start.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { cat, stack } from "../../tensor/views";
import { narrow, select } from "../../tensor/indexing";
import { attach, fresh_grad, needs_grad } from "../../tensor/autograd";
import { bump_version, saves } from "../../tensor/version";
import type { SaveSpec } from "../../tensor/version";
import { gemm } from "../../tensor/gemm";
import { SliceGrad } from "../../tensor/slice_grad";
import { contiguous_strides } from "../../tensor/shape";
import { columnSums, linear, torchName } from "./linear";
import { dropout } from "./dropout";
import { wasm_transcendental, wasm_transcendental_rows } from "../../tensor/wasm/transcendental";

/** PyTorch's names of the four recurrences (RNNBase.mode). */
export type RNNMode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

/** The weights of one layer and direction (or of a cell): PyTorch's w_ih, w_hh, b_ih, b_hh, w_hr. */
export interface CellWeights {
  w_ih: Tensor;
  w_hh: Tensor;
  b_ih: Tensor | null;
  b_hh: Tensor | null;
  /** LSTM with proj_size > 0 only: the projection [proj_size, hidden_size]. */
  w_hr: Tensor | null;
}

/** The recurrent state: h, and the cell state c for an LSTM (null otherwise). */
export interface CellState {
  h: Tensor;
  c: Tensor | null;
}

/** How many gate blocks of hidden_size rows W_ih and W_hh stack (PyTorch's num_chunks). */
export function gateCount(mode: RNNMode): number {
  return mode === "LSTM" ? 4 : mode === "GRU" ? 3 : 1;
}

/** One time step: input x [N, H_in] and state → the next state (see the equations above). */
export function cellStep(mode: RNNMode, x: Tensor, state: CellState, w: CellWeights): CellState {
  return gatesStep(mode, linear(x, w.w_ih, w.b_ih), 0, linear(state.h, w.w_hh, w.b_hh), state, w.w_hr);
}

/**
 * One time step from its input terms gi = W_ih x + b_ih and hidden terms gh = W_hh h + b_hh [N, G·H]:
 * gi is [N, G·H] (step = 0), or [L, N, G·H] for all time steps (computed at once by `recurrence`),
 * of which the step reads block `step`. `w_hr`: the LSTM's projection, if any.
 */
export function gatesStep(mode: RNNMode, gi: Tensor, step: number, gh: Tensor, state: CellState, w_hr: Tensor | null, layer_saves?: readonly (Tensor | null)[]): CellState {
  switch (mode) {
    case "RNN_TANH":
    case "RNN_RELU":
      return { h: rnnPointwise(mode, gi, step, gh), c: null };
    case "LSTM": {
      const hc = lstmPointwise(gi, step, gh, state.c!, layer_saves);
      let h = select(hc, 0, 0);
      if (w_hr !== null) h = linear(h, w_hr);
      // PyTorch's c' is σ(f)·c, then add_(σ(i)·tanh(g)): one in-place write, its version 1 (a
      // counter of its own: h', which shares hc's storage here, is at 0 as PyTorch's)
      const c = select(hc, 0, 1);
      c._vc = null;
      bump_version(c);
      return { h, c };
    }
    case "GRU":
      return { h: gruPointwise(gi, step, gh, state.h), c: null };
  }
}

// What PyTorch's cells save of what a user holds (its CPU cells are composite ops; the products'
// saves are F.linear's): an Elman cell's tanh / relu saves its result, the new state; the LSTM's
// σ(f)·c saves the cell state c when the gates need gradients. The GRU's only read of its state,
// (h − n)·z, saves that difference, an intermediate: gruPointwise keeps its own copy.
const RESULT_SAVES = saves("out");
const LSTM_SAVES = saves("2 if 0 1");
// The layers' hidden products read W_hh in backward: PyTorch's Elman and GRU layers (composite)
// save W_hhᵀ for h's gradient, as F.linear; its LSTM layer (one fused CPU node) saves W_hh itself.
const HIDDEN_SAVES = saves("x0 if 0 as t");
const LSTM_HIDDEN_SAVES = saves("x0");
// ... and h for W_hh's gradient (F.linear's mat1), so an in-place change of h_0 is PyTorch's error
const HIDDEN_SAVES_H = saves("0, x0 if 0 as t");
// PyTorch's LSTM layer on the CPU is one node per layer and direction (mkldnn_rnn_layer) saving,
// whenever it is recorded, the layer's input, W_ih, W_hh, b_ih, b_hh, h_0 and c_0 (extras 0-6,
// given by `recurrence` to the direction's first step: its backward runs after the direction's
// other steps and before the input product's, whichever outputs the loss reads).
const LSTM_LAYER_SAVES: SaveSpec = [...LSTM_SAVES, ...saves("x0, x1, x2, x3, x4, x5, x6")];

/** σ(x) = 1 / (1 + e^−x), as tensor/activation.ts's sigmoid (e^−x = ∞ for x < −709 still gives 0). */
function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Records `out` as a fused step's result. gi's gradient is `dgi` [N, G·H] placed at block `step`
 * of gi (as a SliceGrad when gi holds several steps); gh's and the state's are tensors.
 */
function recordStep(
  out: Tensor, name: string, gi: Tensor, step: number, gh: Tensor, state: Tensor | null,
  backward: (grad: Tensor, need: boolean[]) => [Tensor | null, Tensor | null, Tensor | null],
  saved?: SaveSpec, extra?: readonly unknown[],
): Tensor {
  return attach(out, name, [gi, gh, state], (grad, need) => {
    const [dgi, dgh, dstate] = backward(grad, need);
    if (dgi === null || gi.dim() === 2) return [dgi, dgh, dstate];
    const block = dgi.data.length;
    return [new SliceGrad(dgi, gi.shape, step * block, contiguous_strides(gi.shape).slice(1)), dgh, dstate];
  }, true, saved, extra);
}

/** The offset of block `step` of gi ([N, G·H], or [L, N, G·H] for all steps) in its storage. */
function blockOffset(gi: Tensor, step: number, N: number, G: number): number {
  if (gi.dim() === 2 ? step !== 0 : step < 0 || step >= gi.shape[0]) throw new RangeError(`step ${step} is outside the input terms [${gi.shape.join(", ")}]`);
  return step * N * G;
}

/**
 * The element-wise part of an Elman step, one op: h' = act(gh + gi) for the [N, H] block `step` of
 * gi, with act tanh or relu (NaN kept, as tensor/activation.ts). Backward: dgi = dgh =
 * dh'·(1 − h'²) for tanh, dh'·[h' > 0] for relu.
 */
export function rnnPointwise(mode: "RNN_TANH" | "RNN_RELU", gi: Tensor, step: number, gh: Tensor): Tensor {
  const [N, H] = gh.shape;
  const dtype = gh.dtype;
  const o = blockOffset(gi, step, N, H);
  const a = gi.data;
  const b = gh.data;
  const y = storageFor(dtype, N * H);
  const tanh = mode === "RNN_TANH";
  for (let j = 0; j < y.length; j++) y[j] = b[j] + a[o + j];
  // tanh: the same bits from WebAssembly SIMD for large blocks (tensor/wasm/transcendental.ts)
  if (tanh) {
    if (!wasm_transcendental("tanh", y, 0, y, 0, y.length)) for (let j = 0; j < y.length; j++) y[j] = Math.tanh(y[j]);
  } else for (let j = 0; j < y.length; j++) y[j] = y[j] > 0 ? y[j] : y[j] !== y[j] ? y[j] : 0;
  const out = new Tensor(y, gh.shape, dtype);
  return recordStep(out, tanh ? "TanhBackward0" : "ReluBackward0", gi, step, gh, null, (grad) => {
    const g = grad.data;
    const d = storageFor(dtype, N * H);
    if (tanh) for (let j = 0; j < d.length; j++) d[j] = g[j] * (1 - y[j] * y[j]);
    else for (let j = 0; j < d.length; j++) d[j] = y[j] > 0 ? g[j] : 0;
    const dg = new Tensor(d, gh.shape, dtype);
    return [dg, dg, null];
  }, RESULT_SAVES);
}

/**
 * The element-wise part of an LSTM step, one op: from the gate terms (block `step` of gi, and gh
 * [N, 4H]) and the cell state c [N, H], the new state as one tensor [2, N, H] (h' then c';
 * `gatesStep` selects them):
 *   i, f, g, o = gh + gi (blocks of H columns)    c' = σ(f)·c + σ(i)·tanh(g)    h' = σ(o)·tanh(c')
 * Backward, from the output's gradient (dh', dc'):
 *   dc'' = dc' + dh'·σ(o)·(1 − tanh²(c'))          dc = dc''·σ(f)
 *   di = dc''·tanh(g)·σ(i)(1 − σ(i))    df = dc''·c·σ(f)(1 − σ(f))
 *   dg = dc''·σ(i)·(1 − tanh²(g))       do = dh'·tanh(c')·σ(o)(1 − σ(o))
 * and gi and gh both get [di, df, dg, do].
 */
export function lstmPointwise(gi: Tensor, step: number, gh: Tensor, c: Tensor, layer_saves?: readonly (Tensor | null)[]): Tensor {
  const [N, G] = gh.shape;
  const H = G / 4;
  const NH = N * H;
  const dtype = gh.dtype;
  const o = blockOffset(gi, step, N, G);
  const a = gi.data;
  const b = gh.data;
  const cd = c.data;
  // Every value is stored before it is used (rounded as each separate op's result was), in
  // PyTorch's order: σ(f)·c + σ(i)·tanh(g), then σ(o)·tanh(c').
  const act = storageFor(dtype, N * G); // σ(i), σ(f), tanh(g), σ(o) per row, saved for backward
  const hc = storageFor(dtype, 2 * NH); // h' then c'
  const tc = storageFor(dtype, NH); // tanh(c'), saved for backward
  // The sigmoids and tanhs run over whole blocks (WebAssembly SIMD when large enough, the same bits
  // as Math.exp / Math.tanh: tensor/wasm/transcendental.ts); each element's operations are unchanged.
  for (let j = 0; j < N * G; j++) act[j] = b[j] + a[o + j];
  if (!wasm_transcendental_rows(act, N, G, [["sigmoid", 0, 2 * H], ["tanh", 2 * H, H], ["sigmoid", 3 * H, H]])) {
    for (let n = 0; n < N; n++) {
      const row = n * G;
      for (let j = row; j < row + 2 * H; j++) act[j] = sigmoid(act[j]);
      for (let j = row + 2 * H; j < row + 3 * H; j++) act[j] = Math.tanh(act[j]);
      for (let j = row + 3 * H; j < row + G; j++) act[j] = sigmoid(act[j]);
    }
  }
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const p = n * G + j;
      const q = n * H + j;
      hc[NH + q] = act[p + H] * cd[q];
      tc[q] = act[p] * act[p + 2 * H]; // (tc holds σ(i)·tanh(g) until the next line)
      hc[NH + q] += tc[q];
    }
  }
  if (!wasm_transcendental("tanh", hc, NH, tc, 0, NH)) for (let q = 0; q < NH; q++) tc[q] = Math.tanh(hc[NH + q]);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const q = n * H + j;
      hc[q] = act[n * G + j + 3 * H] * tc[q];
    }
  }
  const out = new Tensor(hc, [2, N, H], dtype);
  return recordStep(out, "ThnnFusedLstmCellBackward0", gi, step, gh, c, (grad, need) => {
    const gd = grad.data;
    const dg = storageFor(dtype, N * G);
    const dc = need[2] ? storageFor(dtype, NH) : null;
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < H; j++) {
        const p = n * G + j;
        const q = n * H + j;
        const si = act[p];
        const sf = act[p + H];
        const tg = act[p + 2 * H];
        const so = act[p + 3 * H];
        const t = tc[q];
        const dh = gd[q];
        const dcc = gd[NH + q] + dh * so * (1 - t * t);
        dg[p] = dcc * tg * si * (1 - si);
        dg[p + H] = dcc * cd[q] * sf * (1 - sf);
        dg[p + 2 * H] = dcc * si * (1 - tg * tg);
        dg[p + 3 * H] = dh * t * so * (1 - so);
        if (dc !== null) dc[q] = dcc * sf;
      }
    }
    const dgates = new Tensor(dg, gh.shape, dtype);
    return [dgates, dgates, dc === null ? null : new Tensor(dc, c.shape, dtype)];
  }, layer_saves === undefined ? LSTM_SAVES : LSTM_LAYER_SAVES, layer_saves);
}

/**
 * The element-wise part of a GRU step, one op: from the gate terms (block `step` of gi, and gh
 * [N, 3H]) and the state h [N, H], the new state h' [N, H]:
 *   r = σ(gh_r + gi_r)   z = σ(gh_z + gi_z)   n = tanh(gi_n + gh_n·r)   h' = (h − n)·z + n
 * Backward, from dh':
 *   dn' = dh'·(1 − z)·(1 − n²)    dh = dh'·z
 *   dr = dn'·gh_n·r(1 − r)        dz = dh'·(h − n)·z(1 − z)
 * gi gets [dr, dz, dn'] and gh [dr, dz, dn'·r].
 */
export function gruPointwise(gi: Tensor, step: number, gh: Tensor, h: Tensor): Tensor {
  const [N, G] = gh.shape;
  const H = G / 3;
  const dtype = gh.dtype;
  const o = blockOffset(gi, step, N, G);
  const a = gi.data;
  const b = gh.data;
  const hd = h.data;
  // Stored before use, in PyTorch's order (see lstmPointwise).
  // r, z, n per row, then h − n per element (h may be changed in place by backward), saved for backward
  const saved = storageFor(dtype, N * G + N * H);
  const act = saved.subarray(0, N * G);
  const hn = saved.subarray(N * G);
  const y = storageFor(dtype, N * H);
  // Sigmoids and tanhs over whole blocks, WebAssembly SIMD when large (see lstmPointwise).
  for (let n = 0; n < N; n++) {
    const row = n * G;
    for (let j = row; j < row + 2 * H; j++) act[j] = b[j] + a[o + j];
  }
  const wasm = wasm_transcendental_rows(act, N, G, [["sigmoid", 0, 2 * H]]);
  for (let n = 0; n < N; n++) {
    const row = n * G;
    if (!wasm) for (let j = row; j < row + 2 * H; j++) act[j] = sigmoid(act[j]);
    for (let j = 0; j < H; j++) {
      const p = row + 2 * H + j;
      act[p] = b[p] * act[row + j];
      act[p] = a[o + p] + act[p];
    }
  }
  if (!wasm_transcendental_rows(act, N, G, [["tanh", 2 * H, H]])) {
    for (let n = 0; n < N; n++) for (let p = n * G + 2 * H; p < n * G + 3 * H; p++) act[p] = Math.tanh(act[p]);
  }
  for (let n = 0; n < N; n++) {
    const row = n * G;
    for (let j = 0; j < H; j++) {
      const p = row + 2 * H + j;
      const q = n * H + j;
      hn[q] = hd[q] - act[p];
      y[q] = hn[q] * act[row + H + j];
      y[q] = y[q] + act[p];
    }
  }
  const out = new Tensor(y, h.shape, dtype);
  recordStep(out, "ThnnFusedGruCellBackward0", gi, step, gh, h, (grad, need) => {
    const gd = grad.data;
    const dgi = storageFor(dtype, N * G);
    const dgh = storageFor(dtype, N * G);
    const dh = need[2] ? storageFor(dtype, N * H) : null;
    for (let n = 0; n < N; n++) {
      const row = n * G;
      for (let j = 0; j < H; j++) {
        const p = row + 2 * H + j;
        const q = n * H + j;
        const r = act[row + j];
        const z = act[row + H + j];
        const nn = act[p];
        const g = gd[q];
        const dn = g * (1 - z) * (1 - nn * nn);
        const dr = dn * b[p] * r * (1 - r);
        const dz = g * hn[q] * z * (1 - z);
        dgi[row + j] = dr;
        dgh[row + j] = dr;
        dgi[row + H + j] = dz;
        dgh[row + H + j] = dz;
        dgi[p] = dn;
        dgh[p] = dn * r;
        if (dh !== null) dh[q] = g * z;
      }
    }
    return [new Tensor(dgi, gh.shape, dtype), new Tensor(dgh, gh.shape, dtype), dh === null ? null : new Tensor(dh, h.shape, dtype)];
  });
  // PyTorch's h' is (h − n).mul_(z).add_(n): two in-place writes, its version 2
  bump_version(out, 2);
  return out;
}

/**
 * The hidden terms gh_t = h_{t−1}·W_hhᵀ + b_hh [N_t, G·H] of one layer and direction, one step at
 * a time (`hidden(h, t)` for time step t, whose h has rows[t] rows: N every step for a padded
 * batch, batch_sizes[t] for a packed one), with the gradients of W_hh and b_hh taken once for the
 * whole sequence, as cuDNN does, instead of once per step: each step's node passes dgh_t on to
 * h_{t−1} (dgh_t·W_hh, as F.linear) and drops dgh_t, as a SliceGrad, into its rows (from
 * Σ_{s<t} rows[s]) of `collector` [Σ rows, G·H], a tensor whose values (zeros) nobody reads; the
 * collector's node, which runs once every step's has, computes dW_hh = Σ_t dgh_tᵀ·h_{t−1} as one
 * [G·H, Σ rows] × [Σ rows, H] product and db_hh as one sum over those rows. Per step that saves a
 * product with only N_t rows, a gradient the size of W_hh and its addition into W_hh.grad. The
 * forward is F.linear's product, bit for bit.
 */
function hiddenTerms(w_hh: Tensor, b_hh: Tensor | null, rows: readonly number[], saved: SaveSpec): (h: Tensor, t: number) => Tensor {
  const [G, Hh] = w_hh.shape;
  const dtype = w_hh.dtype;
  const w = w_hh.data;
  const L = rows.length;
  const first: number[] = new Array(L); // the collector's first row of each step
  let total = 0;
  for (let t = 0; t < L; t++) {
    first[t] = total;
    total += rows[t];
  }
  const prev: Tensor[] = new Array(L); // h_{t−1} of time step t
  // (Only when W_hh or b_hh needs a gradient. Its values are never read nor written.)
  const collector = !needs_grad(w_hh, b_hh) ? null : attach(new Tensor(storageFor(dtype, total * G), [total, G], dtype), "AddmmBackward0", [w_hh, b_hh], (g, need) => {
    const dg = g.data;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (need[0]) {
      const hs = storageFor(dtype, total * Hh);
      for (let t = 0; t < L; t++) hs.set(prev[t].data, first[t] * Hh);
      const gw = storageFor(dtype, G * Hh);
      gemm(true, false, G, Hh, total, dg, 0, hs, 0, gw, 0);
      dw = fresh_grad(new Tensor(gw, w_hh.shape, dtype));
    }
    if (need[1]) {
      const acc = columnSums(dg, total, G);
      db = fresh_grad(new Tensor(dtype === "float32" ? Float32Array.from(acc) : acc, b_hh!.shape, dtype));
    }
    return [dw, db];
  });
  const shape = [total, G];
  const stride = contiguous_strides(shape); // of a step's [N_t, G] block within the collector
  return (h, t) => {
    if (h.dtype !== dtype) throw new TypeError(`mat1 and mat2 must have the same dtype, but got ${torchName(h.dtype)} and ${torchName(dtype)}`);
    const N = rows[t];
    if (h.shape[0] !== N) throw new RangeError(`hidden terms of step ${t}: expected a state of ${N} rows, got [${h.shape.join(", ")}]`);
    const y = storageFor(dtype, N * G);
    gemm(false, true, N, G, Hh, h.data, 0, w, 0, y, 0, b_hh === null ? null : b_hh.data);
    prev[t] = h;
    return attach(new Tensor(y, [N, G], dtype), "AddmmBackward0", [h, collector], (g, need) => {
      let dh: Tensor | null = null;
      if (need[0]) {
        const gx = storageFor(dtype, N * Hh);
        gemm(false, false, N, Hh, G, g.data, 0, w, 0, gx, 0);
        dh = new Tensor(gx, h.shape, dtype);
      }
      return [dh, new SliceGrad(g, shape, first[t] * G, stride)];
    }, true, saved, [w_hh]);
  };
}

/** What a layer's hidden products save (see HIDDEN_SAVES): h too for an Elman or GRU layer (or a packed one) whose W_hh requires grad. */
function hiddenSaves(mode: RNNMode, w_hh: Tensor): SaveSpec {
  if (mode === "LSTM") return LSTM_HIDDEN_SAVES;
  return w_hh.requires_grad ? HIDDEN_SAVES_H : HIDDEN_SAVES;
}

/**
 * The states [num_layers·D, N, ·] per layer and direction. PyTorch's Elman and GRU layers unbind
 * them (multi-output views: an in-place change of a state requiring grad is then its "Output k of
 * Unbind is a view ..." in backward); its LSTM takes hx[k] one at a time (a view its message names
 * as AsStrided's output).
 */
function layerStates(mode: RNNMode, h: Tensor): Tensor[] {
  if (mode !== "LSTM") return h.unbind(0);
  return Array.from({ length: h.shape[0] }, (_, k) => select(h, 0, k));
}

/** What the layer loop needs besides the input and the state. */
export interface RecurrenceOptions {
  num_layers: number;
  bidirectional: boolean;
  /** Dropout probability on each layer's output but the last; applied only when `training`. */
  dropout: number;
  training: boolean;
}

/**
 * The multi-layer recurrence on time-major input [L, N, H_in]. `h0` (and `c0` for an LSTM) are
 * [num_layers·D, N, ·] with entry l·D + d for layer l and direction d (D = 2 when bidirectional,
 * d = 1 the reverse direction), and `weights` are indexed the same way. Returns the last layer's
 * outputs [L, N, D·H_out] and the final states h_n (c_n) [num_layers·D, N, ·].
 */
export function recurrence(
  mode: RNNMode, input: Tensor, h0: Tensor, c0: Tensor | null, weights: CellWeights[], o: RecurrenceOptions,
): { output: Tensor; h_n: Tensor; c_n: Tensor | null } {
  const D = o.bidirectional ? 2 : 1;
  const L = input.shape[0];
  const h0s = layerStates(mode, h0);
  const c0s = c0 === null ? null : layerStates(mode, c0);
  const hn: Tensor[] = [];
  const cn: Tensor[] = [];
  let x = input;
  for (let layer = 0; layer < o.num_layers; layer++) {
    const dirOutputs: Tensor[] = [];
    for (let d = 0; d < D; d++) {
      const k = layer * D + d;
      const w = weights[k];
      const gi = linear(x, w.w_ih, w.b_ih); // [L, N, G·H], read step by step
      const hidden = hiddenTerms(w.w_hh, w.b_hh, new Array<number>(L).fill(h0s[k].shape[0]), hiddenSaves(mode, w.w_hh));
      let state: CellState = { h: h0s[k], c: c0s === null ? null : c0s[k] };
      const layer_saves = mode === "LSTM" ? [x, w.w_ih, w.w_hh, w.b_ih, w.b_hh, state.h, state.c] : undefined;
      const ys: Tensor[] = new Array(L);
      for (let s = 0; s < L; s++) {
        const t = d === 0 ? s : L - 1 - s;
        state = gatesStep(mode, gi, t, hidden(state.h, t), state, w.w_hr, s === 0 ? layer_saves : undefined);
        ys[t] = state.h;
      }
      dirOutputs.push(stack(ys, 0));
      hn.push(state.h);
      if (state.c !== null) cn.push(state.c);
    }
    x = D === 1 ? dirOutputs[0] : cat(dirOutputs, 2);
    if (o.dropout > 0 && o.training && layer < o.num_layers - 1) x = dropout(x, { p: o.dropout, training: true });
  }
  return { output: x, h_n: stack(hn, 0), c_n: c0 === null ? null : stack(cn, 0) };
}

/**
 * The multi-layer recurrence on a packed batch (see the header): `data` [Σ batch_sizes, H_in] with
 * batch_sizes[t] rows at step t (non-increasing), and h0 (c0) [num_layers·D, B, ·] in packed
 * (sorted) order, B = batch_sizes[0]; weights as `recurrence`'s. Returns the last layer's packed
 * outputs [Σ batch_sizes, D·H_out] and each sequence's state after its own last step (forward) or
 * first step (reverse), h_n (c_n) [num_layers·D, B, ·], in the same sorted order.
 */
export function packedRecurrence(
  mode: RNNMode, data: Tensor, batch_sizes: readonly number[], h0: Tensor, c0: Tensor | null, weights: CellWeights[], o: RecurrenceOptions,
): { output: Tensor; h_n: Tensor; c_n: Tensor | null } {
  const D = o.bidirectional ? 2 : 1;
  const T = batch_sizes.length;
  const offsets: number[] = new Array(T);
  for (let t = 0, off = 0; t < T; off += batch_sizes[t], t++) offsets[t] = off;
  const h0s = h0.unbind(0);
  const c0s = c0 === null ? null : c0.unbind(0);
  const rows = (s: CellState, start: number, n: number): CellState => ({
    h: narrow(s.h, 0, start, n), c: s.c === null ? null : narrow(s.c, 0, start, n),
  });
  const hn: Tensor[] = [];
  const cn: Tensor[] = [];
  let x = data;
  for (let layer = 0; layer < o.num_layers; layer++) {
    const dirOutputs: Tensor[] = [];
    for (let d = 0; d < D; d++) {
      const k = layer * D + d;
      const w = weights[k];
      const gi = linear(x, w.w_ih, w.b_ih); // [Σ batch_sizes, G·H]
      // (PyTorch's packed layers are composite, the LSTM's too: F.linear's saves for every mode)
      const hidden = hiddenTerms(w.w_hh, w.b_hh, batch_sizes, hiddenSaves("GRU", w.w_hh));
      const initial: CellState = { h: h0s[k], c: c0s === null ? null : c0s[k] };
      const step = (state: CellState, t: number): CellState => {
        const git = narrow(gi, 0, offsets[t], batch_sizes[t]);
        return gatesStep(mode, git, 0, hidden(state.h, t), state, w.w_hr);
      };
      const ys: Tensor[] = new Array(T);
      let final: CellState;
      if (d === 0) {
        // Rows bs[t]..cur−1 end at step t − 1: kept, last-ended first, behind the still running ones.
        let state = initial;
        const ended: CellState[] = [];
        for (let t = 0; t < T; t++) {
          const cur = state.h.shape[0];
          const n = batch_sizes[t];
          if (n < cur) {
            ended.push(rows(state, n, cur - n));
            state = rows(state, 0, n);
          }
          state = step(state, t);
          ys[t] = state.h;
        }
        ended.push(state);
        ended.reverse();
        final = ended.length === 1 ? state : {
          h: cat(ended.map((s) => s.h), 0), c: state.c === null ? null : cat(ended.map((s) => s.c!), 0),
        };
      } else {
        // Sequences join (from their h_0 rows) at their own last step.
        let state: CellState | null = null;
        for (let t = T - 1; t >= 0; t--) {
          const cur = state === null ? 0 : state.h.shape[0];
          const n = batch_sizes[t];
          if (n > cur) {
            const fresh = cur === 0 && n === initial.h.shape[0] ? initial : rows(initial, cur, n - cur);
            state = state === null ? fresh : {
              h: cat([state.h, fresh.h], 0), c: state.c === null ? null : cat([state.c, fresh.c!], 0),
            };
          }
          state = step(state!, t);
          ys[t] = state.h;
        }
        final = state!;
      }
      dirOutputs.push(cat(ys, 0));
      hn.push(final.h);
      if (final.c !== null) cn.push(final.c);
    }
    x = D === 1 ? dirOutputs[0] : cat(dirOutputs, 1);
    if (o.dropout > 0 && o.training && layer < o.num_layers - 1) x = dropout(x, { p: o.dropout, training: true });
  }
  return { output: x, h_n: stack(hn, 0), c_n: c0 === null ? null : stack(cn, 0) };
}
