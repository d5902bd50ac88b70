/**
 * load_state_dict's backward-compatibility rules and get_parameter / get_buffer, against real
 * PyTorch (test/fixtures/generate_module_order.py, "compat"):
 * - BatchNorm fills in a missing num_batches_tracked (with its own count) when the checkpoint's
 *   `_metadata` does not say version 2: a dict built by hand or an old checkpoint loads strictly;
 *   `bn.state_dict()` records version 2, so the key deleted from it is still missing.
 * - a shape-[1] tensor loads into a 0-dim parameter or buffer.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { expectClose, fixture } from "./helpers";

const fx = fixture("module_order.json").compat;

/** `sd` without the keys `drop` accepts, as a plain object (no `_metadata`: Python's dict comprehension). */
function without(sd: Record<string, Tensor>, drop: (k: string) => boolean): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(sd).filter(([k]) => !drop(k)));
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("no error");
}

describe("BatchNorm's num_batches_tracked in an older checkpoint", () => {
  it("a dict without it loads strictly and the module keeps its own count", () => {
    const bn = new nn.BatchNorm1d(3);
    bn.num_batches_tracked!.data[0] = 5;
    const sd = without(new nn.BatchNorm1d(3).state_dict(), (k) => k === "num_batches_tracked");
    expect(String(bn.load_state_dict(sd))).toBe(fx.bn_plain.result);
    expect(bn.num_batches_tracked!.item()).toBe(fx.bn_plain.num_batches_tracked);
    // the caller's dict is not changed (PyTorch loads from a copy)
    expect(Object.keys(sd)).not.toContain("num_batches_tracked");
  });

  it("state_dict() records each module's version; deleting the key from it leaves it missing", () => {
    const bn = new nn.BatchNorm1d(3);
    const sd = bn.state_dict();
    expect((sd as any)._metadata).toEqual(fx.metadata);
    delete sd.num_batches_tracked;
    expect(errorOf(() => bn.load_state_dict(sd))).toBe(fx.bn_versioned_strict);
    expect(String(bn.load_state_dict(sd, false))).toBe(fx.bn_versioned_nonstrict);
    const s = new nn.Sequential(new nn.Linear(3, 3), new nn.BatchNorm1d(3));
    expect((s.state_dict() as any)._metadata).toEqual(fx.seq_metadata);
  });

  it("nested in a Sequential (\"1.num_batches_tracked\")", () => {
    const s = new nn.Sequential(new nn.Linear(3, 3), new nn.BatchNorm1d(3));
    const sd = without(s.state_dict(), (k) => k.includes("num_batches"));
    expect(String(s.load_state_dict(sd))).toBe(fx.seq_plain);
    // track_running_stats false: no buffer, nothing filled in (no unexpected key)
    const bn = new nn.BatchNorm1d(3, { track_running_stats: false });
    expect(String(bn.load_state_dict(without(bn.state_dict(), () => false)))).toBe(fx.bn_untracked);
  });

  it("a tracking BatchNorm whose num_batches_tracked was set to null gets tensor(0): an unexpected key", () => {
    const bn = new nn.BatchNorm1d(3);
    bn.num_batches_tracked = null;
    const plain = without(new nn.BatchNorm1d(3).state_dict(), (k) => k === "num_batches_tracked");
    expect(errorOf(() => bn.load_state_dict(plain))).toBe(fx.bn_none_strict);
    expect(String(bn.load_state_dict(plain, false))).toBe(fx.bn_none_nonstrict);
  });
});

describe("a shape-[1] tensor into a 0-dim parameter or buffer", () => {
  const build = () => {
    const m = new nn.Module();
    m.register_buffer("t", torch.tensor(2.0));
    (m as any).p = new nn.Parameter(torch.tensor(1.0));
    return m as nn.Module & { t: Tensor; p: Tensor };
  };

  it("loads, as PyTorch's input_param[0]", () => {
    const m = build();
    expect(String(m.load_state_dict({ t: torch.tensor([7.0]), p: torch.tensor([3.0]) }))).toBe(fx.scalar.result);
    expectClose(m.t, fx.scalar.t, "t");
    expectClose(m.p, fx.scalar.p, "p");
    // other shapes are still a size mismatch
    expect(errorOf(() => m.load_state_dict({ t: torch.tensor([7.0, 8.0]), p: torch.tensor([[3.0]]) }))).toBe(fx.scalar_mismatch);
  });
});

describe("strict errors", () => {
  it("list the missing keys before the unexpected ones, as PyTorch", () => {
    const l = new nn.Linear(1, 1);
    expect(errorOf(() => l.load_state_dict({ weight: torch.ones(1, 1), x: torch.ones(1) }))).toBe(fx.missing_and_unexpected);
  });
});

describe("get_parameter / get_buffer", () => {
  it("return the tensor at a dotted path, or PyTorch's AttributeError", () => {
    const s = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
    for (const [call, want] of Object.entries(fx.lookups as Record<string, { shape?: number[]; error?: string }>)) {
      const [, f, target] = /^(\w+)\((.*)\)$/.exec(call)!;
      const run = () => (s as any)[f](target) as Tensor;
      if (want.error !== undefined) {
        expect(run, call).toThrow(want.error);
        try {
          run();
        } catch (e) {
          expect((e as Error).name, call).toBe("AttributeError");
          expect((e as Error).message, call).toBe(want.error);
        }
      } else {
        expect(run().shape, call).toEqual(want.shape);
      }
    }
  });
});
