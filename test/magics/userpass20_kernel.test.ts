/**
 * userpass20 (a teacher's report-only pass) through the real kernel, findings 1, 2 (its
 * documentation part) and 5. In-process, with PyTorch's numbers: test/trace/userpass20_preview.test.ts.
 *
 * - V1: `%lr_schedule s2 --steps 64` on the scheduler the training cell left at step 32 drew from
 *   "scheduler step 0" with nothing saying so; now its text says "from step 32 (the scheduler has
 *   taken 32 steps)" and its x axis starts at 32.
 * - V2: the README's check of a preview against a traced run (`preview.lrs` against
 *   `run.series("lr")`) type-checks as written (the teacher had reached `lrs` through `as any`)
 *   and gives zeros.
 * - V5: in a fresh kernel (after a restart), `%lr_compare lam oc` says that runs live in the
 *   kernel, that a restart drops them, and how to keep one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KernelClient, ROOT, resultText, errorText as error, plotData as plot } from "../kernel/client";

const PLOT = "application/vnd.lrlab.plot+json";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
});
afterAll(async () => { await k?.shutdown(); });

describe("userpass20 through the kernel", () => {
  it("V5: %lr_compare in a kernel with no run says a restart drops runs, and how to keep one", async () => {
    const r = await k.execute("%lr_compare lam oc");
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.evalue).toContain('no run named "lam"; recorded runs: none yet (use %%lr_trace --name N). Runs live in the kernel: '
      + "a restart drops them, so re-run the cells that trained them; to keep one across restarts, save lrlab.run(\"N\").to_json()");
    expect(r.reply.content.evalue).toContain("lrlab.Trace.from_json(JSON.parse(text))");
  });

  it("V1: %lr_schedule on a scheduler the training cell stepped says it goes on from step 32, and its x axis starts there", async () => {
    const built = await k.execute([
      "const o2 = new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1, momentum: 0.9 });",
      "const s2 = new torch.optim.lr_scheduler.SequentialLR(o2, [new torch.optim.lr_scheduler.LinearLR(o2, { start_factor: 1 / 8, total_iters: 7 }),",
      "  new torch.optim.lr_scheduler.CosineAnnealingLR(o2, { T_max: 56 })], { milestones: [8] });",
    ].join("\n"));
    expect(built.reply.content.status, error(built)).toBe("ok");
    const fresh = await k.execute("%lr_schedule s2 --steps 64");
    expect(fresh.reply.content.status, error(fresh)).toBe("ok");
    expect(plot(fresh)["text/plain"]).toContain("s2: 64 steps, lr 0.0125 → 7.866e-5");
    const trained = await k.execute("for (let i = 0; i < 32; i++) { o2.step(); s2.step(); }");
    expect(trained.reply.content.status, error(trained)).toBe("ok");
    const again = await k.execute("%lr_schedule s2 --steps 64");
    expect(again.reply.content.status, error(again)).toBe("ok");
    expect(plot(again)["text/plain"]).toContain("s2: 64 steps from step 32 (the scheduler has taken 32 steps), lr 0.06113 → 0.05838");
    const lr = plot(again)[PLOT].series.find((s: { metric: string }) => s.metric === "lr");
    expect(lr.x[0]).toBe(32);
  });

  it("V2: the README's comparison of preview.lrs with run.series(\"lr\") type-checks as written and gives zeros", async () => {
    const run = await k.execute([
      "%%lr_trace --name oc --no-live",
      "const w = torch.zeros([1], { requires_grad: true });",
      "const o = new torch.optim.SGD([w], { lr: 0.1 });",
      "const s = new torch.optim.lr_scheduler.OneCycleLR(o, { max_lr: 0.1, total_steps: 64 });",
      "for (let i = 0; i < 64; i++) { o.zero_grad(); w.grad = torch.ones([1]); o.step(); s.step(); }",
    ].join("\n"));
    expect(run.reply.content.status, error(run)).toBe("ok");
    // the README's two lines, read from it and run as written there (no `as any`)
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /```ts\n(const pv = lrlab\.preview\([^\n]*\n[^\n]*pv\.lrs\[0\][^\n]*run\("oc"\)\.series\("lr"\)[^\n]*)\n```/.exec(readme)?.[1];
    expect(block, "README: the two-line comparison of preview.lrs with run.series(\"lr\")").toBeDefined();
    const r = await k.execute(block as string);
    expect(r.reply.content.status, error(r)).toBe("ok");
    const text = resultText(r) ?? "";
    // a difference of 0 at each of the 64 steps
    expect(text.replace(/[\s[\]]/g, "").split(",")).toEqual(Array(64).fill("0"));
    // the fields the README names are typed (a type error would fail the cell)
    const typed = await k.execute("const f: number = pv.first_step; const m: (number[] | null)[] = pv.momentums; const n: number = pv.steps; [f, n, m.length]");
    expect(typed.reply.content.status, error(typed)).toBe("ok");
    expect(resultText(typed)).toBe("[ 0, 64, 1 ]");
  });
});
