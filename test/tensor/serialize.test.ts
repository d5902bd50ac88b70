/**
 * torch.save / torch.load through real files in a temp dir: tensors of every dtype bit for bit,
 * requires_grad and Parameters as PyTorch's load gives them, nested values, shared storage and
 * shared objects, state_dicts of models, optimizers and schedulers (training continues exactly as
 * if nothing had been saved), the format's header, and the errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../kernel/src/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Parameter } from "../../kernel/src/nn/parameter";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lrlab-serialize-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string) => join(dir, name);

function roundtrip<T>(obj: T, name = "x.pt"): any {
  torch.save(obj, file(name));
  return torch.load(file(name));
}

/** Bit-for-bit equality of two tensors' elements (NaN payloads, -0), and same dtype and shape. */
function expectSameBits(a: Tensor, b: Tensor): void {
  expect(b.dtype).toBe(a.dtype);
  expect(b.shape).toEqual(a.shape);
  expect(b.data.constructor).toBe(a.data.constructor);
  const ua = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const ub = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  expect(Buffer.from(ub).equals(Buffer.from(ua))).toBe(true);
}

describe("tensors", () => {
  it("keeps dtypes, shapes and every bit of float32 and float64 values (NaN payloads, -0, inf, subnormals)", () => {
    const f32 = new Float32Array(37);
    const u32 = new Uint32Array(f32.buffer);
    for (let i = 0; i < u32.length; i++) u32[i] = (Math.imul(i + 1, 2654435761) ^ (i << 7)) >>> 0;
    u32[0] = 0x7fc00001; // a NaN with a payload
    u32[1] = 0x80000000; // -0
    u32[2] = 0x00000001; // the smallest subnormal
    const f64 = new Float64Array([Math.PI, -0, Infinity, -Infinity, NaN, 5e-324, 1.7976931348623157e308, 0.1]);
    const tensors = [
      new Tensor(f32, [37], "float32"),
      new Tensor(f64, [2, 4], "float64"),
      torch.tensor([[-3, 0, 9007199254740991], [-9007199254740991, 42, 1]], { dtype: "int64" }),
      torch.tensor([true, false, true], { dtype: "bool" }),
      torch.tensor(2.5),
      torch.zeros([0, 3]),
      torch.randn(2, 3, 4, { dtype: "float64" }),
    ];
    const back = roundtrip(tensors) as Tensor[];
    expect(back).toHaveLength(tensors.length);
    tensors.forEach((t, i) => expectSameBits(t, back[i]));
    expect(back[2].tolist()).toEqual([[-3, 0, 9007199254740991], [-9007199254740991, 42, 1]]);
    expect(back[4].shape).toEqual([]);
  });

  it("keeps requires_grad; a saved non-leaf comes back a leaf that requires grad, without .grad (as PyTorch)", () => {
    const a = torch.randn(3, { requires_grad: true });
    a.grad = torch.ones(3);
    const b = a.mul(2);
    const c = torch.randn(2);
    const back = roundtrip({ a, b, c });
    expect(back.a.requires_grad).toBe(true);
    expect(back.a.is_leaf).toBe(true);
    expect(back.a.grad).toBe(null);
    expect(back.b.requires_grad).toBe(true);
    expect(back.b.is_leaf).toBe(true);
    expect(back.b.grad_fn).toBe(null);
    expect(back.c.requires_grad).toBe(false);
    expectSameBits(b, back.b);
    // the loaded tensor is usable in autograd
    back.a.sum().backward();
    expect(Array.from(back.a.grad.data)).toEqual([1, 1, 1]);
  });

  it("gives Parameters back as Parameters with their requires_grad", () => {
    const p = new torch.nn.Parameter(torch.randn(2, 2));
    const q = new torch.nn.Parameter(torch.randn(3), false);
    const back = roundtrip([p, q, p.detach()]);
    expect(back[0]).toBeInstanceOf(Parameter);
    expect(back[0].requires_grad).toBe(true);
    expect(back[1]).toBeInstanceOf(Parameter);
    expect(back[1].requires_grad).toBe(false);
    expect(back[2]).not.toBeInstanceOf(Parameter);
    expect(String(back[0]).startsWith("Parameter containing:")).toBe(true);
    expectSameBits(p, back[0]);
  });

  it("tensors that shared storage share it again; the same tensor twice is one tensor", () => {
    const base = torch.arange(6, { dtype: "float64" });
    const v = base.view(2, 3);
    const back = roundtrip({ base, v, again: base });
    expect(back.again).toBe(back.base);
    expect(back.v.shape).toEqual([2, 3]);
    expect(back.v.data).toBe(back.base.data);
    back.base.data[4] = 40;
    expect(back.v.tolist()[1][1]).toBe(40);
  });
});

