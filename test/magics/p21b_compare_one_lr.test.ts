/**
 * `%lr_compare seq --metric lr` of one run: a trace's figure opened on the configured lr, titled
 * "Effective learning rate" in its plotly figure, SVG and text (a teacher's pass, userV finding 2;
 * P1 titled the comparison of several runs "Configured learning rate: comparison"). Now titled
 * "Configured learning rate", one run needing no ": comparison"; the payload keeps its default
 * title for the extension's menu (test/extension/p21b_one_run_title.test.ts). The first case
 * failed before the change; the second guards what stays (other metrics, a title given).
 * In-process (kernel/dist, as the kernel loads it), as test/magics/p21_compare_preview.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { compareRun, lrlab, torch } from "./compare_harness";
const PLOT = "application/vnd.lrlab.plot+json";
const PLOTLY = "application/vnd.plotly.v1+json";

const run = (line: string) => compareRun(line).bundle;

beforeAll(() => {
  lrlab.clear_runs();
  torch.manual_seed(0);
  const p = torch.zeros([4], { requires_grad: true });
  const target = torch.randn(4);
  const opt = new torch.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
  const sched = new torch.optim.lr_scheduler.CosineAnnealingLR(opt, { T_max: 32 });
  const t = lrlab.trace(opt, { name: "seq" });
  for (let i = 0; i < 32; i++) {
    opt.zero_grad();
    const loss = p.sub(target).pow(2).sum();
    loss.backward();
    t.log_loss(loss);
    opt.step();
    sched.step();
  }
  t.stop();
});

describe("%lr_compare of one run --metric lr", () => {
  it("is titled as the configured lr in plotly, SVG and text", () => {
    const b = run("seq --metric lr");
    expect(b[PLOT].kind).toBe("trace");
    expect(b[PLOT].default_metric).toBe("lr");
    // the payload keeps the default: the extension titles each metric of its menu itself
    expect(b[PLOT].title).toBe("Effective learning rate");
    // (the line under it names the run: test/plot/plotly_subtitle.test.ts)
    expect(b[PLOTLY].layout.title.text).toBe("Configured learning rate<br><sup>seq (SGD): 32 steps</sup>");
    expect(b["text/plain"]).toMatch(/^Configured learning rate\n/);
    expect(b["image/svg+xml"]).toContain("Configured learning rate");
    expect(b["image/svg+xml"]).not.toContain("Effective learning rate");
  });

  it("another metric, or a title given, keeps its title", () => {
    const title = (b: Record<string, any>) => (b[PLOTLY].layout.title.text as string).split("<br>")[0];
    expect(title(run("seq --metric lr_projected"))).toBe("Effective learning rate");
    expect(title(run("seq"))).toBe("Effective learning rate");
    expect(title(run("seq --metric lr --title mine"))).toBe("mine");
  });
});
