/**
 * Python's positional constructor arguments of torch.nn's layers and losses:
 * `new nn.Linear(2, 3, false)`, `new nn.BatchNorm1d(4, 1e-3, 0.5, false)`,
 * `new nn.Embedding(10, 3, 0)`, `new nn.CrossEntropyLoss(weights)` mean PyTorch's
 * `nn.Linear(2, 3, False)`, ... The options-object form (`new nn.Linear(2, 3, { bias: false })`)
 * is unchanged, and both mix as in Python: positional values first, then one options object for
 * the rest (`new nn.BatchNorm1d(4, 1e-3, { affine: false })`). Before this, such values were type
 * errors in the kernel and silently ignored in plain JS (a Linear kept its bias, a loss its
 * uniform weights).
 *
 * NN_POSITIONAL lists, per class, PyTorch 2.13's `__init__` parameters in order (checked against
 * `inspect.signature` by test/nn/positional.test.ts with test/fixtures/generate_nn_positional.py):
 * `lead`, the required ones the constructor names itself, `params`, the optional ones that may
 * follow positionally, and `keywordOnly`, those after Python's `*` (options object only). The
 * losses' deprecated `size_average` and `reduce` keep their places in the order (so
 * `new CrossEntropyLoss(w, null, 0)` is ignore_index 0, as Python) but take only null: lrlab has
 * `reduction` instead. The same idea as torch.optim's (optim/positional.ts), with nn's value kinds
 * (a Tensor or null for weights, a device, a dtype).
 *
 * What Python would refuse is an error naming what was wrong: more positional values than the
 * signature has, a value of the wrong JS type in a position (the parameter, what it takes, what it
 * got), the same parameter given positionally and in the options, and an unknown option (with the
 * nearest name). Values themselves (a negative size, p outside [0, 1]) are checked by each class.
 */
import { TypeError_ } from "../errors";
import { Tensor } from "../tensor/tensor";
import type { DType } from "../tensor/tensor";
import { nearKey } from "../close_matches";
import { shown } from "../optim/positional";
import { isOptionsObject } from "../utils/py_args";
import { checkKeywords } from "../utils/py_args";

/** A device as lrlab takes it: the CPU only ("cpu", `{ type: "cpu" }`, or null for the default). */
export type DeviceArg = "cpu" | { type: "cpu" } | null;

/** What a positional value must be (its JS type; the value's range is checked by the class). */
export type NNArgType =
  | "number" | "number?" | "boolean" | "string" | "Tensor?" | "device" | "dtype" | "deprecated" | "any";

/** A parameter: its Python name and what it takes. */
export type NNParam = readonly [name: string, type: NNArgType];

/** One class's `__init__` in PyTorch 2.13's order (see the header). */
export interface NNSignature {
  readonly lead: readonly string[];
  readonly params: readonly NNParam[];
  readonly keywordOnly: readonly string[];
  /** For a method's parameters (`Module.zero_grad`): its name, in the messages instead of `__init__`. */
  readonly method?: string;
}

const DEVICE_DTYPE: readonly NNParam[] = [["device", "device"], ["dtype", "dtype"]];
const BATCH_NORM: NNSignature = {
  lead: ["num_features"],
  params: [["eps", "number"], ["momentum", "number?"], ["affine", "boolean"], ["track_running_stats", "boolean"], ...DEVICE_DTYPE],
  keywordOnly: ["bias"],
};
// InstanceNorm's momentum is annotated `float` in PyTorch, but None works there as BatchNorm's
// (lrlab's InstanceNorm takes null: no running update); "number?" keeps that.
const INSTANCE_NORM: NNSignature = BATCH_NORM;
const DROPOUT: NNSignature = { lead: [], params: [["p", "number"], ["inplace", "boolean"]], keywordOnly: [] };
const SOFTMAX: NNSignature = { lead: [], params: [["dim", "number?"]], keywordOnly: [] };
const DEPRECATED: readonly NNParam[] = [["size_average", "deprecated"], ["reduce", "deprecated"]];

