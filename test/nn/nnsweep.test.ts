/**
 * torch.nn.Module API and layer edges where a side-by-side sweep against PyTorch 2.13 found lrlab
 * different (each expectation is PyTorch's, from test/fixtures/generate_nnsweep.py):
 * - register_parameter / register_buffer / add_module: plain Errors where PyTorch raises KeyError;
 *   a name already holding another kind of member (a buffer over a parameter, a parameter over a
 *   submodule, a buffer over a number field) was taken; JS type names in the TypeErrors;
 * - train(1) was a plain Error (PyTorch: ValueError); train / requires_grad_ / named_modules
 *   refused (or crashed on) their keyword forms; Module.forward's error was not NotImplementedError;
 * - len(Sequential) counted a module held twice once; Sequential.insert returned nothing and
 *   clamped an index PyTorch refuses; no slices (`seq[1:3]`: `seq.slice(1, 3)`); container
 *   messages;
 * - load_state_dict: plain Errors (PyTorch: RuntimeError), an array taken as a state_dict,
 *   assign=True refused; to("cpu", float64) ignored the dtype, to(tensor) was refused;
 * - set_submodule, full backward hooks / backward pre-hooks, state_dict and load_state_dict hooks
 *   were missing; Embedding's max_norm was refused; Softmax2d was missing; GELU's bad
 *   approximation was a plain Error.
 * Error kinds are compared by name; PyTorch's IndexError is lrlab's RangeError.
 */
import { describe, expect, it, vi } from "vitest";
import * as torch from "../../kernel/src/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { expectClose, fixture, type FixtureTensor } from "./helpers";

const nn = torch.nn;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const FX = fixture<Record<string, Any>>("nnsweep.json");

class Net extends nn.Module {
  fc = new nn.Linear(2, 2);
  bn = new nn.BatchNorm1d(2);
  head = new nn.Sequential(new nn.Linear(2, 1));
}

/** What `fn` returned, or its error as the fixture writes one. */
function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    const err = e as Error;
    return { error: err.name === "RangeError" ? "IndexError" : err.name, message: err.message };
  }
}

/** Expects `fn` to throw PyTorch's error of the case (kind and text; lrlab may add to the text). */
function expectError(name: string, fn: () => unknown): void {
  const want = FX[name] as { error: string; message: string };
  expect(want.error, `${name}: the fixture has an error`).toBeDefined();
  const got = outcome(fn) as { error?: string; message?: string };
  expect(got.error, `${name}: kind`).toBe(want.error);
  expect(got.message, `${name}: message`).toContain(want.message);
}

const t = (v: number[] | number[][], dtype: "float32" | "float64" | "int64" = "float32"): Tensor => torch.tensor(v as Any, { dtype });
const names = (pairs: [string, unknown][]): string[] => pairs.map(([k]) => k);
const shapes = (gs: (Tensor | null)[]): (number[] | null)[] => gs.map((g) => (g === null ? null : [...g.shape]));

