/**
 * The recurrent layers nn.RNN, nn.LSTM, nn.GRU and the cells nn.RNNCell, nn.LSTMCell, nn.GRUCell
 * (the recurrences are in functional/rnn.ts), with PyTorch 2.13's options, parameter names and
 * shapes, initialisation, input and state shapes, return values and error messages.
 *
 *   const lstm = new torch.nn.LSTM(10, 20, { num_layers: 2, batch_first: true });
 *   const [output, [h_n, c_n]] = lstm.forward(x);          // x [N, L, 10] → output [N, L, 20]
 *
 * Parameters, per layer k and direction (suffix "_reverse" for the backward one), registered in
 * PyTorch's order weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (, weight_hr_l{k}):
 * W_ih [G·H, H_in or D·H_out], W_hh [G·H, H_out], biases [G·H], with G gates stacked in PyTorch's
 * order (LSTM i, f, g, o; GRU r, z, n), H_out = proj_size or hidden_size. reset_parameters draws
 * every parameter from U(−1/√hidden_size, 1/√hidden_size) in that order, so
 * `torch.manual_seed(s)` gives PyTorch's exact weights.
 *
 * forward returns PyTorch's tuple as an array: [output, h_n] (LSTM: [output, [h_n, c_n]]).
 * A torch.nn.utils.rnn.PackedSequence input gives a PackedSequence output (same batch_sizes and
 * indices) and each sequence's final state at its own last step, in the caller's order, as
 * PyTorch: `const [packedOut, h_n] = gru.forward(pack_padded_sequence(x, lengths, { enforce_sorted: false }))`.
 * Deviation: the time loop runs step by step on the CPU as PyTorch's native (non-cuDNN) path does.
 */
import { Tensor } from "../../tensor/tensor";
import type { DType } from "../../tensor/tensor";
import { Module } from "../module";
import type { Parameter } from "../parameter";
import { uniform_ } from "../init";
import { pyArgs } from "../../utils/py_args";
import type { Param } from "../../utils/py_args";
import { checkFloat } from "../_autograd";
import { cellStep, gateCount, packedRecurrence, recurrence } from "../functional/rnn";
import { PackedSequence, batchSizesOf } from "../utils/rnn/packed_sequence";
import type { CellWeights, RNNMode } from "../functional/rnn";
import { emptyParam, filled, floatDtype, pyBool, pyFloat } from "./_util";

/** The options every recurrent layer takes (Python's keyword arguments). */
export interface RNNBaseOptions {
  /** Stacked recurrent layers; layer k > 0 reads layer k − 1's outputs. Default 1. */
  num_layers?: number;
  /** Learn the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Input and output as [N, L, ·] instead of [L, N, ·] (the states stay [D·num_layers, N, ·]). Default false. */
  batch_first?: boolean;
  /** Dropout probability on each layer's outputs except the last layer's, in training mode. Default 0. */
  dropout?: number;
  /** Also run each layer from the last time step to the first; outputs concatenate both directions. Default false. */
  bidirectional?: boolean;
  /** "float32" or "float64" (default: torch.get_default_dtype()). */
  dtype?: DType;
  /** Only "cpu". */
  device?: unknown;
}

export interface RNNOptions extends RNNBaseOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
}

export interface LSTMOptions extends RNNBaseOptions {
  /** If > 0, h is projected to this size by weight_hr_l{k} [proj_size, hidden_size]; must be < hidden_size. Default 0. */
  proj_size?: number;
}

export interface RNNCellOptions {
  bias?: boolean;
  dtype?: DType;
  device?: unknown;
}

const BASE_PARAMS: readonly Param[] = [["num_layers", "number"], ["bias", "boolean"], ["batch_first", "boolean"], ["dropout", "number"], ["bidirectional", "boolean"]];
const FACTORY = ["dtype", "device"];

function isKeywords(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Tensor);
}

/**
 * Takes the string parameter `nonlinearity` (Python's positional `index` among `args`, or a
 * keyword) out of `args`, as PyTorch's RNN.__init__ does, so that pyArgs checks the rest.
 */
function takeNonlinearity(layer: string, args: readonly unknown[], index: number): [unknown, unknown[]] {
  const last = args[args.length - 1];
  const kw = isKeywords(last) ? { ...last } : null;
  const positional = kw ? args.slice(0, -1) : [...args];
  let value = kw?.nonlinearity;
  if (positional.length > index) {
    if (positional[index] !== undefined) {
      if (value !== undefined) throw new TypeError(`${layer}() got multiple values for argument 'nonlinearity'`);
      value = positional[index];
    }
    positional.splice(index, 1);
  }
  if (kw) delete kw.nonlinearity;
  return [value ?? "tanh", kw ? [...positional, kw] : positional];
}

function checkDevice(layer: string, device: unknown): void {
  if (device === undefined || device === null || device === "cpu") return;
  if (typeof device === "object" && (device as { type?: string }).type === "cpu") return;
  throw new Error(`${layer}: lrlab runs on the CPU (device "cpu"), got device ${String(device)}`);
}

