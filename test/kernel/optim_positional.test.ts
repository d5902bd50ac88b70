/**
 * PyTorch's positional arguments of the optimizers and schedulers type-check in a cell, as the
 * options-object form does (kernel/src/optim/positional.ts: the `Positional<...>` overload), a
 * wrong type in a position is a type error, and Shift-Tab on the class shows both forms. Through
 * the real kernel (the user pass found `new torch.optim.Adam(params, 0.01)` and
 * `StepLR(opt, 5)` refused by the type check). The same pass's smaller typing findings too:
 * `torch.cat(ts, { dim })`, `X.tolist().length`, `WeightedRandomSampler`, `LBFGS.step(c).item()`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
}, 60_000);
afterAll(async () => { await k?.shutdown(); });

const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

describe("positional optimizer and scheduler arguments in a cell", () => {
  it("PyTorch's spellings type-check and run", async () => {
    const r = await k.execute([
      "const model = new torch.nn.Linear(3, 1);",
      "const o = new torch.optim.Adam(model.parameters(), 0.01, [0.9, 0.999]);",
      "const s1 = new torch.optim.lr_scheduler.StepLR(o, 5);",
      "const s2 = new torch.optim.lr_scheduler.CosineAnnealingLR(new torch.optim.SGD(model.parameters(), 0.1), 10);",
      "const s3 = new torch.optim.lr_scheduler.LambdaLR(new torch.optim.SGD(model.parameters(), 0.1), (e) => 0.9 ** e);",
      "const s4 = new torch.optim.lr_scheduler.StepLR(new torch.optim.SGD(model.parameters(), 0.1, 0.9, { nesterov: true }), 30, { gamma: 0.5 });",
      "const s5 = new torch.optim.lr_scheduler.OneCycleLR(new torch.optim.SGD(model.parameters(), 0.1, 0.9), 0.5, 100);",
      "const s6 = new torch.optim.lr_scheduler.ReduceLROnPlateau(o, \"max\", 0.5, 2);",
      "console.log(o.defaults.lr, s1.step_size, s2.T_max, s4.gamma, s4.optimizer.param_groups[0].nesterov, s5.total_steps, s6.mode);",
    ].join("\n"));
    expect(r.reply.content.status, JSON.stringify(r.reply.content.traceback ?? "").slice(0, 2000)).toBe("ok");
    expect(r.stdout.trim()).toBe("0.01 5 10 0.5 true 100 max");
  }, 60_000);

  it("cat/stack with { dim }, tolist()'s arrays, WeightedRandomSampler and LBFGS.step(closure).item() type-check", async () => {
    const r = await k.execute([
      "const B = torch.tensor([[1, 2], [3, 4]]);",
      "const C = torch.cat([B, B], { dim: 1 });",
      "const D = torch.stack([B, B], { dim: 1 });",
      "const rows = C.tolist();",
      "torch.manual_seed(0);",
      "const w = new torch.utils.data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 10);",
      "const xw = torch.tensor([1.5, -0.5], { requires_grad: true });",
      "const lb = new torch.optim.LBFGS([xw], 1, 3);",
      "const first = lb.step(() => { lb.zero_grad(); const l = xw.pow(2).sum(); l.backward(); return l; }).item();",
      "console.log(rows.length, rows[0].length, D.shape.join(','), [...w].join(','), first);",
    ].join("\n"));
    expect(r.reply.content.status, JSON.stringify(r.reply.content.traceback ?? "").slice(0, 2000)).toBe("ok");
    expect(r.stdout.trim()).toBe("2 4 2,2,2 5,4,4,5,4,4,2,3,4,3 2.5");
  }, 60_000);

  it("a wrong type in a position is a type error", async () => {
    const r = await k.execute("new torch.optim.SGD(model.parameters(), 0.1, true)");
    expect(r.reply.content.status).toBe("error");
    const traceback = (r.reply.content.traceback as string[]).map(plain).join("\n");
    expect(traceback).toMatch(/error TS\d+/);
    expect(traceback).toContain("boolean");
  }, 60_000);

  it("Shift-Tab on the class shows the options form and the positional form", async () => {
    const code = "torch.optim.lr_scheduler.StepLR";
    const c = (await k.request("inspect_request", { code, cursor_pos: code.length, detail_level: 0 })).content;
    const text = String(c.data?.["text/plain"] ?? "");
    const q = "(?:torch\\.optim\\.lr_scheduler\\.)?";
    expect(text).toMatch(new RegExp(`^new StepLR\\(optimizer: ${q}OptimizerLike, options: ${q}StepLROptions\\)$`, "m"));
    expect(text).toMatch(new RegExp(
      `^new StepLR\\(optimizer: ${q}OptimizerLike, \\.\\.\\.args: Positional<\\[step_size: number, gamma: number, last_epoch: number\\], ${q}StepLROptions>\\)$`, "m",
    ));
    // inside a positional call: the form it resolves to, with the order of the positions
    const after = "new torch.optim.SGD(model.parameters(), 0.1, ";
    const sig = String((await k.request("inspect_request", { code: after, cursor_pos: after.length, detail_level: 0 })).content.data?.["text/plain"] ?? "");
    expect(sig).toContain("...args: Positional<[lr: number | torch.Tensor, momentum: number, dampening: number, weight_decay: number, nesterov: boolean], ");
  }, 60_000);
});