describe("registration", () => {
  it("register_parameter / register_buffer / add_module: PyTorch's errors and kinds", () => {
    const m = (): Any => new nn.Module();
    expectError("reg_param_dot", () => m().register_parameter("a.b", null));
    expectError("reg_param_empty", () => m().register_parameter("", null));
    expectError("reg_param_method_name", () => m().register_parameter("train", null));
    expectError("reg_param_not_str", () => m().register_parameter(3, null));
    expectError("reg_param_tensor", () => m().register_parameter("w", torch.zeros(2)));
    expectError("reg_param_over_buffer", () => new nn.BatchNorm1d(2).register_parameter("running_mean", new nn.Parameter(torch.zeros(2))));
    expectError("reg_param_over_module", () => new nn.Sequential(new nn.Linear(2, 2)).register_parameter("0", new nn.Parameter(torch.zeros(2))));
    expectError("reg_buffer_dot", () => m().register_buffer("a.b", null));
    expectError("reg_buffer_empty", () => m().register_buffer("", null));
    expectError("reg_buffer_number_field", () => {
      const x = m();
      x.x = 5;
      x.register_buffer("x", torch.zeros(1));
    });
    expectError("reg_buffer_not_tensor", () => m().register_buffer("x", 5));
    expectError("reg_buffer_over_param", () => new nn.Linear(2, 2).register_buffer("weight", torch.zeros(1)));
    expectError("add_module_dot", () => m().add_module("a.b", new nn.ReLU()));
    expectError("add_module_empty", () => m().add_module("", new nn.ReLU()));
    expectError("add_module_not_module", () => m().add_module("a", 5));
    expectError("add_module_method_name", () => m().add_module("forward", new nn.ReLU()));
    expectError("add_module_over_param", () => new nn.Linear(2, 2).add_module("weight", new nn.ReLU()));
    expectError("register_module_dot", () => m().register_module("a.b", new nn.ReLU()));
    expectError("module_dict_bad_key", () => new nn.ModuleDict().set("a.b", new nn.ReLU()));
  });

  it("a name may be registered again as the same kind (or over an empty slot)", () => {
    const lin = new nn.Linear(2, 2);
    lin.register_parameter("weight", new nn.Parameter(torch.ones(3)));
    expect(lin.named_parameters().map(([k, p]) => [k, [...p.shape]])).toEqual(FX.reg_param_over_param);
    const nob = new nn.Linear(2, 2, { bias: false });
    nob.register_parameter("bias", new nn.Parameter(torch.ones(2)));
    expect(names(nob.named_parameters())).toEqual(FX.reg_param_over_none);
    const bn = new nn.BatchNorm1d(2);
    bn.register_buffer("running_mean", torch.ones(2), { persistent: false });
    expect([names(bn.named_buffers()), Object.keys(bn.state_dict())]).toEqual(FX.reg_buffer_over_buffer);
    // lrlab's own leniency: a declared field (undefined) and a plain tensor field register as buffers
    class M extends nn.Module {
      declared!: Tensor;
      scale = torch.ones(1);
      constructor() {
        super();
        this.register_buffer("declared", torch.zeros(1));
        this.register_buffer("scale", this.scale);
      }
    }
    expect(Object.keys(new M().state_dict())).toEqual(["declared", "scale"]);
  });
});

describe("modes, keywords, forward", () => {
  it("train(non-bool) is PyTorch's ValueError; train / requires_grad_ / named_modules take keywords", () => {
    expectError("train_not_bool", () => (new Net().train as Any)(1));
    const n = new Net();
    n.train({ mode: false });
    expect(n.modules().map((m) => m.training)).toEqual(FX.train_keyword);
    const r = new Net();
    r.requires_grad_({ requires_grad: false });
    expect(r.parameters().map((p) => p.requires_grad)).toEqual(FX.requires_grad_keyword);
    const k = new Net();
    expect([names(k.named_modules({ prefix: "x" })), names(k.named_modules({ memo: null, prefix: "", remove_duplicate: false }))]).toEqual(FX.named_modules_keywords);
    const lin = new nn.Linear(2, 2);
    expect(names(new nn.Sequential(lin, new nn.ReLU()).named_modules(new Set([lin])))).toEqual(FX.named_modules_memo);
    expect(() => (k.named_modules as Any)({ prefx: "x" })).toThrow(/unexpected keyword argument 'prefx'/);
  });

  it("a module without forward, ModuleList and ModuleDict: NotImplementedError", () => {
    expectError("forward_missing", () => (new nn.Module() as Any).forward(1));
    expectError("module_list_forward", () => (new nn.ModuleList([new nn.Linear(1, 2)]) as Any).forward(torch.ones(1)));
    expectError("module_dict_forward", () => new nn.ModuleDict().forward(1));
  });

  it("a with_kwargs forward pre-hook returning something else: RuntimeError", () => {
    class K extends nn.Module {
      override forward(x: Tensor, { scale = 1.0 }: { scale?: number } = {}): Tensor {
        return x.mul(scale);
      }
    }
    const m = new K();
    m.register_forward_pre_hook(() => 5, { with_kwargs: true });
    // lrlab names the value's JS type ("got number 5") and says what a hook returns in JS
    const got = outcome(() => m.forward(torch.ones(1), { scale: 2.0 })) as { error: string; message: string };
    expect(got.error).toBe(FX.pre_hook_bad_return.error);
    expect(got.message).toContain((FX.pre_hook_bad_return.message as string).replace(/5\.$/, ""));
  });
});