describe("nested values", () => {
  it("round-trips numbers (NaN, ±Infinity, -0), strings, booleans, null, undefined, arrays and objects in key order", () => {
    const obj = {
      n: [1, -2.5, NaN, Infinity, -Infinity, -0, 0, 1e-310, Number.MAX_SAFE_INTEGER],
      s: ["", "é漢字\n\"q\"", "$list"],
      b: [true, false],
      z: null,
      u: undefined,
      nested: { 10: "ten", 2: "two", b: { deep: [[], {}, [[torch.ones(1)]]] } },
      $dict: "a key that looks like a tag",
      ["__proto__"]: 5,
    };
    Object.defineProperty(obj, "__proto__", { value: 5, enumerable: true, configurable: true, writable: true });
    const back = roundtrip(obj);
    expect(Object.keys(back)).toEqual(Object.keys(obj));
    expect(back.n.slice(0, 2)).toEqual([1, -2.5]);
    expect(back.n[2]).toBeNaN();
    expect(back.n[3]).toBe(Infinity);
    expect(back.n[4]).toBe(-Infinity);
    expect(Object.is(back.n[5], -0)).toBe(true);
    expect(Object.is(back.n[6], 0)).toBe(true);
    expect(back.n.slice(7)).toEqual([1e-310, Number.MAX_SAFE_INTEGER]);
    expect(back.s).toEqual(obj.s);
    expect(back.b).toEqual([true, false]);
    expect(back.z).toBe(null);
    expect("u" in back).toBe(true);
    expect(back.u).toBe(undefined);
    expect(Object.keys(back.nested)).toEqual(["2", "10", "b"]);
    expect(back.nested.b.deep[2][0][0]).toBeInstanceOf(Tensor);
    expect(back.$dict).toBe("a key that looks like a tag");
    expect(Object.getOwnPropertyDescriptor(back, "__proto__")?.value).toBe(5);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(roundtrip(3.25)).toBe(3.25);
    expect(roundtrip("text")).toBe("text");
    expect(roundtrip(null)).toBe(null);
  });

  it("keeps shared and cyclic objects as one object (as pickle's memo)", () => {
    const shared = { k: [1, 2] };
    const obj: any = { a: shared, b: shared, list: [shared] };
    obj.self = obj;
    const back = roundtrip(obj);
    expect(back.a).toBe(back.b);
    expect(back.list[0]).toBe(back.a);
    expect(back.self).toBe(back);
    expect(back.a.k).toEqual([1, 2]);
  });

  it("round-trips typed arrays (optimizers such as LBFGS keep state in them)", () => {
    const f = new Float32Array([1.5, NaN, -0]);
    const i = new Int32Array([-1, 7]);
    const g = new BigInt64Array([-5n, 2n ** 62n]);
    const back = roundtrip({ f, i, g, f2: f });
    expect(back.f).toBeInstanceOf(Float32Array);
    expect(Array.from(back.f.slice(0, 1))).toEqual([1.5]);
    expect(back.f[1]).toBeNaN();
    expect(Object.is(back.f[2], -0)).toBe(true);
    expect(back.f2).toBe(back.f);
    expect(Array.from(back.i)).toEqual([-1, 7]);
    expect(Array.from(back.g)).toEqual([-5n, 2n ** 62n]);
  });
});