/** PyTorch 2.13's constructor parameters of the classes that take positional arguments here. */
export const NN_POSITIONAL: Readonly<Record<string, NNSignature>> = {
  Linear: { lead: ["in_features", "out_features"], params: [["bias", "boolean"], ...DEVICE_DTYPE], keywordOnly: [] },
  LayerNorm: {
    lead: ["normalized_shape"],
    params: [["eps", "number"], ["elementwise_affine", "boolean"], ["bias", "boolean"], ...DEVICE_DTYPE],
    keywordOnly: [],
  },
  BatchNorm1d: BATCH_NORM,
  BatchNorm2d: BATCH_NORM,
  BatchNorm3d: BATCH_NORM,
  GroupNorm: { lead: ["num_groups", "num_channels"], params: [["eps", "number"], ["affine", "boolean"], ...DEVICE_DTYPE], keywordOnly: ["bias"] },
  InstanceNorm1d: INSTANCE_NORM,
  InstanceNorm2d: INSTANCE_NORM,
  InstanceNorm3d: INSTANCE_NORM,
  Embedding: {
    lead: ["num_embeddings", "embedding_dim"],
    params: [
      ["padding_idx", "number?"], ["max_norm", "number?"], ["norm_type", "number"], ["scale_grad_by_freq", "boolean"],
      ["sparse", "boolean"], ["_weight", "Tensor?"], ["_freeze", "boolean"], ...DEVICE_DTYPE,
    ],
    keywordOnly: [],
  },
  Dropout: DROPOUT,
  Dropout1d: DROPOUT,
  Dropout2d: DROPOUT,
  Dropout3d: DROPOUT,
  AlphaDropout: DROPOUT,
  FeatureAlphaDropout: DROPOUT,
  LeakyReLU: { lead: [], params: [["negative_slope", "number"], ["inplace", "boolean"]], keywordOnly: [] },
  ELU: { lead: [], params: [["alpha", "number"], ["inplace", "boolean"]], keywordOnly: [] },
  Softmax: SOFTMAX,
  LogSoftmax: SOFTMAX,
  Flatten: { lead: [], params: [["start_dim", "number"], ["end_dim", "number"]], keywordOnly: [] },
  CrossEntropyLoss: {
    lead: [],
    params: [["weight", "Tensor?"], DEPRECATED[0], ["ignore_index", "number"], DEPRECATED[1], ["reduction", "string"], ["label_smoothing", "number"]],
    keywordOnly: [],
  },
  NLLLoss: {
    lead: [],
    params: [["weight", "Tensor?"], DEPRECATED[0], ["ignore_index", "number"], DEPRECATED[1], ["reduction", "string"]],
    keywordOnly: [],
  },
  BCELoss: { lead: [], params: [["weight", "Tensor?"], ...DEPRECATED, ["reduction", "string"]], keywordOnly: [] },
  BCEWithLogitsLoss: { lead: [], params: [["weight", "Tensor?"], ...DEPRECATED, ["reduction", "string"], ["pos_weight", "Tensor?"]], keywordOnly: [] },
  MSELoss: { lead: [], params: [...DEPRECATED, ["reduction", "string"]], keywordOnly: [] },
  L1Loss: { lead: [], params: [...DEPRECATED, ["reduction", "string"]], keywordOnly: [] },
  SmoothL1Loss: { lead: [], params: [...DEPRECATED, ["reduction", "string"], ["beta", "number"]], keywordOnly: [] },
  HuberLoss: { lead: [], params: [["reduction", "string"], ["delta", "number"]], keywordOnly: [] },
  // Module's methods with positional flags: `model.zero_grad(false)`, `model.load_state_dict(sd, false)`.
  "Module.zero_grad": { lead: [], params: [["set_to_none", "boolean"]], keywordOnly: [], method: "zero_grad" },
  "Module.load_state_dict": { lead: ["state_dict"], params: [["strict", "boolean"], ["assign", "boolean"]], keywordOnly: [], method: "load_state_dict" },
  // `mode` is checked by train() itself, with PyTorch's ValueError
  "Module.train": { lead: [], params: [["mode", "any"]], keywordOnly: [], method: "train" },
  "Module.requires_grad_": { lead: [], params: [["requires_grad", "boolean"]], keywordOnly: [], method: "requires_grad_" },
  "Module.named_modules": {
    lead: [], params: [["memo", "any"], ["prefix", "string"], ["remove_duplicate", "boolean"]], keywordOnly: [], method: "named_modules",
  },
  "Module.set_submodule": { lead: ["target", "module"], params: [["strict", "boolean"]], keywordOnly: [], method: "set_submodule" },
};

const ACCEPTS: Record<NNArgType, [takes: string, ok: (v: unknown) => boolean]> = {
  "number": ["a number", (v) => typeof v === "number"],
  "number?": ["a number or null", (v) => v === null || typeof v === "number"],
  "boolean": ["true or false", (v) => typeof v === "boolean"],
  "string": ["a string", (v) => typeof v === "string"],
  "Tensor?": ["a Tensor or null", (v) => v === null || v instanceof Tensor],
  "device": ['"cpu" or null (lrlab runs on the CPU)', (v) => v === null || v === "cpu" || (typeof v === "object" && (v as { type?: unknown }).type === "cpu")],
  "dtype": ['a dtype ("float32", "float64") or null', (v) => v === null || typeof v === "string"],
  "deprecated": ["only null (deprecated in PyTorch and not in lrlab: use reduction, 'mean', 'sum' or 'none')", (v) => v === null],
  // checked by the caller, with its own (PyTorch's) message
  "any": ["anything", () => true],
};