describe("containers", () => {
  it("len counts a module held twice twice, as Python's len", () => {
    const lin = new nn.Linear(2, 2);
    const s = new nn.Sequential(lin, new nn.ReLU(), lin);
    const m = new nn.ModuleList([lin, lin]);
    expect([s.length, s.children().length, [...s].length, m.length, s.get(2) === lin]).toEqual(FX.len_with_repeated_module);
  });

  it("Sequential.insert returns the Sequential; out of [-len, len] is PyTorch's IndexError", () => {
    const s = new nn.Sequential(new nn.Linear(1, 2), new nn.Linear(2, 3));
    const r = s.insert(-1, new nn.ReLU());
    expect([r === s, String(s)]).toEqual(FX.seq_insert);
    const e = new nn.Sequential(new nn.Linear(1, 2), new nn.Linear(2, 3));
    e.insert(2, new nn.ReLU());
    expect(String(e)).toBe(FX.seq_insert_end);
    expectError("seq_insert_out_of_range", () => new nn.Sequential(new nn.Linear(1, 2), new nn.Linear(2, 3)).insert(3, new nn.ReLU()));
    expectError("seq_insert_out_of_range_neg", () => new nn.Sequential(new nn.Linear(1, 2), new nn.Linear(2, 3)).insert(-3, new nn.ReLU()));
  });

  it("slice(start, end) is Python's container[start:end]", () => {
    const s = new nn.Sequential(new nn.Linear(1, 2), new nn.ReLU(), new nn.Linear(2, 3), new nn.Tanh());
    const sl = s.slice(1, 3);
    expect([sl.constructor.name, String(sl), Object.keys(sl.state_dict()), sl.get(1) === s.get(2), String(s.slice(-2)), String(s.slice(0, -3))]).toEqual(FX.seq_slice);
    const named = new nn.Sequential({ a: new nn.Linear(1, 2), b: new nn.ReLU(), c: new nn.Linear(2, 3) }).slice(1);
    expect([String(named), Object.keys(named.state_dict())]).toEqual(FX.seq_slice_named);
    const ml = new nn.ModuleList([new nn.Linear(1, 2), new nn.ReLU(), new nn.Tanh()]);
    expect([ml.slice(1).constructor.name, String(ml.slice(1)), String(ml.slice(0, 1))]).toEqual(FX.module_list_slice);
  });

  it("messages for what is not a module", () => {
    expectError("seq_append_not_module", () => new nn.Sequential(new nn.Linear(1, 2)).append(3 as Any));
    expectError("seq_ctor_not_module", () => new nn.Sequential(new nn.Linear(1, 2), "relu" as Any));
    expectError("module_list_ctor_not_module", () => new nn.ModuleList([3.5 as Any]));
    expectError("module_list_extend_not_iterable", () => new nn.ModuleList([new nn.Linear(1, 2)]).extend(new nn.ReLU() as Any));
  });
});

