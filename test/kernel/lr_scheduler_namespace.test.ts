/**
 * `torch.optim.lr_scheduler.` as a user meets it in a notebook: Tab lists PyTorch's schedulers,
 * not lrlab's own helpers (the `%lr_schedule` list `scheduler_names` and the warning text
 * `EPOCH_DEPRECATION_WARNING` were exported there), and those are not reachable at run time
 * either. Completion reads the declarations the prelude imports (kernel/dist), so this goes
 * through a real kernel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

let k: KernelClient;

beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

const complete = async (code: string) =>
  ((await k.request("complete_request", { code, cursor_pos: [...code].length })).content as { matches: string[] }).matches;

describe("torch.optim.lr_scheduler in a notebook", () => {
  it("Tab after `torch.optim.lr_scheduler.` offers the schedulers and none of lrlab's lists or warning texts", async () => {
    const matches = await complete("torch.optim.lr_scheduler.");
    for (const name of ["StepLR", "OneCycleLR", "ReduceLROnPlateau", "LRScheduler"]) expect(matches, name).toContain(name);
    for (const name of ["scheduler_names", "EPOCH_DEPRECATION_WARNING"]) expect(matches, name).not.toContain(name);
    // exactly PyTorch's classes: the options' types are not values, and _LRScheduler (PyTorch's
    // deprecated alias) is left out as Tab leaves out every _name
    expect([...matches].sort()).toEqual([
      "ChainedScheduler", "ConstantLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "ExponentialLR",
      "LRScheduler", "LambdaLR", "LinearLR", "MultiStepLR", "MultiplicativeLR", "OneCycleLR", "PolynomialLR",
      "ReduceLROnPlateau", "SequentialLR", "StepLR",
    ].sort());
    // nor under a prefix that would single one out (swa_utils had its own scheduler_names)
    for (const code of ["torch.optim.lr_scheduler.scheduler_n", "torch.optim.lr_scheduler.EPOCH", "torch.optim.swa_utils.scheduler_n"]) {
      expect(await complete(code), code).toEqual([]);
    }
  });

  it("the helpers are not properties of the namespaces at run time, and a cell naming one is a type error", async () => {
    const r = await k.execute(
      'JSON.stringify(["scheduler_names", "EPOCH_DEPRECATION_WARNING"].filter((n) => n in torch.optim.lr_scheduler)) + ("scheduler_names" in torch.optim.swa_utils)',
    );
    expect(resultText(r)).toBe("'[]false'");
    const bad = await k.execute("torch.optim.lr_scheduler.scheduler_names");
    expect(bad.reply.content.status).toBe("error");
    expect(String(bad.reply.content.evalue)).toMatch(/Property 'scheduler_names' does not exist/);
  });

  it("%lr_schedule still knows every scheduler (it reads the list from its module)", async () => {
    // Tab after the magic's name lists the schedulers, SWALR included
    const names = await complete("%lr_schedule ");
    expect(names).toContain("StepLR");
    expect(names).toContain("SWALR");
    const r = await k.execute("%lr_schedule StepLR step_size=2 gamma=0.5 --steps 4");
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
  });
});