class Net extends torch.nn.Module {
  fc1 = new torch.nn.Linear(4, 8);
  bn = new torch.nn.BatchNorm1d(8);
  fc2 = new torch.nn.Linear(8, 2);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(torch.relu(this.bn.forward(this.fc1.forward(x))));
  }
}

describe("state_dicts", () => {
  it("model.load_state_dict(torch.load(...)) restores parameters and buffers exactly", () => {
    torch.manual_seed(0);
    const a = new Net();
    a.forward(torch.randn(5, 4)); // moves BatchNorm's running stats and num_batches_tracked
    torch.save(a.state_dict(), file("model.pt"));
    torch.manual_seed(1);
    const b = new Net();
    const loaded = torch.load(file("model.pt"));
    expect(Object.keys(loaded)).toEqual(Object.keys(a.state_dict()));
    expect(loaded["bn.num_batches_tracked"].dtype).toBe("int64");
    expect(loaded["fc1.weight"].requires_grad).toBe(false); // state_dict() detaches, as PyTorch's
    b.load_state_dict(loaded);
    for (const [k, t] of Object.entries(a.state_dict())) expectSameBits(t, b.state_dict()[k]);
    a.eval();
    b.eval();
    const x = torch.randn(3, 4);
    expectSameBits(a.forward(x), b.forward(x));
  });

  // (NAdam in float32: its mu_product is made in the default dtype and cast to the parameter's on
  // load, as in PyTorch, so with float64 parameters a loaded run rounds it differently.)
  const optimizers: [string, (p: Tensor[]) => any, (o: any) => any, ("float32" | "float64")?][] = [
    ["SGD with momentum + StepLR", (p) => new torch.optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }), (o) => new torch.optim.lr_scheduler.StepLR(o, { step_size: 2, gamma: 0.5 })],
    ["Adam amsgrad + CosineAnnealingLR", (p) => new torch.optim.Adam(p, { lr: 0.01, amsgrad: true, weight_decay: 0.01 }), (o) => new torch.optim.lr_scheduler.CosineAnnealingLR(o, { T_max: 7 })],
    ["AdamW + LambdaLR", (p) => new torch.optim.AdamW(p, { lr: 0.02 }), (o) => new torch.optim.lr_scheduler.LambdaLR(o, { lr_lambda: (e: number) => 1 / (1 + e) })],
    ["NAdam + ReduceLROnPlateau (best = Infinity)", (p) => new torch.optim.NAdam(p, { lr: 0.01 }), (o) => new torch.optim.lr_scheduler.ReduceLROnPlateau(o, { patience: 0 }), "float32"],
    ["RMSprop centered + OneCycleLR", (p) => new torch.optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 }), (o) => new torch.optim.lr_scheduler.OneCycleLR(o, { max_lr: 0.05, total_steps: 20 })],
    ["Adagrad + SequentialLR", (p) => new torch.optim.Adagrad(p, { lr: 0.05 }), (o) => new torch.optim.lr_scheduler.SequentialLR(o, {
      schedulers: [new torch.optim.lr_scheduler.LinearLR(o, { start_factor: 0.5, total_iters: 2 }), new torch.optim.lr_scheduler.ExponentialLR(o, { gamma: 0.9 })],
      milestones: [2],
    })],
  ];

  for (const [name, makeOpt, makeSched, dtype = "float64"] of optimizers) {
    it(`${name}: save after 3 steps, load into fresh objects, the next 4 steps are the same as without saving`, () => {
      const x = torch.randn(6, 4, { dtype });
      const y = torch.randn(6, 2, { dtype });
      const train = (model: Net, opt: any, sched: any, steps: number) => {
        for (let i = 0; i < steps; i++) {
          opt.zero_grad();
          const loss = torch.nn.functional.mse_loss(model.forward(x), y);
          loss.backward();
          opt.step();
          if (sched instanceof torch.optim.lr_scheduler.ReduceLROnPlateau) sched.step(loss.item());
          else sched.step();
        }
      };
      torch.manual_seed(3);
      const a = new Net().to(dtype);
      const optA = makeOpt(a.parameters());
      const schedA = makeSched(optA);
      train(a, optA, schedA, 3);
      torch.save({ model: a.state_dict(), optimizer: optA.state_dict(), scheduler: schedA.state_dict(), epoch: 3 }, file("ckpt.pt"));
      train(a, optA, schedA, 4);

      torch.manual_seed(4);
      const b = new Net().to(dtype);
      const optB = makeOpt(b.parameters());
      const schedB = makeSched(optB);
      const ckpt = torch.load(file("ckpt.pt"), { weights_only: true });
      expect(ckpt.epoch).toBe(3);
      b.load_state_dict(ckpt.model);
      optB.load_state_dict(ckpt.optimizer);
      schedB.load_state_dict(ckpt.scheduler);
      train(b, optB, schedB, 4);

      for (const [k, t] of Object.entries(a.state_dict())) expectSameBits(t, b.state_dict()[k]);
      expect(optB.param_groups.map((g: any) => g.lr)).toEqual(optA.param_groups.map((g: any) => g.lr));
      expect(JSON.stringify(schedB.state_dict())).toEqual(JSON.stringify(schedA.state_dict()));
    });
  }

  it("LBFGS: its typed-array state round-trips and the next step is the same", () => {
    const x = torch.randn(8, 4, { dtype: "float64" });
    const y = torch.randn(8, 2, { dtype: "float64" });
    const run = (model: Net, opt: any, n: number) => {
      for (let i = 0; i < n; i++) {
        opt.step(() => {
          opt.zero_grad();
          const loss = torch.nn.functional.mse_loss(model.forward(x), y);
          loss.backward();
          return loss;
        });
      }
    };
    torch.manual_seed(5);
    const a = new Net().double();
    const optA = new torch.optim.LBFGS(a.parameters(), { lr: 0.5, max_iter: 3, history_size: 4 });
    run(a, optA, 2);
    torch.save([a.state_dict(), optA.state_dict()], file("lbfgs.pt"));
    run(a, optA, 2);
    const b = new Net().double();
    const optB = new torch.optim.LBFGS(b.parameters(), { lr: 0.5, max_iter: 3, history_size: 4 });
    const [m, o] = torch.load(file("lbfgs.pt"));
    b.load_state_dict(m);
    optB.load_state_dict(o);
    run(b, optB, 2);
    for (const [k, t] of Object.entries(a.state_dict())) expectSameBits(t, b.state_dict()[k]);
  });
});