describe("load_state_dict", () => {
  it("errors are RuntimeErrors; an array is not dict-like", () => {
    expectError("load_strict_error", () => {
      const n = new Net();
      const sd = n.state_dict();
      delete sd["fc.bias"];
      sd.extra = torch.zeros(1);
      n.load_state_dict(sd);
    });
    expectError("load_shape_error_non_strict", () => {
      const n = new Net();
      const sd = n.state_dict();
      sd["fc.weight"] = torch.zeros(3, 3);
      n.load_state_dict(sd, { strict: false });
    });
    expectError("load_list", () => new nn.Linear(2, 2).load_state_dict([1, 2] as Any));
  });

  it("assign: the checkpoint's tensors take the places of the module's", () => {
    const lin = new nn.Linear(2, 1);
    const w = t([[1.0, 2.0]], "float64");
    const b = t([0.5], "float64");
    lin.load_state_dict({ weight: w, bias: b }, { assign: true });
    const y = lin.forward(torch.ones([1, 2], { dtype: "float64" }));
    y.sum().backward();
    const f = FX.assign_parameters;
    expect([lin.weight.constructor.name, lin.bias!.constructor.name]).toEqual(f.types);
    expect([lin.weight.data === w.data, lin.bias!.data === b.data]).toEqual(f.shares);
    expect([lin.weight.requires_grad, lin.bias!.requires_grad]).toEqual(f.requires_grad);
    expect([lin.weight.dtype, lin.bias!.dtype]).toEqual(f.dtypes);
    expectClose(lin.weight.grad, f.weight_grad, "weight grad");
    expect(names(lin.named_parameters())).toEqual(f.names);

    const frozen = new nn.Linear(2, 2);
    frozen.weight.requires_grad_(false);
    const p = new nn.Parameter(torch.ones(2, 2));
    frozen.load_state_dict({ weight: p, bias: torch.zeros(2) }, { assign: true });
    expect([frozen.weight === p, frozen.weight.requires_grad, frozen.bias!.requires_grad]).toEqual(FX.assign_frozen_parameter);

    const bn = new nn.BatchNorm1d(2);
    const rm = t([1.0, 2.0], "float64");
    const sd: Record<string, Tensor> = Object.fromEntries(Object.entries(bn.state_dict()).map(([k, v]) => [k, v.clone()]));
    sd.running_mean = rm;
    bn.load_state_dict(sd, { assign: true });
    expect([bn.running_mean === rm, bn.running_mean!.dtype, bn.weight!.constructor.name, bn.num_batches_tracked!.dtype]).toEqual(FX.assign_buffers);

    expectError("assign_shape_error", () => new nn.Linear(2, 2).load_state_dict({ weight: torch.ones(3, 2), bias: torch.zeros(2) }, { assign: true }));
    const m = new nn.Module() as Any;
    m.register_buffer("t", torch.tensor(2.0));
    m.load_state_dict({ t: torch.tensor([5.0]) }, { assign: true });
    expectClose(m.t, FX.assign_0dim_from_shape_1, "0-dim buffer");
  });
});

describe("to()", () => {
  it("takes PyTorch's forms: (device, dtype), a tensor, null + dtype, keywords", () => {
    const out: unknown[] = [];
    const forms: unknown[][] = [["cpu"], [torch.device("cpu")], ["cpu", "float64"], [null, "float64"], ["float64"], [torch.zeros([1], { dtype: "float64" })]];
    for (const args of forms) {
      const lin = new nn.Linear(2, 2);
      const r = (lin.to as Any)(...args);
      out.push([r === lin, lin.weight.dtype]);
    }
    const lin = new nn.Linear(2, 2);
    lin.to({ device: "cpu", dtype: "float64", non_blocking: true });
    out.push([true, lin.weight.dtype]);
    const b = new nn.BatchNorm1d(2);
    b.to("cpu", "float64");
    out.push([b.running_mean!.dtype, b.num_batches_tracked!.dtype]);
    expect(out).toEqual(FX.to_forms);
  });

  it("integer and bool dtypes are PyTorch's TypeError; other devices say lrlab runs on the CPU", () => {
    expectError("to_int64", () => new nn.Linear(2, 2).to("int64"));
    expectError("to_bool", () => new nn.Linear(2, 2).to("bool"));
    expectError("to_int_tensor", () => new nn.Linear(2, 2).to(torch.zeros([1], { dtype: "int64" })));
    expect(() => new nn.Linear(2, 2).to("cuda")).toThrow("lrlab runs on the CPU only; got device cuda");
    expect(() => new nn.Linear(2, 2).to("cuda:0", "float64")).toThrow("lrlab runs on the CPU only; got device cuda:0");
    expect(() => new nn.Linear(2, 2).to("float16")).toThrow("dtype float16 is not in lrlab");
  });
});

