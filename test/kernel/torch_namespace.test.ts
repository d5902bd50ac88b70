/**
 * `torch.` as a user meets it in a notebook: Tab lists PyTorch's names (and lrlab's documented
 * additions), never the library's own helpers, and those helpers are not reachable at run time
 * either. Completion reads the declarations the prelude imports (kernel/dist/index.d.ts), so a name
 * re-exported there shows up under Tab even if nobody calls it. (Shift-Tab on torch.storageFor:
 * assist_ux.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

/** Helpers of the library's own modules, each with no counterpart in PyTorch's `torch` module. */
const INTERNAL = [
  "check_tensor", // tensor/tensor.ts: the shared "argument 'input' must be Tensor" check
  "storageFor", // tensor/tensor.ts: a zero-filled typed array for a dtype
  "numelOf", // tensor/tensor.ts: product of a shape
  "from_array", // tensor/factories.ts: wraps a typed array (PyTorch has no such function)
  "is_floating", // tensor/dtype.ts: a dtype predicate (PyTorch's is torch.is_floating_point(tensor))
  "DEFAULT_RNG_SEED", // random/generator.ts: the seed of a fresh Generator
  "ValuesIndices", // tensor/return_types.ts: the class behind torch.return_types.max(...) and friends
];

/** PyTorch names a user expects after `torch.`, across the modules the namespace gathers. */
const PUBLIC = [
  "tensor", "zeros", "randn", "manual_seed", "Generator", "Tensor", "no_grad", "matmul", "cat", "max",
  "float32", "set_printoptions", "nn", "optim", "autograd", "utils",
];

let k: KernelClient;

beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

describe("torch namespace", () => {
  it("Tab after `torch.` offers PyTorch's names and none of the library's internal helpers", async () => {
    const code = "torch.";
    const c = (await k.request("complete_request", { code, cursor_pos: code.length })).content as { matches: string[] };
    for (const name of PUBLIC) expect(c.matches, name).toContain(name);
    expect(c.matches.filter((m) => INTERNAL.includes(m))).toEqual([]);
    // nor under a prefix that would single one out
    const s = "torch.stor";
    expect((await k.request("complete_request", { code: s, cursor_pos: s.length })).content.matches).toEqual([]);
  });

  it("the internal helpers are not properties of torch at run time", async () => {
    const r = await k.execute(`JSON.stringify(${JSON.stringify(INTERNAL)}.filter((n) => n in torch))`);
    expect(r.reply.content.status).toBe("ok");
    expect(resultText(r)).toBe("'[]'");
  });

  it("a cell naming one is a type error that says torch has no such name", async () => {
    const r = await k.execute("torch.storageFor('float32', 3)");
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.ename).toBe("TSError");
    expect(String(r.reply.content.evalue)).toMatch(/Property 'storageFor' does not exist/);
  });

  it("a value whose type torch does not name (max along a dim) still carries to the next cell", async () => {
    // the cell's declaration cannot write torch.ValuesIndices: it names the class by its module's path
    const first = await k.execute("const mx = torch.tensor([[1, 5], [7, 2]]).max(1);");
    expect(first.reply.content.status).toBe("ok");
    expect(resultText(await k.execute("mx.indices.tolist()"))).toBe("[ 1, 0 ]");
  });

  it("RemovableHandle is torch.utils.hooks', as in PyTorch, not torch.optim's", async () => {
    const r = await k.execute(`const opt_h = new torch.optim.SGD([torch.zeros(1, { requires_grad: true })], { lr: 0.1 });
opt_h.register_step_pre_hook(() => {}) instanceof torch.utils.hooks.RemovableHandle`);
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
    expect(resultText(r)).toBe("true");
    const old = await k.execute("torch.optim.RemovableHandle");
    expect(old.reply.content.status).toBe("error");
    expect(String(old.reply.content.evalue)).toMatch(/Property 'RemovableHandle' does not exist/);
  });
});
