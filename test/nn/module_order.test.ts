/**
 * Children, parameters and buffers with integer-like names ("2", "0") keep their registration
 * order, as PyTorch's OrderedDicts do (test/fixtures/generate_module_order.py, "order"). A JS
 * object lists integer-like keys first: a named Sequential ran an appended child "2" before the
 * others, and the parameter order (an optimizer's indices), state_dict keys and printout followed.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { expectClose, fixture, fromFixture } from "./helpers";

const fx = fixture("module_order.json").order;

/** The names PyTorch printed for a module (generate_module_order.py's names()). */
function names(m: nn.Module) {
  return {
    named_parameters: m.named_parameters().map(([k]) => k),
    named_buffers: m.named_buffers().map(([k]) => k),
    state_dict: Object.keys(m.state_dict()),
    named_modules: m.named_modules().map(([k]) => k),
    named_children: m.named_children().map(([k]) => k),
    repr: String(m),
  };
}

function pick(f: Record<string, unknown>) {
  const { named_parameters, named_buffers, state_dict, named_modules, named_children, repr } = f;
  return { named_parameters, named_buffers, state_dict, named_modules, named_children, repr };
}

describe("a named Sequential with an appended child", () => {
  const build = () => {
    const s = new nn.Sequential({ fc: new nn.Linear(3, 2), act: new nn.ReLU() });
    s.append(new nn.Linear(2, 1));
    return s;
  };

  it("runs the appended child last, with PyTorch's values", () => {
    const s = build();
    const sd: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(fx.seq_append.state)) sd[k] = fromFixture(v as any);
    s.load_state_dict(sd);
    expectClose(s.forward(fromFixture(fx.seq_append.x)), fx.seq_append.y, "forward");
  });

  it("lists parameters, state_dict keys, modules and the printout in PyTorch's order", () => {
    const s = build();
    expect(names(s)).toEqual(pick(fx.seq_append));
    expect([...s].map((m) => m._get_name())).toEqual(["Linear", "ReLU", "Linear"]);
    expect(s.get(-1)).toBe(s.children()[2]);
  });

  it("gives an optimizer its parameters in that order", () => {
    const s = build();
    const opt = new torch.optim.SGD(s.parameters(), { lr: 0.1 });
    expect(opt.param_groups[0].params.map((p: Tensor) => p.shape)).toEqual([[2, 3], [2], [1, 2], [1]]);
  });

  it("keeps the order through train/eval and apply", () => {
    const s = build();
    const seen: string[] = [];
    s.apply((m) => seen.push(m._get_name()));
    expect(seen).toEqual(["Linear", "ReLU", "Linear", "Sequential"]);
  });
});

describe("a module's own add_module / register_parameter / register_buffer", () => {
  it("keeps registration order; reassigning keeps the place, deleting and adding again puts it last", () => {
    const m = new nn.Module();
    m.add_module("enc", new nn.Linear(1, 1));
    m.add_module("2", new nn.Linear(1, 1));
    m.add_module("a", new nn.ReLU());
    expect(names(m)).toEqual(pick(fx.add_module.added));
    (m as any).enc = new nn.Tanh();
    expect(names(m)).toEqual(pick(fx.add_module.enc_reassigned));
    delete (m as any).enc;
    (m as any).enc = new nn.Linear(1, 1);
    expect(names(m)).toEqual(pick(fx.add_module.enc_deleted_and_added));
  });

  it("parameters and buffers named \"0\", \"1\" come after those registered before them", () => {
    const build = () => {
      const p = new nn.Module();
      p.register_parameter("w", new nn.Parameter(torch.ones(1)));
      p.register_parameter("0", new nn.Parameter(torch.ones(1)));
      p.register_buffer("b", torch.ones(1));
      p.register_buffer("1", torch.ones(1));
      return p;
    };
    expect(names(build())).toEqual(pick(fx.register));
    const outer = new nn.Module();
    outer.add_module("inner", build());
    expect(names(outer)).toEqual(pick(fx.register_nested));
  });

  it("a state_dict whose top-level keys are integer-like lists them in the module's order, also after a delete", () => {
    const p = new nn.Module();
    p.register_parameter("w", new nn.Parameter(torch.ones(1)));
    p.register_parameter("0", new nn.Parameter(torch.ones(1)));
    const sd = p.state_dict();
    expect(Object.keys(sd)).toEqual(["w", "0"]); // fx.register.state_dict's first two
    // a dict forgets a deleted key's place: set again, it comes last
    const w = sd.w;
    delete sd.w;
    sd.w = w;
    expect(Object.keys(sd)).toEqual(["0", "w"]);
    expect(p.load_state_dict(sd).toString()).toBe("<All keys matched successfully>");
  });
});

describe("ModuleDict and ParameterDict from [key, value] pairs", () => {
  it("keep the pairs' order everywhere (ParameterDict's state_dict lists \"b\" before \"1\")", () => {
    // (a record cannot keep it: JavaScript lists its integer-like keys first)
    const md = new nn.ModuleDict([["b", new nn.ReLU()], ["1", new nn.Tanh()], ["a", new nn.Linear(1, 1)], ["0", new nn.Linear(1, 2)]]);
    expect(md.keys()).toEqual(fx.moduledict.keys);
    expect(names(md)).toEqual(pick(fx.moduledict));
    const pd = new nn.ParameterDict([["b", new nn.Parameter(torch.ones(1))], ["1", new nn.Parameter(torch.ones(2))]]);
    expect(pd.keys()).toEqual(fx.parameterdict.keys);
    expect(names(pd)).toEqual(pick(fx.parameterdict));
  });
});
