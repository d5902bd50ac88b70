/**
 * Session 21's three findings through the real kernel (in-process, with PyTorch's numbers:
 * test/trace/p21_preview_past_end.test.ts, test/magics/p21_chained_line.test.ts,
 * test/trace/p21_lr_excursion.test.ts):
 * 1. `%lr_schedule CosineAnnealingLR T_max=50 --lr 0.1 --steps 100`: the output says where the
 *    steps pass T_max (text and the plot's note over lr).
 * 2. `%lr_schedule ChainedScheduler schedulers=[...]`: the code that previews it (was refused by
 *    the option check), and that code runs in a cell.
 * 3. A OneCycleLR resumed the usual wrong way in a `%%lr_trace --append` cell (the researcher's
 *    cells, s20/userU/cells2.txt, without the checkpoint file): the run's summary says the lr fell
 *    for one step at step 5 and rose again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText, errorText as error, plotData as plot } from "../kernel/client";

const PLOT = "application/vnd.lrlab.plot+json";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
});
afterAll(async () => { await k?.shutdown(); });

describe("session 21's findings through the kernel", () => {
  it("1: a cosine previewed past T_max says so", async () => {
    const r = await k.execute("%lr_schedule CosineAnnealingLR T_max=50 --lr 0.1 --steps 100");
    expect(r.reply.content.status, error(r)).toBe("ok");
    expect(plot(r)["text/plain"]).toContain("\n  note: step 51 is past T_max=50 of the CosineAnnealingLR: from there its cosine rises again");
    expect(plot(r)[PLOT].notes[0].text).toMatch(/^CosineAnnealingLR\(T_max=50\): step 51 is past T_max=50/);
  });

  it("2: a ChainedScheduler line gets the code that previews it, and the code runs", async () => {
    const r = await k.execute("%lr_schedule ChainedScheduler schedulers=[StepLR(step_size=2,gamma=0.5),ExponentialLR(gamma=0.9)] --steps 8 --lr 0.05");
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.evalue).toContain("ChainedScheduler combines other schedulers, which a magic line cannot build; preview it in code, with the options your line gave:");
    const code = /^ {2}(lrlab\.preview\(.*\))$/m.exec(r.reply.content.evalue)?.[1];
    expect(code).toBeDefined();
    const ran = await k.execute(`${code}.lrs[0].map((v) => +v.toPrecision(6))`);
    expect(ran.reply.content.status, error(ran)).toBe("ok");
    expect(resultText(ran)?.replace(/\s+/g, " ")).toBe("[ 0.05, 0.045, 0.02025, 0.018225, 0.00820125, 0.00738113, 0.00332151, 0.00298936 ]");
  });

  it("3: a OneCycleLR resumed the wrong way in an --append cell: the summary says the one-step fall", async () => {
    const a = await k.execute([
      "%%lr_trace --name p21rs --no-live",
      "const w = new torch.nn.Parameter(torch.tensor([1, -2, 3]));",
      "const optB = new torch.optim.Adam([w], { lr: 1e-2 });",
      "const schB = new torch.optim.lr_scheduler.OneCycleLR(optB, { max_lr: 0.01, total_steps: 20 });",
      "for (let t = 0; t < 5; t++) { optB.zero_grad(); w.pow(2).sum().backward(); optB.step(); schB.step(); }",
      "const ck = { opt: optB.state_dict(), sched: schB.state_dict() };",
    ].join("\n"));
    expect(a.reply.content.status, error(a)).toBe("ok");
    expect(plot(a)["text/plain"]).not.toMatch(/lr fell/);
    const b = await k.execute([
      "%%lr_trace --name p21rs --append --no-live",
      "const optC = new torch.optim.Adam([w], { lr: 1e-2 });",
      "optC.load_state_dict(ck.opt);",
      "const schC = new torch.optim.lr_scheduler.OneCycleLR(optC, { max_lr: 0.01, total_steps: 20 });",
      "schC.load_state_dict(ck.sched);",
      "for (let t = 5; t < 8; t++) { optC.zero_grad(); w.pow(2).sum().backward(); optC.step(); schC.step(); }",
    ].join("\n"));
    expect(b.reply.content.status, error(b)).toBe("ok");
    const text = plot(b)["text/plain"] as string;
    // (OneCycleLR reset β1 for that step too: said in the same line since s21 f1)
    expect(text).toContain("lr fell ×22.7 at step 5 (0.009083 → 4e-4) and rose again the next step (0.009875), and β1 0.8595 → 0.95 → 0.8513 with it");
    expect(text).toContain(": a scheduler restarted on resume?");
  });
});