/** Python's `int` check of a size argument, with RNNBase's wording. */
function checkInt(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${what} should be of type int, got: ${typeof v === "number" ? "float" : v === null ? "NoneType" : typeof v}`);
  }
  return v;
}

/** "(2, 3, 20)": a Python tuple of sizes, as PyTorch's expected sizes print. */
function pyTuple(sizes: readonly number[]): string {
  return `(${sizes.join(", ")})`;
}

/** "[2, 3, 20]": `list(t.size())`, as PyTorch's got sizes print. */
function pyList(sizes: readonly number[]): string {
  return `[${sizes.join(", ")}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** What the three multi-layer modules share (PyTorch's RNNBase). */
export abstract class RNNBase extends Module {
  /** PyTorch's mode: "RNN_TANH", "RNN_RELU", "LSTM" or "GRU". */
  mode: RNNMode;
  input_size: number;
  hidden_size: number;
  num_layers: number;
  bias: boolean;
  batch_first: boolean;
  dropout: number;
  bidirectional: boolean;
  proj_size: number;
  /** Parameter names per layer and direction, in PyTorch's order (index layer·D + direction). */
  _all_weights: string[][];
  /** weight_ih_l0, weight_hh_l0, ...: registered by name in the constructor. */
  [name: `weight_${string}` | `bias_${string}`]: Parameter;
  // The first layer's, named so that Tab offers them (the index signature above types every name
  // but lists none); the biases exist with bias: true (the default), as in PyTorch.
  /** Layer 0's input-to-hidden weights [G·hidden_size, input_size] (G gates: 4 LSTM, 3 GRU, 1 RNN). */
  declare weight_ih_l0: Parameter;
  /** Layer 0's hidden-to-hidden weights [G·hidden_size, hidden_size] (proj_size columns with a projection). */
  declare weight_hh_l0: Parameter;
  /** Layer 0's input-to-hidden bias [G·hidden_size] (bias: true). */
  declare bias_ih_l0: Parameter;
  /** Layer 0's hidden-to-hidden bias [G·hidden_size] (bias: true). */
  declare bias_hh_l0: Parameter;

  constructor(mode: RNNMode, layer: string, input_size: number, hidden_size: number, o: LSTMOptions) {
    super();
    const { num_layers = 1, bias = true, batch_first = false, dropout = 0, bidirectional = false, proj_size = 0, dtype, device } = o;
    checkDevice(layer, device);
    this.mode = mode;
    this.input_size = input_size;
    this.hidden_size = hidden_size;
    this.num_layers = num_layers;
    this.bias = bias;
    this.batch_first = batch_first;
    this.dropout = dropout;
    this.bidirectional = bidirectional;
    this.proj_size = proj_size;
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout <= 1)) {
      throw new RangeError("dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
    }
    if (dropout > 0 && num_layers === 1) {
      console.warn(
        "UserWarning: dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
        + `num_layers greater than 1, but got dropout=${pyFloat(dropout)} and num_layers=${num_layers}`,
      );
    }
    if (checkInt(input_size, "input_size") <= 0) throw new RangeError("input_size must be greater than zero");
    if (checkInt(hidden_size, "hidden_size") <= 0) throw new RangeError("hidden_size must be greater than zero");
    if (checkInt(num_layers, "num_layers") <= 0) throw new RangeError("num_layers must be greater than zero");
    if (checkInt(proj_size, "proj_size") < 0) throw new RangeError("proj_size should be a positive integer or zero to disable projections");
    if (proj_size >= hidden_size) throw new RangeError("proj_size has to be smaller than hidden_size");
    const dt = floatDtype(dtype, layer);
    const G = gateCount(mode) * hidden_size;
    const D = bidirectional ? 2 : 1;
    const hOut = proj_size > 0 ? proj_size : hidden_size;
    this._all_weights = [];
    for (let k = 0; k < num_layers; k++) {
      for (let d = 0; d < D; d++) {
        const sfx = `_l${k}${d === 1 ? "_reverse" : ""}`;
        const names: string[] = [];
        const add = (name: string, shape: number[]): void => {
          this.register_parameter(name + sfx, emptyParam(shape, dt));
          names.push(name + sfx);
        };
        add("weight_ih", [G, k === 0 ? input_size : hOut * D]);
        add("weight_hh", [G, hOut]);
        if (bias) {
          add("bias_ih", [G]);
          add("bias_hh", [G]);
        }
        if (proj_size > 0) add("weight_hr", [proj_size, hidden_size]);
        this._all_weights.push(names);
      }
    }
    this.reset_parameters();
  }

  /** Every parameter from U(−1/√hidden_size, 1/√hidden_size), in registration order (PyTorch's). */
  reset_parameters(): void {
    const stdv = this.hidden_size > 0 ? 1 / Math.sqrt(this.hidden_size) : 0;
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** The parameter names in PyTorch's flat order. */
  get _flat_weights_names(): string[] {
    return this._all_weights.flat();
  }

  /** The parameters per layer and direction, as PyTorch's `all_weights`. */
  get all_weights(): Parameter[][] {
    return this._all_weights.map((names) => names.map((n) => this[n as `weight_${string}`]));
  }

  /** PyTorch compacts the weights for cuDNN here; on lrlab's CPU there is nothing to do. */
  flatten_parameters(): void {}

  /** Layer·D + direction's weights, read from the fields now (load_state_dict or .double() may have replaced them). */
  protected _cellWeights(): CellWeights[] {
    return this._all_weights.map((names) => {
      const get = (prefix: string): Tensor | null => {
        const n = names.find((x) => x.startsWith(prefix));
        return n === undefined ? null : this[n as `weight_${string}`];
      };
      return { w_ih: get("weight_ih")!, w_hh: get("weight_hh")!, b_ih: get("bias_ih"), b_hh: get("bias_hh"), w_hr: get("weight_hr") };
    });
  }

  /** PyTorch's check_input (after an unbatched input got its batch dim; `dims` 2 for a PackedSequence's data). */
  protected _checkInput(input: Tensor, dims = 3): void {
    const wd = this._cellWeights()[0].w_ih.dtype;
    if (input.dtype !== wd) {
      throw new TypeError(
        `RNN input dtype (torch.${input.dtype}) does not match weight dtype (torch.${wd}). `
        + `Convert input: input.to(torch.${wd}), or convert model: model.to(torch.${input.dtype})`,
      );
    }
    if (input.dim() !== dims) throw new RangeError(`input must have ${dims} dimensions, got ${input.dim()}`);
    const last = input.shape[dims - 1];
    if (last !== this.input_size) {
      throw new RangeError(`input.size(-1) must be equal to input_size. Expected ${this.input_size}, got ${last}`);
    }
  }

  /** The expected [num_layers·D, N, size] of a state, or PyTorch's error with `msg`'s wording. */
  protected _checkHidden(hx: Tensor, input: Tensor, size: number, msg = "Expected hidden size"): void {
    this._checkHiddenBatch(hx, this.batch_first ? input.shape[0] : input.shape[1], size, msg);
  }

  /** The expected [num_layers·D, batch, size] of a state, or PyTorch's error with `msg`'s wording. */
  protected _checkHiddenBatch(hx: Tensor, batch: number, size: number, msg: string): void {
    const expected = [this.num_layers * (this.bidirectional ? 2 : 1), batch, size];
    if (!sameShape(hx.shape, expected)) throw new RangeError(`${msg} ${pyTuple(expected)}, got ${pyList(hx.shape)}`);
  }

  /** Input (batched, 3-D) and states → [output, h_n, c_n], batch_first handled here. */
  protected _run(input: Tensor, h0: Tensor, c0: Tensor | null): [Tensor, Tensor, Tensor | null] {
    // Time-major and contiguous, a copy when it is not (batch_first's transpose): as PyTorch's
    // layers, which then save the copy for backward, not the caller's tensor.
    const x = (this.batch_first ? input.transpose(0, 1) : input).contiguous();
    if (x.shape[0] === 0) throw new RangeError("Expected sequence length to be larger than 0 in RNN");
    const { output, h_n, c_n } = recurrence(this.mode, x, h0, c0, this._cellWeights(), {
      num_layers: this.num_layers, bidirectional: this.bidirectional, dropout: this.dropout, training: this.training,
    });
    return [this.batch_first ? output.transpose(0, 1) : output, h_n, c_n];
  }

  /**
   * A PackedSequence through the layers (PyTorch's packed path): the states `hx` (and `cx` for an
   * LSTM; zeros when null) are [num_layers·D, B, ·] in the caller's order (B = batch_sizes[0]),
   * reordered by sorted_indices for the run; returns the packed output (the input's batch_sizes and
   * indices) and h_n (c_n) back in the caller's order (unsorted_indices). batch_first does not
   * apply (a PackedSequence has no batch dim), as in PyTorch.
   */
  protected _runPacked(what: string, input: PackedSequence, hx: Tensor | null, cx: Tensor | null, lstm: boolean): [PackedSequence, Tensor, Tensor | null] {
    const data = input.data;
    checkFloat(data, what, "input");
    const bs = batchSizesOf(what, input);
    if (bs.length === 0) throw new RangeError("Expected sequence length to be larger than 0 in RNN");
    const B = bs[0];
    const D = this.bidirectional ? 2 : 1;
    const hOut = this.proj_size > 0 ? this.proj_size : this.hidden_size;
    let h = hx ?? filled([this.num_layers * D, B, hOut], data.dtype, 0);
    let c = !lstm ? null : cx ?? filled([this.num_layers * D, B, this.hidden_size], data.dtype, 0);
    this._checkInput(data, 2);
    // (PyTorch reorders the states first; checking first names a wrong batch size instead of an index error.)
    this._checkHiddenBatch(h, B, hOut, lstm ? "Expected hidden[0] size" : "Expected hidden size");
    if (c !== null) this._checkHiddenBatch(c, B, this.hidden_size, "Expected hidden[1] size");
    const si = input.sorted_indices;
    if (si !== null) {
      if (hx !== null) h = h.index_select(1, si);
      if (cx !== null && c !== null) c = c.index_select(1, si);
    }
    const { output, h_n, c_n } = packedRecurrence(this.mode, data, bs, h, c, this._cellWeights(), {
      num_layers: this.num_layers, bidirectional: this.bidirectional, dropout: this.dropout, training: this.training,
    });
    const ui = input.unsorted_indices;
    const unsort = (t: Tensor): Tensor => (ui === null ? t : t.index_select(1, ui));
    return [new PackedSequence(output, input.batch_sizes, si, ui), unsort(h_n), c_n === null ? null : unsort(c_n)];
  }

  /** The zero state [num_layers·D, N, size] in the input's dtype. */
  protected _zeros(input: Tensor, size: number): Tensor {
    const batch = this.batch_first ? input.shape[0] : input.shape[1];
    return filled([this.num_layers * (this.bidirectional ? 2 : 1), batch, size], input.dtype, 0);
  }

  /** RNN's and GRU's forward (one state tensor); `what` names the layer in the input-rank error. */
  protected _forwardOneState(what: string, input: Tensor, hx: Tensor | null | undefined): [Tensor, Tensor] {
    checkFloat(input, what, "input");
    const nd = input.dim();
    if (nd !== 2 && nd !== 3) {
      throw new RangeError(`${what}: Expected input to be 2D or 3D, got ${nd}D ${what === "RNN" ? "tensor " : ""}instead`);
    }
    const batched = nd === 3;
    const batchDim = this.batch_first ? 0 : 1;
    let x = input;
    let h = hx ?? null;
    if (h !== null) checkFloat(h, what, "hx");
    if (!batched) {
      x = input.unsqueeze(batchDim);
      if (h !== null) {
        if (h.dim() !== 2) throw new RangeError(`For unbatched 2-D input, hx should also be 2-D but got ${h.dim()}-D tensor`);
        h = h.unsqueeze(1);
      }
    } else if (h !== null && h.dim() !== 3) {
      throw new RangeError(`For batched 3-D input, hx should also be 3-D but got ${h.dim()}-D tensor`);
    }
    if (h === null) h = this._zeros(x, this.hidden_size);
    this._checkInput(x);
    this._checkHidden(h, x, this.hidden_size);
    const [out, h_n] = this._run(x, h, null);
    return batched ? [out, h_n] : [out.squeeze(batchDim), h_n.squeeze(1)];
  }

  /** RNN's and GRU's forward of a PackedSequence (one state, in the caller's order). */
  protected _forwardPackedOneState(what: string, input: PackedSequence, hx: Tensor | null | undefined): [PackedSequence, Tensor] {
    if (hx !== undefined && hx !== null) checkFloat(hx, what, "hx");
    const [out, h_n] = this._runPacked(what, input, hx ?? null, null, false);
    return [out, h_n];
  }

  override extra_repr(): string {
    let s = `${this.input_size}, ${this.hidden_size}`;
    if (this.proj_size !== 0) s += `, proj_size=${this.proj_size}`;
    if (this.num_layers !== 1) s += `, num_layers=${this.num_layers}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    if (this.batch_first !== false) s += `, batch_first=${pyBool(this.batch_first)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional !== false) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

/** Python's (num_layers, bias, batch_first, dropout, bidirectional[, proj_size]) given positionally or as options. */
function baseArgs(layer: string, args: readonly unknown[], withProj: boolean): LSTMOptions {
  const o = pyArgs(layer, withProj ? [...BASE_PARAMS, ["proj_size", "number"]] : BASE_PARAMS, args, withProj ? FACTORY : [...FACTORY, "proj_size"]);
  if (!withProj && "proj_size" in o) throw new RangeError("proj_size argument is only supported for LSTM, not RNN or GRU");
  return o as LSTMOptions;
}

/**
 * nn.RNN(input_size, hidden_size, { num_layers = 1, nonlinearity = "tanh", bias = true,
 * batch_first = false, dropout = 0, bidirectional = false, dtype }): the Elman recurrence
 * h_t = act(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), act = tanh or relu.
 * forward(input [L, N, H_in] (batch_first: [N, L, H_in]) or [L, H_in], h_0? [D·num_layers, N, H]
 * or [D·num_layers, H]) → [output [L, N, D·H], h_n [D·num_layers, N, H]] (D = 2 if bidirectional).
 * A PackedSequence input (torch.nn.utils.rnn) gives a PackedSequence output and each sequence's
 * own final state. Options also positionally in Python's order: `new RNN(10, 20, 2, "relu")`.
 */
export class RNN extends RNNBase {
  nonlinearity: "tanh" | "relu";

  constructor(input_size: number, hidden_size: number, options?: RNNOptions);
  constructor(input_size: number, hidden_size: number, num_layers: number, options?: RNNOptions);
  constructor(
    input_size: number, hidden_size: number, num_layers?: number, nonlinearity?: "tanh" | "relu", bias?: boolean, batch_first?: boolean,
    dropout?: number, bidirectional?: boolean, options?: RNNOptions,
  );
  constructor(input_size: number, hidden_size: number, ...args: unknown[]) {
    const [nl, rest] = takeNonlinearity("RNN", args, 1);
    const o = baseArgs("RNN", rest, false);
    if (nl !== "tanh" && nl !== "relu") throw new RangeError(`Unknown nonlinearity '${String(nl)}'. Select from 'tanh' or 'relu'.`);
    super(nl === "tanh" ? "RNN_TANH" : "RNN_RELU", "RNN", input_size, hidden_size, o);
    this.nonlinearity = nl;
  }

  /**
   * Runs the sequence: input [L, N, H_in] (batch_first: [N, L, H_in]; unbatched [L, H_in]) and
   * h_0 [D·num_layers, N, H] (zeros when omitted) → [output [L, N, D·H], h_n [D·num_layers, N, H]]
   * (D = 2 if bidirectional; output is [N, L, D·H] with batch_first).
   *
   *   const [output, h_n] = rnn.forward(x);
   */
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  /**
   * Runs a torch.nn.utils.rnn.PackedSequence (data [Σ lengths, H_in]) with h_0 [D·num_layers, B, H]
   * in the caller's order (zeros when omitted) → [output PackedSequence (data [Σ lengths, D·H]),
   * h_n [D·num_layers, B, H]]: each sequence's state at its own last step (the reverse direction's
   * after its first step), in the caller's order.
   *
   *   const [packed_out, h_n] = rnn.forward(torch.nn.utils.rnn.pack_sequence(seqs, { enforce_sorted: false }));
   */
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    if (input instanceof PackedSequence) return this._forwardPackedOneState("RNN", input, hx);
    return this._forwardOneState("RNN", input, hx);
  }
}

/**
 * nn.GRU(input_size, hidden_size, { num_layers = 1, bias = true, batch_first = false,
 * dropout = 0, bidirectional = false, dtype }): gated recurrent units, gates r, z, n (see
 * functional/rnn.ts). forward(input, h_0?) → [output, h_n], shapes as nn.RNN's; a PackedSequence
 * input (torch.nn.utils.rnn) gives a PackedSequence output.
 */
export class GRU extends RNNBase {
  constructor(input_size: number, hidden_size: number, options?: RNNBaseOptions);
  constructor(input_size: number, hidden_size: number, num_layers: number, options?: RNNBaseOptions);
  constructor(
    input_size: number, hidden_size: number, num_layers?: number, bias?: boolean, batch_first?: boolean, dropout?: number,
    bidirectional?: boolean, options?: RNNBaseOptions,
  );
  constructor(input_size: number, hidden_size: number, ...args: unknown[]) {
    super("GRU", "GRU", input_size, hidden_size, baseArgs("GRU", args, false));
  }

  /**
   * Runs the sequence: input [L, N, H_in] (batch_first: [N, L, H_in]; unbatched [L, H_in]) and
   * h_0 [D·num_layers, N, H] (zeros when omitted) → [output [L, N, D·H], h_n [D·num_layers, N, H]]
   * (D = 2 if bidirectional; output is [N, L, D·H] with batch_first).
   *
   *   const [output, h_n] = gru.forward(x);
   */
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  /**
   * Runs a torch.nn.utils.rnn.PackedSequence (data [Σ lengths, H_in]) with h_0 [D·num_layers, B, H]
   * in the caller's order (zeros when omitted) → [output PackedSequence (data [Σ lengths, D·H]),
   * h_n [D·num_layers, B, H]]: each sequence's state at its own last step (the reverse direction's
   * after its first step), in the caller's order.
   *
   *   const [packed_out, h_n] = gru.forward(torch.nn.utils.rnn.pack_padded_sequence(x, lengths, { enforce_sorted: false }));
   */
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    if (input instanceof PackedSequence) return this._forwardPackedOneState("GRU", input, hx);
    return this._forwardOneState("GRU", input, hx);
  }
}

/**
 * nn.LSTM(input_size, hidden_size, { num_layers = 1, bias = true, batch_first = false,
 * dropout = 0, bidirectional = false, proj_size = 0, dtype }): long short-term memory, gates
 * i, f, g, o (see functional/rnn.ts). forward(input, [h_0, c_0]?) → [output, [h_n, c_n]]:
 * output [L, N, D·H_out], h_n [D·num_layers, N, H_out], c_n [D·num_layers, N, H] (H_out =
 * proj_size or hidden_size; unbatched input [L, H_in] drops N everywhere). A PackedSequence
 * input (torch.nn.utils.rnn) gives a PackedSequence output and each sequence's own final states.
 *
 *   const lstm = new torch.nn.LSTM(10, 20, 2);
 *   const [output, [h_n, c_n]] = lstm.forward(torch.randn(5, 3, 10));
 */
export class LSTM extends RNNBase {
  constructor(input_size: number, hidden_size: number, options?: LSTMOptions);
  constructor(input_size: number, hidden_size: number, num_layers: number, options?: LSTMOptions);
  constructor(
    input_size: number, hidden_size: number, num_layers?: number, bias?: boolean, batch_first?: boolean, dropout?: number,
    bidirectional?: boolean, proj_size?: number, options?: LSTMOptions,
  );
  constructor(input_size: number, hidden_size: number, ...args: unknown[]) {
    super("LSTM", "LSTM", input_size, hidden_size, baseArgs("LSTM", args, true));
  }

  /**
   * Runs the sequence: input [L, N, H_in] (batch_first: [N, L, H_in]; unbatched [L, H_in]) and
   * [h_0, c_0] ([D·num_layers, N, H_out] and [D·num_layers, N, H]; zeros when omitted) →
   * [output [L, N, D·H_out], [h_n, c_n]] (D = 2 if bidirectional; H_out = proj_size or
   * hidden_size; output is [N, L, D·H_out] with batch_first).
   *
   *   const [output, [h_n, c_n]] = lstm.forward(x);
   */
  override forward(input: Tensor, hx?: [Tensor, Tensor] | readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  /**
   * Runs a torch.nn.utils.rnn.PackedSequence (data [Σ lengths, H_in]) with [h_0, c_0]
   * ([D·num_layers, B, H_out] and [D·num_layers, B, H], in the caller's order; zeros when omitted)
   * → [output PackedSequence (data [Σ lengths, D·H_out]), [h_n, c_n]]: each sequence's states at
   * its own last step (the reverse direction's after its first step), in the caller's order.
   *
   *   const [packed_out, [h_n, c_n]] = lstm.forward(torch.nn.utils.rnn.pack_sequence(seqs, { enforce_sorted: false }));
   */
  override forward(input: PackedSequence, hx?: [Tensor, Tensor] | readonly [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override forward(input: Tensor | PackedSequence, hx?: [Tensor, Tensor] | readonly [Tensor, Tensor] | null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    if (input instanceof PackedSequence) {
      let h: Tensor | null = null;
      let c: Tensor | null = null;
      if (hx !== undefined && hx !== null) {
        if (!Array.isArray(hx) || hx.length !== 2) throw new TypeError("LSTM: hx must be a pair [h_0, c_0] of tensors (PyTorch's tuple)");
        [h, c] = hx;
        checkFloat(h!, "LSTM", "hx[0]");
        checkFloat(c!, "LSTM", "hx[1]");
        const dt = input.data.dtype;
        if (h!.dtype !== dt || c!.dtype !== dt) {
          throw new TypeError(`LSTM: h_0 and c_0 must have the input's dtype (torch.${dt}), got torch.${h!.dtype} and torch.${c!.dtype}`);
        }
      }
      const [out, h_n, c_n] = this._runPacked("LSTM", input, h, c, true);
      return [out, [h_n, c_n!]];
    }
    checkFloat(input, "LSTM", "input");
    const nd = input.dim();
    if (nd !== 2 && nd !== 3) throw new RangeError(`LSTM: Expected input to be 2D or 3D, got ${nd}D instead`);
    const batched = nd === 3;
    const batchDim = this.batch_first ? 0 : 1;
    const x = batched ? input : input.unsqueeze(batchDim);
    const hOut = this.proj_size > 0 ? this.proj_size : this.hidden_size;
    let h: Tensor;
    let c: Tensor;
    if (hx === undefined || hx === null) {
      h = this._zeros(x, hOut);
      c = this._zeros(x, this.hidden_size);
    } else {
      if (!Array.isArray(hx) || hx.length !== 2) throw new TypeError("LSTM: hx must be a pair [h_0, c_0] of tensors (PyTorch's tuple)");
      [h, c] = hx;
      checkFloat(h, "LSTM", "hx[0]");
      checkFloat(c, "LSTM", "hx[1]");
      const want = batched ? 3 : 2;
      if (h.dim() !== want || c.dim() !== want) {
        throw new RangeError(
          `For ${batched ? "batched 3-D" : "unbatched 2-D"} input, hx and cx should also be ${want}-D but got (${h.dim()}-D, ${c.dim()}-D) tensors`,
        );
      }
      if (!batched) {
        h = h.unsqueeze(1);
        c = c.unsqueeze(1);
      }
      // PyTorch stops here with an internal error (oneDNN's "get_mkldnn_dtype: unsupported data type"); this names the cause
      if (h.dtype !== x.dtype || c.dtype !== x.dtype) {
        throw new TypeError(`LSTM: h_0 and c_0 must have the input's dtype (torch.${x.dtype}), got torch.${h.dtype} and torch.${c.dtype}`);
      }
    }
    this._checkInput(x);
    this._checkHidden(h, x, hOut, "Expected hidden[0] size");
    this._checkHidden(c, x, this.hidden_size, "Expected hidden[1] size");
    const [out, h_n, c_n] = this._run(x, h, c);
    return batched ? [out, [h_n, c_n!]] : [out.squeeze(batchDim), [h_n.squeeze(1), c_n!.squeeze(1)]];
  }
}

// ---------------------------------------------------------------- cells

/**
 * What the cells share (PyTorch's RNNCellBase): weight_ih [G·H, input_size], weight_hh [G·H, H],
 * bias_ih and bias_hh [G·H] (null without bias), all from U(−1/√H, 1/√H) in that order.
 */
export abstract class RNNCellBase extends Module {
  input_size: number;
  hidden_size: number;
  bias: boolean;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(layer: string, input_size: number, hidden_size: number, bias: boolean, num_chunks: number, dtype: DType | undefined, device: unknown) {
    super();
    checkDevice(layer, device);
    if (checkInt(input_size, "input_size") < 0 || checkInt(hidden_size, "hidden_size") < 0) {
      throw new RangeError(`${layer}: input_size and hidden_size must be non-negative, got ${input_size} and ${hidden_size}`);
    }
    this.input_size = input_size;
    this.hidden_size = hidden_size;
    this.bias = bias;
    const dt = floatDtype(dtype, layer);
    this.weight_ih = emptyParam([num_chunks * hidden_size, input_size], dt);
    this.weight_hh = emptyParam([num_chunks * hidden_size, hidden_size], dt);
    this.bias_ih = bias ? emptyParam([num_chunks * hidden_size], dt) : null;
    this.bias_hh = bias ? emptyParam([num_chunks * hidden_size], dt) : null;
    this.reset_parameters();
  }

  reset_parameters(): void {
    const stdv = this.hidden_size > 0 ? 1 / Math.sqrt(this.hidden_size) : 0;
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  protected _weights(): CellWeights {
    return { w_ih: this.weight_ih, w_hh: this.weight_hh, b_ih: this.bias_ih, b_hh: this.bias_hh, w_hr: null };
  }

  /** The input's rank (1-D unbatched or 2-D batched), or PyTorch's error. */
  protected _checkRank(layer: string, input: Tensor): boolean {
    checkFloat(input, layer, "input");
    if (input.dim() !== 1 && input.dim() !== 2) throw new RangeError(`${layer}: Expected input to be 1D or 2D, got ${input.dim()}D instead`);
    return input.dim() === 2;
  }

  /** PyTorch's C++ checks of a cell's (batched) input and state `hx` number `index`. */
  protected _checkSizes(input: Tensor, hx: Tensor, index: number): void {
    if (input.shape[1] !== this.input_size) {
      throw new RangeError(`input has inconsistent input_size: got ${input.shape[1]} expected ${this.input_size}`);
    }
    if (hx.shape[0] !== input.shape[0]) {
      throw new RangeError(`Input batch size ${input.shape[0]} doesn't match hidden${index} batch size ${hx.shape[0]}`);
    }
    if (hx.shape[1] !== this.hidden_size) {
      throw new RangeError(`hidden${index} has inconsistent hidden_size: got ${hx.shape[1]}, expected ${this.hidden_size}`);
    }
  }

  override extra_repr(): string {
    let s = `${this.input_size}, ${this.hidden_size}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    const nl = (this as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== "tanh") s += `, nonlinearity=${nl}`;
    return s;
  }
}

/** Python's (bias[, nonlinearity]) of a cell, given positionally or as options. */
function cellArgs(layer: string, args: readonly unknown[]): RNNCellOptions {
  return pyArgs(layer, [["bias", "boolean"]], args, FACTORY) as RNNCellOptions;
}

/**
 * nn.RNNCell(input_size, hidden_size, { bias = true, nonlinearity = "tanh", dtype }): one step
 * h' = act(W_ih x + b_ih + W_hh h + b_hh). forward(input [N, H_in] or [H_in], hx? [N, H] or
 * [H] (default zeros)) → h' [N, H] or [H]. As in PyTorch, an unknown nonlinearity is reported by
 * forward ("Unknown nonlinearity: ...").
 */
export class RNNCell extends RNNCellBase {
  nonlinearity: string;

  constructor(input_size: number, hidden_size: number, options?: RNNCellOptions & { nonlinearity?: "tanh" | "relu" });
  constructor(input_size: number, hidden_size: number, bias?: boolean, nonlinearity?: "tanh" | "relu", options?: RNNCellOptions);
  constructor(input_size: number, hidden_size: number, ...args: unknown[]) {
    const [nl, rest] = takeNonlinearity("RNNCell", args, 1);
    const { bias = true, dtype, device } = cellArgs("RNNCell", rest);
    super("RNNCell", input_size, hidden_size, bias, 1, dtype, device);
    this.nonlinearity = nl as string;
  }

  /** One step: input [N, H_in] (or [H_in]) and h [N, H] (zeros when omitted) → h' [N, H]. */
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const batched = this._checkRank("RNNCell", input);
    if (hx !== undefined && hx !== null) {
      checkFloat(hx, "RNNCell", "hx");
      if (hx.dim() !== 1 && hx.dim() !== 2) throw new RangeError(`RNNCell: Expected hidden to be 1D or 2D, got ${hx.dim()}D instead`);
    }
    const x = batched ? input : input.unsqueeze(0);
    const h = hx === undefined || hx === null ? filled([x.shape[0], this.hidden_size], x.dtype, 0) : batched ? hx : hx.unsqueeze(0);
    if (this.nonlinearity !== "tanh" && this.nonlinearity !== "relu") throw new Error(`Unknown nonlinearity: ${this.nonlinearity}`);
    this._checkSizes(x, h, 0);
    const out = cellStep(this.nonlinearity === "tanh" ? "RNN_TANH" : "RNN_RELU", x, { h, c: null }, this._weights()).h;
    return batched ? out : out.squeeze(0);
  }
}

/**
 * nn.GRUCell(input_size, hidden_size, { bias = true, dtype }): one GRU step (gates r, z, n).
 * forward(input [N, H_in] or [H_in], hx? [N, H] or [H]) → h' of hx's shape.
 */
export class GRUCell extends RNNCellBase {
  constructor(input_size: number, hidden_size: number, options?: RNNCellOptions);
  constructor(input_size: number, hidden_size: number, bias?: boolean, options?: RNNCellOptions);
  constructor(input_size: number, hidden_size: number, ...args: unknown[]) {
    const { bias = true, dtype, device } = cellArgs("GRUCell", args);
    super("GRUCell", input_size, hidden_size, bias, 3, dtype, device);
  }

  /** One step: input [N, H_in] (or [H_in]) and h [N, H] (zeros when omitted) → h' [N, H]. */
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const batched = this._checkRank("GRUCell", input);
    if (hx !== undefined && hx !== null) {
      checkFloat(hx, "GRUCell", "hx");
      if (hx.dim() !== 1 && hx.dim() !== 2) throw new RangeError(`GRUCell: Expected hidden to be 1D or 2D, got ${hx.dim()}D instead`);
    }
    const x = batched ? input : input.unsqueeze(0);
    const h = hx === undefined || hx === null ? filled([x.shape[0], this.hidden_size], x.dtype, 0) : batched ? hx : hx.unsqueeze(0);
    this._checkSizes(x, h, 0);
    const out = cellStep("GRU", x, { h, c: null }, this._weights()).h;
    return batched ? out : out.squeeze(0);
  }
}

/**
 * nn.LSTMCell(input_size, hidden_size, { bias = true, dtype }): one LSTM step (gates i, f, g, o).
 * forward(input [N, H_in] or [H_in], [h, c]? each [N, H] or [H]) → [h', c'].
 */
export class LSTMCell extends RNNCellBase {
  constructor(input_size: number, hidden_size: number, options?: RNNCellOptions);
  constructor(input_size: number, hidden_size: number, bias?: boolean, options?: RNNCellOptions);
  constructor(input_size: number, hidden_size: number, ...args: unknown[]) {
    const { bias = true, dtype, device } = cellArgs("LSTMCell", args);
    super("LSTMCell", input_size, hidden_size, bias, 4, dtype, device);
  }

  /** One step: input [N, H_in] (or [H_in]) and [h, c] ([N, H] each; zeros when omitted) → [h', c']. */
  override forward(input: Tensor, hx?: [Tensor, Tensor] | readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const batched = this._checkRank("LSTMCell", input);
    const x = batched ? input : input.unsqueeze(0);
    let h: Tensor;
    let c: Tensor;
    if (hx === undefined || hx === null) {
      h = filled([x.shape[0], this.hidden_size], x.dtype, 0);
      c = h;
    } else {
      if (!Array.isArray(hx) || hx.length !== 2) throw new TypeError("LSTMCell: hx must be a pair [h, c] of tensors (PyTorch's tuple)");
      hx.forEach((v: Tensor, i: number) => {
        checkFloat(v, "LSTMCell", `hx[${i}]`);
        if (v.dim() !== 1 && v.dim() !== 2) throw new RangeError(`LSTMCell: Expected hx[${i}] to be 1D or 2D, got ${v.dim()}D instead`);
      });
      [h, c] = batched ? hx : [hx[0].unsqueeze(0), hx[1].unsqueeze(0)];
    }
    this._checkSizes(x, h, 0);
    this._checkSizes(x, c, 1);
    const s = cellStep("LSTM", x, { h, c }, this._weights());
    return batched ? [s.h, s.c!] : [s.h.squeeze(0), s.c!.squeeze(0)];
  }
}