describe("the file", () => {
  it("starts with the signature, a length and a JSON header with format and version 1; data 8-aligned", () => {
    torch.save({ w: torch.tensor([1, 2, 3]) }, file("h.pt"));
    const buf = readFileSync(file("h.pt"));
    expect(buf.subarray(0, 8).toString("latin1")).toBe("LRLABSV\n");
    const h = buf.readUInt32LE(8);
    expect((12 + h) % 8).toBe(0);
    const header = JSON.parse(buf.subarray(12, 12 + h).toString("utf8"));
    expect(header.format).toBe("lrlab.save");
    expect(header.version).toBe(1);
    expect(header.tensors).toEqual([{ storage: 0, dtype: "float32", shape: [3], requires_grad: false, parameter: false }]);
    expect(header.storages).toEqual([{ kind: "float32", length: 3, offset: 0 }]);
    expect(header.root).toEqual({ $dict: { w: { $tensor: 0 } } });
    expect(Array.from(new Float32Array(buf.buffer.slice(buf.byteOffset + 12 + h, buf.byteOffset + 12 + h + 12)))).toEqual([1, 2, 3]);
  });

  it("accepts map_location ('cpu', torch.device('cpu'), an object, a function called once per storage) and weights_only", () => {
    const t = torch.tensor([1, 2]);
    torch.save({ t, v: t.view(2, 1) }, file("m.pt"));
    expect(torch.load(file("m.pt"), { map_location: "cpu" }).t.tolist()).toEqual([1, 2]);
    expect(torch.load(file("m.pt"), { map_location: torch.device("cpu"), weights_only: false }).t.tolist()).toEqual([1, 2]);
    expect(torch.load(file("m.pt"), { map_location: { cpu: "cpu" } }).t.tolist()).toEqual([1, 2]);
    const calls: string[] = [];
    const back = torch.load(file("m.pt"), { map_location: (s, loc) => (calls.push(loc), s) });
    expect(calls).toEqual(["cpu"]);
    expect(back.v.data).toBe(back.t.data);
    expect(torch.load(new URL(`file://${file("m.pt")}`)).t.tolist()).toEqual([1, 2]);
  });

  it("raises clear errors", () => {
    expect(() => torch.load(file("missing.pt"))).toThrow(`[Errno 2] No such file or directory: '${file("missing.pt")}'`);
    expect(() => torch.save(1, join(dir, "no", "such", "x.pt"))).toThrow(`Parent directory ${join(dir, "no", "such")} does not exist.`);
    writeFileSync(file("text.pt"), "hello, this is not a checkpoint");
    expect(() => torch.load(file("text.pt"))).toThrow(/is not a file written by lrlab's torch\.save/);
    writeFileSync(file("zip.pt"), Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(() => torch.load(file("zip.pt"))).toThrow(/is a PyTorch checkpoint \(zip\/pickle\), which lrlab cannot read/);
    mkdirSync(file("adir"));
    expect(() => torch.load(file("adir"))).toThrow("[Errno 21] Is a directory");

    expect(() => torch.save({ f: [1, () => 2] }, file("bad.pt"))).toThrow("torch.save: cannot save a function (at obj.f[1])");
    expect(() => torch.save({ m: new Net() }, file("bad.pt"))).toThrow(/cannot save an instance of Net \(at obj\.m\).*save its state_dict\(\)/);
    expect(() => torch.save(new Map(), file("bad.pt"))).toThrow("cannot save an instance of Map (at obj)");
    expect(() => torch.save({ "a b": Symbol("s") }, file("bad.pt"))).toThrow('cannot save a symbol (at obj["a b"])');
    const sp = torch.sparse_coo_tensor(torch.tensor([[0, 1]], { dtype: "int64" }), torch.tensor([1, 2]), [3]);
    expect(() => torch.save([sp], file("bad.pt"))).toThrow("cannot save a sparse tensor (at obj[0])");
    expect(() => torch.save(1, 42 as any)).toThrow("save(): argument 'f' must be a file path (a string or a file: URL), not a number");
    expect(() => torch.save(1, file("o.pt"), { pickle_protocol: 2 } as any)).toThrow("save() got an unexpected keyword argument 'pickle_protocol'");
    expect(() => torch.load(file("h.pt"), { mmap: true } as any)).toThrow("load() got an unexpected keyword argument 'mmap' (it takes 'map_location', 'weights_only')");
    expect(() => torch.load(file("h.pt"), { map_location: "cuda:0" })).toThrow(/map_location=torch.device\('cpu'\)/);
    expect(() => torch.load(file("h.pt"), { map_location: "tpu" })).toThrow(/map_location must be "cpu"/);
    expect(() => torch.load(file("h.pt"), { weights_only: "yes" as any })).toThrow("weights_only must be a boolean");
    expect(() => torch.load(file("h.pt"), { map_location: () => 3 as any })).toThrow(/must return the storage/);

    // a newer version, a truncated file
    const buf = readFileSync(file("h.pt"));
    const h = buf.readUInt32LE(8);
    const header = buf.subarray(12, 12 + h).toString("utf8").replace('"version":1', '"version":9');
    writeFileSync(file("v9.pt"), Buffer.concat([buf.subarray(0, 12), Buffer.from(header), buf.subarray(12 + h)]));
    expect(() => torch.load(file("v9.pt"))).toThrow(/written by a newer lrlab \(format version 9\); this lrlab reads version 1/);
    writeFileSync(file("cut.pt"), buf.subarray(0, buf.length - 6));
    expect(() => torch.load(file("cut.pt"))).toThrow(/is truncated or corrupt/);
    writeFileSync(file("cut2.pt"), buf.subarray(0, 20));
    expect(() => torch.load(file("cut2.pt"))).toThrow(/is truncated or corrupt \(the header is cut short\)/);
  });
});