describe("set_submodule", () => {
  it("replaces or adds a submodule at a dotted path, with PyTorch's errors", () => {
    const n = new Net();
    n.set_submodule("head.0", new nn.Linear(2, 3));
    n.set_submodule("fc", new nn.Linear(2, 2, { bias: false }), true);
    expect([String(n), Object.keys(n.state_dict())]).toEqual(FX.set_submodule_replace);
    const a = new Net();
    a.set_submodule("head.act", new nn.ReLU());
    expect([String(a.head), names(a.named_modules())]).toEqual(FX.set_submodule_new);
    expectError("set_submodule_new_strict", () => new Net().set_submodule("head.act", new nn.ReLU(), { strict: true }));
    expectError("set_submodule_missing_parent", () => new Net().set_submodule("x.y", new nn.ReLU()));
    expectError("set_submodule_through_non_module", () => new Net().set_submodule("fc.weight.y", new nn.ReLU()));
    expectError("set_submodule_buffer", () => new Net().set_submodule("bn.running_mean", new nn.ReLU()));
    expectError("set_submodule_method", () => new Net().set_submodule("train", new nn.ReLU()));
    expectError("set_submodule_empty", () => new Net().set_submodule("", new nn.ReLU()));
    expectError("set_submodule_not_module", () => new Net().set_submodule("fc", 3 as Any));
  });

  it("an array field's item", () => {
    class M extends nn.Module {
      heads = [new nn.Linear(2, 2), new nn.Linear(2, 3)];
    }
    const m = new M();
    const lin = new nn.Linear(2, 5);
    m.set_submodule("heads.1", lin);
    expect(m.heads[1]).toBe(lin);
    expect(m.get_submodule("heads.1")).toBe(lin);
    expect(() => m.set_submodule("heads.2", lin)).toThrow(/index 2 is out of range/);
  });
});

