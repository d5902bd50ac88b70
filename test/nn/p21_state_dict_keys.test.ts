/**
 * `model.state_dict()[key]` for a key that is not there: PyTorch's OrderedDict raises
 * `KeyError: 'key'`; lrlab's plain object gave `undefined`. It now throws a KeyError naming the
 * closest keys, and every other use of the object (iterating, spreading, JSON, torch.save,
 * load_state_dict, awaiting, printing, test matchers) is unchanged (nn/state_dict_keys.ts).
 */
import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../kernel/src/index";
import { deepCopyState } from "../../kernel/src/optim/optimizer";

const nn = torch.nn;

class Net extends nn.Module {
  fc = new nn.Linear(3, 2);
  bn = new nn.BatchNorm1d(2);
  override forward(x: torch.Tensor): torch.Tensor {
    return this.bn.forward(this.fc.forward(x));
  }
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("state_dict()[missing key] (PyTorch: KeyError)", () => {
  it("a missing key throws KeyError: 'key', with the closest keys", () => {
    const sd = new Net().state_dict();
    const e = thrown(() => sd["fc.wieght"]);
    expect(e.name).toBe("KeyError");
    expect(e.message).toBe("'fc.wieght': not a key of this state_dict (\"fc.wieght\" in sd tests for a key); did you mean 'fc.weight'?");
    expect(String(e.stack).split("\n")[0]).toBe("KeyError: 'fc.wieght': not a key of this state_dict (\"fc.wieght\" in sd tests for a key); did you mean 'fc.weight'?");
  });

  it("with no close key, the keys are listed", () => {
    const sd = new nn.Linear(2, 2).state_dict();
    expect(thrown(() => sd["typo"]).message).toBe("'typo': not a key of this state_dict (\"typo\" in sd tests for a key); its keys: 'weight', 'bias'");
    const big = new nn.Sequential(...Array.from({ length: 6 }, () => new nn.Linear(1, 1))).state_dict();
    expect(thrown(() => big["zzz"]).message).toBe(
      "'zzz': not a key of this state_dict (\"zzz\" in sd tests for a key); its keys: '0.weight', '0.bias', '1.weight', '1.bias', '2.weight', '2.bias', "
      + "'3.weight', '3.bias', '4.weight', '4.bias', ... (12 in all)",
    );
  });

  it("`if (sd[k])` as a test for a key throws too (as Python's sd[k]), and the message gives `k in sd`", () => {
    const sd = new nn.Linear(2, 2, { bias: false }).state_dict();
    expect(thrown(() => sd["bias"]).message).toBe("'bias': not a key of this state_dict (\"bias\" in sd tests for a key); its keys: 'weight'");
    expect("bias" in sd).toBe(false);
  });

  it("Python's dict methods say what they are on a plain object", () => {
    const sd = new nn.Linear(2, 2).state_dict() as Record<string, unknown>;
    const e = thrown(() => sd["keys"]);
    expect(e.name).toBe("KeyError");
    expect(e.message).toContain("'keys': a state_dict is a plain object (parameter name → tensor), not a Python dict: Object.keys(sd) is .keys()");
  });

  it("present keys, `in`, assignment and delete are the plain object's", () => {
    const net = new Net();
    const sd = net.state_dict();
    expect(sd["fc.weight"].shape).toEqual([2, 3]);
    expect(sd["bn.num_batches_tracked"].dtype).toBe("int64");
    expect("fc.bias" in sd).toBe(true);
    expect("typo" in sd).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(sd, "typo")).toBe(false);
    sd["extra"] = torch.zeros(1);
    expect(sd["extra"].shape).toEqual([1]);
    delete sd["extra"];
    expect("extra" in sd).toBe(false);
    expect(typeof sd.toString).toBe("function");
  });

  it("iterating, spreading, JSON and printing see the same object", () => {
    const net = new Net();
    const sd = net.state_dict();
    const keys = ["fc.weight", "fc.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"];
    expect(Object.keys(sd)).toEqual(keys);
    expect(Object.entries(sd).map(([k]) => k)).toEqual(keys);
    expect(Object.values(sd).length).toBe(keys.length);
    const forIn: string[] = [];
    for (const k in sd) forIn.push(k);
    expect(forIn).toEqual(keys);
    const copy = { ...sd };
    expect(copy["typo" as keyof typeof copy]).toBeUndefined(); // a spread copy is a plain object
    expect(JSON.parse(JSON.stringify(sd))).toEqual(JSON.parse(JSON.stringify(copy)));
    expect(inspect(sd)).toBe(inspect(copy));
    expect(sd).toEqual(copy);
    expect(deepCopyState(sd)["fc.weight"].tolist()).toEqual(sd["fc.weight"].tolist());
  });

  it("awaiting it or resolving a promise with it reads `then` without a KeyError", async () => {
    const sd = new Net().state_dict();
    expect(await Promise.resolve(sd)).toBe(sd);
    expect(await (async () => sd)()).toBe(sd);
  });

  it("load_state_dict and torch.save / torch.load take it as before", () => {
    const a = new Net();
    const b = new Net();
    b.load_state_dict(a.state_dict());
    expect(b.fc.weight.tolist()).toEqual(a.fc.weight.tolist());
    const dir = mkdtempSync(join(tmpdir(), "p21_sd_"));
    try {
      const file = join(dir, "net.pt");
      torch.save(a.state_dict(), file);
      const c = new Net();
      c.load_state_dict(torch.load(file));
      expect(c.fc.bias!.tolist()).toEqual(a.fc.bias!.tolist());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("probes generic code makes read undefined, not a KeyError", () => {
    const sd = new Net().state_dict() as Record<string, unknown>;
    for (const k of ["then", "toJSON", "_repr_mimebundle_", "$$typeof", "@@__IMMUTABLE_ITERABLE__@@", "nodeType", "asymmetricMatch", "length"]) {
      expect(sd[k]).toBeUndefined();
    }
    expect((sd as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
  });
});
