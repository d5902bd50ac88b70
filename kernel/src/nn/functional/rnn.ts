/**
 * The recurrences behind nn.RNN, nn.LSTM, nn.GRU and their cells (modules/rnn.ts): one time step
 * of each cell, and the loop over layers, directions and time steps. PyTorch 2.13's equations,
 * gate order and order of operations, built only from the library's differentiable ops (linear,
 * sigmoid, tanh, relu, chunk, cat, stack, dropout), so autograd differentiates them and there is
 * no hand-written backward to get wrong.
 *
 * One step, for x [N, H_in], h [N, H] (W·x + b is F.linear; PyTorch's "ih" and "hh" terms):
 *   RNN   h' = act(W_hh h + b_hh + W_ih x + b_ih)                 act = tanh or relu
 *   LSTM  i, f, g, o = chunk₄(W_hh h + b_hh + W_ih x + b_ih)       (gate order i, f, g, o)
 *         c' = σ(f)·c + σ(i)·tanh(g)    h' = σ(o)·tanh(c')    (proj_size > 0: h' = W_hr h')
 *   GRU   r, z, n chunks of gi = W_ih x + b_ih and gh = W_hh h + b_hh   (gate order r, z, n)
 *         r = σ(gh_r + gi_r)   z = σ(gh_z + gi_z)   n = tanh(gi_n + r·gh_n)   (b_hn inside r·(...))
 *         h' = (h − n)·z + n                     (= (1 − z)·n + z·h, in PyTorch's order of ops)
 *
 * Layers: layer 0 reads the input, layer l > 0 the outputs of layer l − 1 (both directions'
 * concatenated), after dropout(p) in training mode, as PyTorch (no dropout after the last layer).
 * The reverse direction reads the time steps last to first and writes its outputs back at their
 * own time step. Time-major throughout: the modules transpose batch_first input.
 *
 * Why a list of per-step tensors rather than one [L, N, ·] tensor per layer: a slice of a tensor
 * carries a gradient the size of the whole tensor back, so slicing each step out of a layer's
 * output would cost O(L²) in backward. Only the input is sliced (once, by unbind), which costs
 * that only when the input itself requires grad (e.g. after an Embedding). Dropout is applied step
 * by step in time order, which draws the same Bernoulli numbers as PyTorch's one draw over the
 * [L, N, D·H] layer output, so a seeded run masks as PyTorch's.
 */
import type { Tensor } from "../../tensor/tensor";
import { cat, stack } from "../../tensor/views";
import { linear } from "./linear";
import { dropout } from "./dropout";

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
  const gi = linear(x, w.w_ih, w.b_ih);
  const gh = linear(state.h, w.w_hh, w.b_hh);
  switch (mode) {
    case "RNN_TANH":
      return { h: gh.add(gi).tanh(), c: null };
    case "RNN_RELU":
      return { h: gh.add(gi).relu(), c: null };
    case "LSTM": {
      const [i, f, g, o] = gh.add(gi).chunk(4, 1);
      const c = f.sigmoid().mul(state.c!).add(i.sigmoid().mul(g.tanh()));
      let h = o.sigmoid().mul(c.tanh());
      if (w.w_hr !== null) h = linear(h, w.w_hr);
      return { h, c };
    }
    case "GRU": {
      const [ir, iz, inn] = gi.chunk(3, 1);
      const [hr, hz, hn] = gh.chunk(3, 1);
      const r = hr.add(ir).sigmoid();
      const z = hz.add(iz).sigmoid();
      const n = inn.add(hn.mul(r)).tanh();
      return { h: state.h.sub(n).mul(z).add(n), c: null };
    }
  }
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
  const h0s = h0.unbind(0);
  const c0s = c0 === null ? null : c0.unbind(0);
  const hn: Tensor[] = [];
  const cn: Tensor[] = [];
  let xs = input.unbind(0);
  for (let layer = 0; layer < o.num_layers; layer++) {
    const dirOutputs: Tensor[][] = [];
    for (let d = 0; d < D; d++) {
      const k = layer * D + d;
      let state: CellState = { h: h0s[k], c: c0s === null ? null : c0s[k] };
      const ys: Tensor[] = new Array(L);
      for (let s = 0; s < L; s++) {
        const t = d === 0 ? s : L - 1 - s;
        state = cellStep(mode, xs[t], state, weights[k]);
        ys[t] = state.h;
      }
      dirOutputs.push(ys);
      hn.push(state.h);
      if (state.c !== null) cn.push(state.c);
    }
    xs = D === 1 ? dirOutputs[0] : dirOutputs[0].map((y, t) => cat([y, dirOutputs[1][t]], 1));
    if (o.dropout > 0 && o.training && layer < o.num_layers - 1) xs = xs.map((y) => dropout(y, { p: o.dropout, training: true }));
  }
  return { output: stack(xs, 0), h_n: stack(hn, 0), c_n: c0 === null ? null : stack(cn, 0) };
}