describe("full backward hooks", () => {
  it("run in PyTorch's order with grad_input and grad_output, in a Sequential", () => {
    torch.manual_seed(0);
    const s = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const log: unknown[] = [];
    [...s].forEach((m, i) => {
      m.register_full_backward_hook((_m, gi, go) => void log.push(["hook", i, shapes(gi), shapes(go)]));
      m.register_full_backward_pre_hook((_m, go) => void log.push(["pre", i, shapes(go)]));
    });
    s.register_full_backward_hook((_m, gi, go) => void log.push(["seq", shapes(gi), shapes(go)]));
    const x = torch.randn([5, 3], { requires_grad: true });
    s.forward(x).pow(2).sum().backward();
    expect(log).toEqual(FX.backward_hooks_sequential.log);
    expectClose(x.grad, FX.backward_hooks_sequential.x_grad, "x.grad");
  });

  it("give PyTorch's gradients; the nodes are BackwardHookFunctionBackward", () => {
    torch.manual_seed(0);
    const m = new nn.Linear(2, 3);
    const seen: (Tensor | null)[][] = [];
    m.register_full_backward_hook((_m, gi, go) => void seen.push([gi[0], go[0]]));
    const x = torch.ones([4, 2], { requires_grad: true });
    const y = m.forward(x);
    y.pow(2).sum().backward();
    expect(seen.length).toBe(1);
    expectClose(seen[0][0], FX.backward_hook_values.seen[0][0], "grad_input");
    expectClose(seen[0][1], FX.backward_hook_values.seen[0][1], "grad_output");
    expect([y.grad_fn!.name(), (y.grad_fn as Any).next_functions[0][0].name()]).toEqual(FX.backward_hook_values.grad_fn);
  });

  it("a returned array replaces grad_input (hook) or grad_output (pre-hook)", () => {
    torch.manual_seed(0);
    const m = new nn.Linear(2, 3);
    m.register_full_backward_hook((_m, gi) => [gi[0]!.mul(0.5)]);
    const x = torch.ones([4, 2], { requires_grad: true });
    m.forward(x).sum().backward();
    expectClose(x.grad, FX.backward_hook_replaces_grad_input[0], "x.grad");
    expectClose(m.weight.grad, FX.backward_hook_replaces_grad_input[1], "weight.grad");
    torch.manual_seed(0);
    const p = new nn.Linear(2, 3, { bias: false });
    p.register_full_backward_pre_hook((_m, go) => [go[0]!.mul(2)]);
    const x2 = torch.ones([4, 2], { requires_grad: true });
    p.forward(x2).sum().backward();
    expectClose(p.weight.grad, FX.backward_pre_hook_replaces_grad_output[0], "weight.grad");
    expectClose(x2.grad, FX.backward_pre_hook_replaces_grad_output[1], "x.grad");
  });

  it("inputs without gradients, unused outputs, tuple outputs", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      torch.manual_seed(0);
      const m = new nn.Linear(2, 3);
      const log: unknown[] = [];
      m.register_full_backward_hook((_m, gi, go) => void log.push([gi, shapes(go)]));
      m.forward(torch.ones(4, 2)).sum().backward();
      expect(log).toEqual(FX.backward_hook_no_input_grad);
      expect(warn.mock.calls.some((c) => String(c[0]).includes("Full backward hook is firing when gradients are computed with respect to module outputs"))).toBe(true);
    } finally {
      warn.mockRestore();
    }

    torch.manual_seed(0);
    const bil = new nn.Bilinear(2, 3, 4);
    const blog: unknown[] = [];
    bil.register_full_backward_hook((_m, gi, go) => void blog.push([shapes(gi), gi[1], shapes(go)]));
    const a = torch.randn([5, 2], { requires_grad: true });
    const b = torch.randn(5, 3);
    bil.forward(a, b).sum().backward();
    const want = FX.backward_hook_input_without_grad[0];
    expect((blog[0] as Any)[0]).toEqual(want[0]);
    expectClose((blog[0] as Any)[1], want[1], "zeros for the input without grad");
    expect((blog[0] as Any)[2]).toEqual(want[2]);

    torch.manual_seed(0);
    class Two extends nn.Module {
      lin = new nn.Linear(2, 2);
      override forward(x: Tensor): [Tensor, Tensor] {
        const y = this.lin.forward(x);
        return [y, y.mul(3)];
      }
    }
    const two = new Two();
    const tlog: unknown[] = [];
    two.register_full_backward_hook((_m, gi, go) => void tlog.push([shapes(gi), shapes(go)]));
    const x = torch.randn([3, 2], { requires_grad: true });
    const [, second] = two.forward(x);
    second.sum().backward();
    expect(tlog).toEqual(FX.backward_hook_unused_output.log);
    expectClose(x.grad, FX.backward_hook_unused_output.x_grad, "x.grad");

    torch.manual_seed(0);
    const lstm = new nn.LSTM(3, 4);
    const llog: unknown[] = [];
    lstm.register_full_backward_hook((_m, gi, go) => void llog.push([shapes(gi), shapes(go)]));
    const xs = torch.randn([5, 2, 3], { requires_grad: true });
    const [out] = lstm.forward(xs);
    out.sum().backward();
    expect(llog).toEqual(FX.backward_hook_lstm.log);
    expectClose(xs.grad, FX.backward_hook_lstm.x_grad, "x.grad");
  });

  it("once per call, prepend, removal, nothing under no_grad", () => {
    torch.manual_seed(0);
    const m = new nn.Linear(2, 2);
    const n: unknown[] = [];
    const h = m.register_full_backward_hook((_m, _gi, go) => void n.push(shapes(go)));
    m.register_full_backward_hook(() => void n.push("first"), { prepend: true });
    const x = torch.randn([3, 2], { requires_grad: true });
    m.forward(x).sum().add(m.forward(x.narrow(0, 0, 1)).sum()).backward();
    h.remove();
    m.forward(x).sum().backward();
    torch.no_grad(() => m.forward(x));
    expect(n).toEqual(FX.backward_hook_twice_and_removed);
  });

  it("wrong returns: PyTorch's RuntimeErrors", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const a = new nn.Linear(2, 2);
      a.register_full_backward_hook((_m, gi) => [gi[0], gi[0]]);
      expectError("backward_hook_wrong_length", () => a.forward(torch.randn([3, 2], { requires_grad: true })).sum().backward());
      const b = new nn.Linear(2, 2);
      b.register_full_backward_pre_hook((_m, go) => [go[0], go[0]]);
      expectError("backward_pre_hook_wrong_length", () => b.forward(torch.randn([3, 2], { requires_grad: true })).sum().backward());
      const c = new nn.Linear(2, 2);
      c.register_full_backward_hook(() => [torch.zeros(1)]);
      expectError("backward_hook_no_input_returns", () => c.forward(torch.randn(3, 2)).sum().backward());
    } finally {
      warn.mockRestore();
    }
  });
});

