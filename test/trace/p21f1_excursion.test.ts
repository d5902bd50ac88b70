/**
 * Session 21, fix helper F1 (a user's pass, s21/userX F10, and a teacher's, s21/userY 9): the
 * one-step lr excursion of a scheduler built after `optimizer.load_state_dict` was said only from
 * ×5, so a resumed warm-up (its first factor: ×2.9 here, ×3 for LinearLR's default start_factor)
 * never was; and the line named the lr alone where OneCycleLR reset the momentum (β1) for that
 * step too. Rates checked against PyTorch 2.13 (the script below); the no-false-positive cases of
 * every real schedule are test/trace/p21_lr_excursion.test.ts.
 *
 * import torch, math
 * from torch.optim.lr_scheduler import LambdaLR, OneCycleLR
 * WARM, TOTAL = 4, 24
 * f = lambda s: (s + 1) / WARM if s < WARM else 0.5 * (1 + math.cos(math.pi * (s - WARM) / (TOTAL - WARM)))
 * p = torch.zeros(3, requires_grad=True); o = torch.optim.AdamW([p], lr=3e-3); s = LambdaLR(o, f); lrs = []
 * for t in range(12): lrs.append(o.param_groups[0]['lr']); o.step(); s.step()
 * osd, ssd = o.state_dict(), s.state_dict()
 * o2 = torch.optim.AdamW([p], lr=3e-3); o2.load_state_dict(osd); s2 = LambdaLR(o2, f); s2.load_state_dict(ssd)
 * for t in range(12, 18): lrs.append(o2.param_groups[0]['lr']); o2.step(); s2.step()
 * # and SGD(lr 0.1, momentum 0.9) + OneCycleLR(max_lr 0.1, total_steps 30), 10 steps, resumed so for 5:
 * # the lr and param_groups[0]['momentum'] before each step
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const load = createRequire(__filename);
const DIST = join(__dirname, "../../kernel/dist");
const torch = load(join(DIST, "index.js")) as typeof import("../../kernel/src/index");
const lrlab = load(join(DIST, "tools.js")) as typeof import("../../kernel/src/tools");
const { lr_scheduler } = torch.optim;

const PYTORCH_LAMBDA = [0.00075, 0.0015, 0.0022500000000000003, 0.003, 0.003, 0.002981532510892707, 0.0029265847744427307, 0.0028365097862825517,
  0.002713525491562421, 0.002560660171779821, 0.00238167787843871, 0.0021809857496093202, 0.00075, 0.0017346516975603465, 0.0015,
  0.0012653483024396542, 0.001036474508437579, 0.0008190142503906799];
const PYTORCH_ONECYCLE_MOMENTUM = [0.95, 0.9461939766255643, 0.9353553390593273, 0.9191341716182544, 0.8999999999999999, 0.8808658283817454,
  0.8646446609406726, 0.8538060233744357, 0.85, 0.8505584586887436, 0.95, 0.854951556604879, 0.8586880612842003, 0.8633474064085087, 0.8688255099070633];

const WARM = 4, TOTAL = 24;
const f = (s: number) => (s < WARM ? (s + 1) / WARM : 0.5 * (1 + Math.cos(Math.PI * (s - WARM) / (TOTAL - WARM))));

/** A traced run of `before` steps, then resumed with a scheduler built after (wrong) or before (right) the optimizer's state. */
function resumed(order: "wrong" | "right", make: (p: any) => { opt: any; sched: () => any }, before: number, after: number, name: string) {
  const p = new torch.nn.Parameter(torch.tensor([1, -2, 3]));
  const { opt, sched: build } = make(p);
  let sched = build();
  const tr = lrlab.trace(opt, { name });
  const step = () => { opt.zero_grad(); p.pow(2).sum().backward(); opt.step(); sched.step(); };
  for (let t = 0; t < before; t++) step();
  const osd = opt.state_dict(), ssd = sched.state_dict();
  if (order === "wrong") { opt.load_state_dict(osd); sched = build(); } else { sched = build(); opt.load_state_dict(osd); }
  sched.load_state_dict(ssd);
  for (let t = 0; t < after; t++) step();
  tr.stop();
  return tr;
}

const lambdaRun = (order: "wrong" | "right") => resumed(order, (p) => {
  const opt = new torch.optim.AdamW([p], { lr: 3e-3 });
  return { opt, sched: () => new lr_scheduler.LambdaLR(opt, f) };
}, 12, 6, `p21f1_lambda_${order}`);
const oneCycleRun = (order: "wrong" | "right") => resumed(order, (p) => {
  const opt = new torch.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
  return { opt, sched: () => new lr_scheduler.OneCycleLR(opt, { max_lr: 0.1, total_steps: 30 }) };
}, 10, 5, `p21f1_onecycle_${order}`);

const hint = /lr (fell|rose) ×.* and (rose|fell) again/;

describe("a resumed warm-up's one-step dip (×2.9) is said; OneCycleLR's momentum reset is said with it", () => {
  it("LambdaLR warm-up built after optimizer.load_state_dict: PyTorch's rates, and the summary says the ×2.91 dip", () => {
    const tr = lambdaRun("wrong");
    (tr.series("lr")!.columns().last as number[]).forEach((v, i) => expect(v).toBeCloseTo(PYTORCH_LAMBDA[i], 12));
    const line = tr.summary().find((l) => hint.test(l));
    expect(line).toMatch(/^ {2}lr fell ×2\.91 at step 12 \(0\.002181 → 7\.5e-4\) and rose again the next step \(0\.001735\): a scheduler restarted on resume\? /);
    expect(line).toContain("a warm-up: its first factor of the lr");
    // AdamW's β1 is constant here: nothing said of it
    expect(line).not.toContain("β1");
  });

  it("built first (the right order): no such line", () => {
    expect(lambdaRun("right").summary().some((l) => hint.test(l))).toBe(false);
  });

  it("SGD + OneCycleLR resumed the wrong way: the momentum reset for that step is in the same line", () => {
    const tr = oneCycleRun("wrong");
    (tr.series("momentum")!.columns().last as number[]).forEach((v, i) => expect(v).toBeCloseTo(PYTORCH_ONECYCLE_MOMENTUM[i], 12));
    const line = tr.summary().find((l) => hint.test(l));
    expect(line).toMatch(/^ {2}lr fell ×24\.9 at step 10 \(0\.09944 → 0\.004\) and rose again the next step \(0\.09505\), and momentum 0\.8506 → 0\.95 → 0\.855 with it \(that step ran with momentum 0\.95\): a scheduler restarted on resume\?/);
    expect(oneCycleRun("right").summary().some((l) => hint.test(l))).toBe(false);
  });
});
