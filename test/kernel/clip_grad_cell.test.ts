/**
 * PyTorch's positional clip_grad_norm_ in a typed notebook cell (a user's report, reproduced
 * twice): `clip_grad_norm_(params, 1.0, 1)` was refused with a cryptic TS2559 ("Type '1' has no
 * properties in common with type 'ClipGradNormOptions'"), and in untyped code the 1 was ignored
 * (the L2 norm came back). Now the cell compiles and returns PyTorch's norms; a wrong third
 * argument is a type error naming the type it takes (NormType).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); }, 120_000);
afterAll(async () => { await k?.shutdown(); });

describe("clip_grad_norm_ positionally in a typed cell", () => {
  it("norm_type 1 and Infinity (float('inf')) give PyTorch's norms; clip_grad_value_ takes foreach", async () => {
    // grads (3, -4) and (-12): ‖·‖₁ = 19, ‖·‖∞ = 12, get_total_norm's 2-norm 13
    const r = await k.execute(`
const mk = () => { const a = torch.zeros([2], { requires_grad: true }); a.grad = torch.tensor([3, -4]);
  const b = torch.zeros([1], { requires_grad: true }); b.grad = torch.tensor([-12]); return [a, b]; };
const ps = mk();
torch.nn.utils.clip_grad_value_(ps, 100, true);
[torch.nn.utils.clip_grad_norm_(mk(), 1.0, 1).item(), torch.nn.utils.clip_grad_norm_(mk(), 1.0, Infinity, false, null).item(),
 torch.nn.utils.get_total_norm(ps.map((p) => p.grad!)).item()]`);
    expect(r.reply.content.status, `${r.reply.content.ename}: ${r.reply.content.evalue}`).toBe("ok");
    expect(resultText(r)).toBe("[ 19, 12, 13 ]");
  }, 60_000);

  it("a boolean in norm_type's place is a type error naming NormType (with overloads it said only \"No overload matches this call\")", async () => {
    const r = await k.execute(`torch.nn.utils.clip_grad_norm_([], 1.0, true)`);
    expect(r.reply.content.status).toBe("error");
    expect(String(r.reply.content.evalue)).toMatch(/Type 'true' is not assignable to type 'NormType'/);
  }, 60_000);
});