describe("state_dict and load_state_dict hooks", () => {
  it("a load_state_dict pre-hook sees its prefix's keys and may rename them", () => {
    const n = new Net();
    const sd = n.state_dict();
    sd["fc.old_w"] = sd["fc.weight"];
    delete sd["fc.weight"];
    const log: unknown[] = [];
    n.fc.register_load_state_dict_pre_hook((_m, local, prefix, meta, strict, missing, unexpected) => {
      log.push([prefix, Object.keys(local).sort(), strict, [...missing], [...unexpected], meta]);
      if (`${prefix}old_w` in local) {
        local[`${prefix}weight`] = local[`${prefix}old_w`];
        delete local[`${prefix}old_w`];
      }
    });
    expect([log, String(n.load_state_dict(sd))].slice(1)).toEqual(FX.load_pre_hook_renames.slice(1));
    expect(log).toEqual(FX.load_pre_hook_renames[0]);
  });

  it("post-hooks run children first with the keys found so far, and may clear them", () => {
    const n = new Net();
    const log: unknown[] = [];
    for (const [name, m] of n.named_modules()) {
      m.register_load_state_dict_post_hook((_m, k) => void log.push([name, [...k.missing_keys], [...k.unexpected_keys]]));
    }
    const sd = n.state_dict();
    delete sd["bn.running_var"];
    sd["head.0.x"] = torch.zeros(1);
    sd.y = torch.zeros(1);
    const r = n.load_state_dict(sd, { strict: false });
    expect([log, String(r)]).toEqual(FX.load_post_hook_order);

    const c = new Net();
    c.register_load_state_dict_post_hook((_m, k) => void k.unexpected_keys.splice(0));
    const sd2 = c.state_dict();
    sd2.junk = torch.zeros(1);
    expect(String(c.load_state_dict(sd2))).toBe(FX.load_post_hook_clears);

    const bad = new Net();
    bad.register_load_state_dict_post_hook((() => 5) as Any);
    expectError("load_post_hook_returns", () => bad.load_state_dict(bad.state_dict()));

    const e = new Net();
    e.fc.register_load_state_dict_pre_hook((_m, _sd, _p, _meta, _s, _mi, _u, errs) => void errs.push("custom problem"));
    const sd3 = e.state_dict();
    sd3["fc.weight"] = torch.zeros(3, 3);
    expectError("load_pre_hook_error_msgs", () => e.load_state_dict(sd3));
  });

  it("state_dict pre-hooks and post-hooks; a post-hook's keys keep their place", () => {
    const n = new Net();
    const log: unknown[] = [];
    n.fc.register_state_dict_pre_hook((_m, prefix, keep_vars) => void log.push(["pre", prefix, keep_vars]));
    n.bn.register_state_dict_post_hook((_m, sd, prefix, meta) => {
      log.push(["post", prefix, Object.keys(sd), meta]);
      sd[`${prefix}extra`] = torch.ones(1);
      delete sd[`${prefix}running_mean`];
    });
    const keys = Object.keys(n.state_dict({ prefix: "m.", keep_vars: true }));
    expect([log, keys]).toEqual(FX.state_dict_hooks);
    const bad = new Net();
    bad.register_state_dict_post_hook((() => ({})) as Any);
    expectError("state_dict_post_hook_returns", () => bad.state_dict());
    const removed = new Net();
    removed.register_state_dict_post_hook((_m, sd) => {
      for (const k of Object.keys(sd)) delete sd[k];
    }).remove();
    expect(Object.keys(removed.state_dict())).toHaveLength(9);
  });
});

