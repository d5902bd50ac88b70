/**
 * Shift-Tab inside an optimizer's options object, through the real kernel: each key is listed
 * with the first sentence of its doc comment, which names the hyperparameter and its default
 * (kernel/src/optim/*.ts; the defaults are checked against PyTorch by test/optim/option_docs.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

let k: KernelClient;

beforeAll(async () => {
  k = await KernelClient.start();
  const r = await k.execute("const model = new torch.nn.Linear(3, 1);");
  expect(r.reply.content.status).toBe("ok");
});
afterAll(async () => { await k?.shutdown(); });

const inspect = async (code: string) => {
  const c = (await k.request("inspect_request", { code, cursor_pos: [...code].length, detail_level: 0 })).content;
  return { found: c.found as boolean, text: String(c.data?.["text/plain"] ?? "") };
};

describe("Shift-Tab in an optimizer's options object", () => {
  it("shows each key with what it is and its default", async () => {
    const { found, text } = await inspect("new torch.optim.Adam(model.parameters(), { ");
    expect(found).toBe(true);
    expect(text).toMatch(/^ {2}lr\?: number \| torch\.Tensor +Learning rate γ; default 1e-3\.$/m);
    expect(text).toMatch(/^ {2}betas\?: \[number, number\] +Coefficients \(β₁, β₂\) .*; default \[0\.9, 0\.999\]\.$/m);
    expect(text).toMatch(/^ {2}foreach\?: boolean(?: \| null)? +Accepted and ignored: .*; default null\.$/m);
    // AdamW has its own weight_decay default
    const adamw = await inspect("new torch.optim.AdamW(model.parameters(), { ");
    expect(adamw.text).toMatch(/^ {2}weight_decay\?: number +Weight decay λ, decoupled, .*; default 1e-2\.$/m);
  });
});

describe("Shift-Tab in lrlab's own options objects", () => {
  it("keeps an option's default and does not stop at an abbreviation's period", async () => {
    const { found, text } = await inspect("lrlab.preview((opt) => new torch.optim.lr_scheduler.StepLR(opt, { step_size: 10 }), { ");
    expect(found).toBe(true);
    // "Starting lr of the fresh optimizer (factory form). Default 0.1.": the default was dropped
    expect(text).toMatch(/^ {2}lr\?: number \| number\[\] +Starting lr of the fresh optimizer \(factory form\)\. Default 0\.1\./m);
    // "Extra options for that optimizer, e.g. { momentum: 0.9 } or ...": it stopped at "e.g."
    expect(text).toMatch(/^ {2}optimizer_options\?: .* +Extra options for that optimizer, e\.g\. \{ momentum: 0\.9 \}/m);
  });
});
