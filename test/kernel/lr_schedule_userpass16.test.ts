/**
 * %lr_schedule through the real kernel (userpass16, a scheduler engineer's pass; each failed
 * before): an overlay of one schedule at two --lr (or on SGD and Adam) was one zig-zag line under
 * one label; the same --name twice was taken; last_epoch=k (offered by Tab) failed with PyTorch's
 * checkpoint KeyError 'initial_lr'; --lr took one number (no per-group preview); milestones=30,60
 * was refused; ReduceLROnPlateau's short --metrics named it twice. The rates themselves are
 * checked against PyTorch in test/trace/lr_schedule_preview.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, errorText as error, plotData as plot } from "./client";

const PLOT = "application/vnd.lrlab.plot+json";

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

describe("%lr_schedule overlays", () => {
  it("the same schedule at two --lr: two lines, labelled with their --lr, in the payload and the text", async () => {
    const r = await k.execute("%lr_schedule StepLR step_size=10 gamma=0.5 --steps 40 --lr 0.1\n%lr_schedule StepLR step_size=10 gamma=0.5 --steps 40 --lr 0.05");
    expect(r.reply.content.status).toBe("ok");
    const data = plot(r);
    const names = data[PLOT].series.filter((s: { metric: string }) => s.metric === "lr").map((s: { name: string }) => s.name);
    expect(names).toEqual(["StepLR(step_size=10, gamma=0.5) --lr 0.1", "StepLR(step_size=10, gamma=0.5) --lr 0.05"]);
    expect(data["text/plain"]).toContain("StepLR(step_size=10, gamma=0.5) --lr 0.05: 40 steps, lr 0.05 → 0.00625");
  });

  it("the same --name on two lines is an error, and nothing is shown", async () => {
    const r = await k.execute("%lr_schedule LinearLR start_factor=0.1 total_iters=5 --steps 10 --name warmup\n%lr_schedule CosineAnnealingLR T_max=10 --steps 10 --name warmup");
    expect(r.reply.content.status).toBe("error");
    expect(error(r)).toMatch(/^UsageError: --name warmup is given to lines 1 and 2 of the overlay: each line needs its own label/);
    expect(plot(r)).toBeUndefined();
  });
});

describe("%lr_schedule options", () => {
  it("last_epoch=4 previews the resumed run from epoch 5", async () => {
    const r = await k.execute("%lr_schedule StepLR step_size=5 gamma=0.5 last_epoch=4 --steps 10");
    expect(r.reply.content.status).toBe("ok");
    const data = plot(r);
    expect(data["text/plain"]).toContain("StepLR(step_size=5, gamma=0.5, last_epoch=4): 10 steps from step 5, lr 0.05 → 0.025");
    const lr = data[PLOT].series.find((s: { metric: string }) => s.metric === "lr");
    expect(lr.x.slice(0, 2)).toEqual([5, 6]);
  });

  it("--lr 0.1,0.01 previews two param groups (max_lr=[...]); without it the error points to --lr", async () => {
    const ok = await k.execute("%lr_schedule CyclicLR base_lr=0.001 max_lr=[0.1,0.2] step_size_up=3 --lr 0.1,0.2");
    expect(ok.reply.content.status).toBe("ok");
    expect(plot(ok)["text/plain"]).toContain("2 groups; group 0: lr 0.001 → 0.034 (min 0.001, max 0.1); group 1:");
    const bad = await k.execute("%lr_schedule CyclicLR base_lr=0.001 max_lr=[0.1,0.2] step_size_up=3");
    expect(error(bad)).toContain("param_groups has 1. The preview's optimizer has one param group per --lr value (1 here): give --lr with one value per group, e.g. --lr 0.1,0.1");
  });

  it("milestones=30,60 is a list; ReduceLROnPlateau's short --metrics names it once", async () => {
    expect((await k.execute("%lr_schedule MultiStepLR milestones=30,60 --steps 100")).reply.content.status).toBe("ok");
    const r = await k.execute("%lr_schedule ReduceLROnPlateau patience=0 --metrics 1,1,1 --steps 6");
    expect(error(r)).toMatch(/^UsageError: ReduceLROnPlateau: --metrics has 3 values for --steps 6: give one metric per step/);
  });
});