describe("layers", () => {
  function embeddingRun(e: InstanceType<typeof nn.Embedding>, idx: Tensor, want: Record<string, FixtureTensor | string>): void {
    const y = e.forward(idx);
    const g = torch.randn(y.shape, { dtype: y.dtype });
    y.mul(g).sum().backward();
    expect(String(e)).toBe(want.repr);
    expectClose(y, want.y as FixtureTensor, "output");
    expectClose(e.weight, want.weight as FixtureTensor, "weight after renorm");
    expectClose(e.weight.grad, want.grad as FixtureTensor, "weight grad");
  }

  it("Embedding(max_norm) renormalises the rows it reads, in place, as PyTorch", () => {
    const idx = (v: number[] | number[][]): Tensor => t(v, "int64");
    torch.manual_seed(0);
    embeddingRun(new nn.Embedding(6, 3, { max_norm: 1.0 }), idx([[0, 2, 2, 5], [1, 2, 0, 0]]), FX.embedding_max_norm);
    torch.manual_seed(0);
    embeddingRun(new nn.Embedding(6, 3, { padding_idx: 2, max_norm: 0.5, norm_type: 1.0 }), idx([3, 2, 4, 3]), FX.embedding_max_norm_p1_padding);
    torch.manual_seed(0);
    embeddingRun(new nn.Embedding(5, 4, { max_norm: 0.7, norm_type: Infinity, dtype: "float64" }), idx([4, 1, 0]), FX.embedding_max_norm_inf_float64);
    torch.manual_seed(0);
    embeddingRun(new nn.Embedding(5, 4, { max_norm: 0.9, norm_type: 3.0 }), idx([4, 1, 0, 1]), FX.embedding_max_norm_p3);

    const w = t([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]);
    const e = nn.Embedding.from_pretrained(w, { max_norm: 2.0 });
    const y = e.forward(idx([0, 1]));
    const f = FX.embedding_from_pretrained_max_norm;
    expect([String(e), e.weight.requires_grad]).toEqual([f.repr, f.requires_grad]);
    expectClose(y, f.y, "output");
    expectClose(w, f.weight, "table renormalised in place");

    torch.manual_seed(0);
    const fw = torch.randn(4, 3);
    const fy = nn.functional.embedding(idx([3, 1]), fw, { max_norm: 0.5 });
    expectClose(fy, FX.functional_embedding_max_norm.y, "F.embedding output");
    expectClose(fw, FX.functional_embedding_max_norm.weight, "F.embedding weight");
  });

  it("Embedding: a float index tensor is PyTorch's message", () => {
    const got = outcome(() => new nn.Embedding(3, 2).forward(torch.tensor([1.0]))) as { message: string };
    expect(got.message).toBe(FX.embedding_index_dtype.message);
  });

  it("GELU: an unknown approximation is PyTorch's RuntimeError", () => {
    expectError("gelu_bad_approximate", () => new nn.GELU({ approximate: "foo" as Any }).forward(torch.ones(1)));
    expectError("functional_gelu_bad_approximate", () => nn.functional.gelu(torch.ones(1), { approximate: "foo" as Any }));
  });

  it("Softmax2d", () => {
    torch.manual_seed(0);
    const x = torch.randn([2, 3, 2, 2], { requires_grad: true });
    const m = new nn.Softmax2d();
    const y = m.forward(x);
    const g = torch.randn(y.shape);
    y.mul(g).sum().backward();
    expect(String(m)).toBe(FX.softmax2d.repr);
    expectClose(y, FX.softmax2d.y, "output");
    expectClose(x.grad, FX.softmax2d.x_grad, "x.grad");
    expectClose(m.forward(x.select(0, 0)), FX.softmax2d.unbatched, "unbatched");
    expectError("softmax2d_2d", () => m.forward(torch.randn(2, 3)));
  });
});