/**
 * One options object for `key`'s constructor (NN_POSITIONAL[key]) from what followed its leading
 * arguments: the positional values under their names merged with a trailing options object.
 * `target` is `new.target.name`: the messages name it when it is a class of the table
 * (BatchNorm2d, which runs BatchNorm1d's constructor), else `key` (a user's subclass calling
 * `super(...)`: Python names the base's `__init__` too). Every key of the result is one of the
 * signature's names; `undefined` values are "not given" and dropped.
 */
export function nnArgs(key: string, target: string, args: readonly unknown[]): Record<string, unknown> {
  const sig = NN_POSITIONAL[key];
  const cls = sig.method !== undefined ? `${target}.${sig.method}` : `${Object.prototype.hasOwnProperty.call(NN_POSITIONAL, target) ? target : key}.__init__`;
  // Trailing `undefined`s are JS's "not given" (a wrapper forwarding its own optional arguments).
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const last = n > 0 ? args[n - 1] : undefined;
  const keywords = isOptionsObject(last) ? last : null;
  const positional = args.slice(0, keywords ? n - 1 : n);
  const names = [...sig.lead, ...sig.params.map((p) => p[0])];
  if (positional.length > sig.params.length) {
    const kwOnly = sig.keywordOnly.length > 0
      ? `; ${sig.keywordOnly.join(", ")} ${sig.keywordOnly.length === 1 ? "is" : "are"} keyword-only: pass ${sig.keywordOnly.length === 1 ? "it" : "them"} in the options object, e.g. { ${sig.keywordOnly[0]}: ... }`
      : "";
    throw TypeError_(
      `${cls}() takes at most ${names.length} positional arguments (${names.join(", ")}) ` +
        `but ${sig.lead.length + positional.length} were given${kwOnly}`,
    );
  }
  const out: Record<string, unknown> = {};
  positional.forEach((v, i) => {
    if (v === undefined) return;
    const [name, type] = sig.params[i];
    const [takes, ok] = ACCEPTS[type];
    if (!ok(v)) {
      throw TypeError_(
        `${cls}(): argument ${sig.lead.length + i + 1} is '${name}', which takes ${takes}, but got ${shown(v)} ` +
          `(the positional order is ${cls.replace(/\.__init__$/, "")}(${names.join(", ")}))`,
      );
    }
    out[name] = v;
  });
  if (keywords) {
    const allowed = [...sig.params.map((p) => p[0]), ...sig.keywordOnly];
    for (const [k, v] of Object.entries(keywords)) {
      if (!allowed.includes(k)) {
        throw TypeError_(`${cls}() got an unexpected keyword argument '${k}' (allowed: ${allowed.join(", ")})${nearKey(k, allowed)}`);
      }
      if (v === undefined) continue; // { eps: undefined } is "not given"
      if (k in out) throw TypeError_(`${cls}() got multiple values for argument '${k}' (given positionally and in the options object)`);
      const param = sig.params.find((p) => p[0] === k);
      // The options form keeps each class's own checks (and messages) for ordinary values; only
      // the kinds the classes never looked at (device, the deprecated flags) are checked here.
      if (param && (param[1] === "device" || param[1] === "deprecated") && !ACCEPTS[param[1]][1](v)) {
        throw TypeError_(`${cls}(): '${k}' takes ${ACCEPTS[param[1]][0]}, but got ${shown(v)}`);
      }
      out[k] = v;
    }
  }
  return out;
}

/** The trailing options object's fields common to the layers: PyTorch's factory keywords. */
export interface FactoryArgs {
  /** "cpu" or null: lrlab runs on the CPU. */
  device?: DeviceArg;
  /** "float32" or "float64" (default: torch.get_default_dtype()). */
  dtype?: DType | null;
}

/**
 * The options object of a functional loss (`F.mse_loss(x, y, { reduction })`): an unknown key is
 * an error, and the deprecated `size_average` / `reduce` (where PyTorch's F.* has them: `legacy`)
 * take only null, as the loss classes' constructors (NN_POSITIONAL's "deprecated"), instead of
 * being ignored (`F.mse_loss(x, y, { reduce: false })` used to return the mean).
 */
export function lossKeywords(op: string, options: unknown, allowed: readonly string[], legacy = true): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options) || options instanceof Tensor) {
    throw TypeError_(`${op}(): after input and target it takes an options object { ${allowed.join(", ")} }, but got ${shown(options)}`);
  }
  const names = legacy ? [...allowed, "size_average", "reduce"] : allowed;
  checkKeywords(op, options, names);
  if (!legacy) return;
  const [takes, ok] = ACCEPTS.deprecated;
  for (const k of ["size_average", "reduce"]) {
    const v = (options as Record<string, unknown>)[k];
    if (v !== undefined && !ok(v)) throw TypeError_(`${op}(): '${k}' takes ${takes}, but got ${shown(v)}`);
  }
}
