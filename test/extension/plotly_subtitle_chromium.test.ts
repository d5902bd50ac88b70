/**
 * The static plotly figure's title names the run (kernel/src/plot/plotly.ts plotlySubtitle): where
 * lrlab's extension is not installed (VS Code, jupyterlab-plotly), a traced run's figure said only
 * "Effective learning rate", and its legend names metrics, so nothing told which run it was. Drawn
 * in real plotly.js (Debian's chromium): the run's line sits under the title, inside the figure and
 * above the plot area. Screenshots go to test-output/subtitle/.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, type Trace } from "../../kernel/src/trace/index";
import { bundle, PLOTLY_MIME } from "../../kernel/src/plot/index";
import { plotlySubtitle } from "../../kernel/src/plot/plotly";
import { usePlotlyPage } from "./browser/plotly_page";

const SHOTS = join(__dirname, "..", "..", "test-output", "subtitle");
const plotly = usePlotlyPage(SHOTS);

function run(name: string): Trace {
  torch.manual_seed(0);
  const m = new torch.nn.Linear(4, 1);
  const opt = new torch.optim.Adam(m.parameters(), { lr: 0.01 });
  const t = trace(opt, { name });
  for (let i = 0; i < 12; i++) {
    opt.zero_grad();
    m.forward(torch.randn([8, 4])).pow(2).mean().backward();
    opt.step();
  }
  t.stop();
  return t;
}

type Fig = { data: unknown[]; layout: Record<string, any> };

describe("the plotly figure's title names its run", () => {
  it("one run: its headline under the title, escaped; a comparison (its legend names the runs): none", () => {
    const one = bundle(run("warm <b>up</b>"))[PLOTLY_MIME] as Fig;
    expect(one.layout.title.text).toBe("Effective learning rate<br><sup>warm &lt;b&gt;up&lt;/b&gt; (Adam): 12 steps</sup>");
    const two = bundle({ a: run("a"), b: run("b") })[PLOTLY_MIME] as Fig;
    expect(two.layout.title.text).toBe("Effective learning rate: comparison");
    expect(plotlySubtitle(["T", "x (SGD): 3 steps", "  group 0: lr 0.1"], "T")).toBe("x (SGD): 3 steps");
    expect(plotlySubtitle(["T", "x: 3 steps", "y: 3 steps"], "T")).toBeNull();
    expect(plotlySubtitle([], "T")).toBeNull();
  });

  it("drawn by plotly.js: both lines inside the figure, above the plot area, at 900 and 420 px", async () => {
    const fig = bundle(run("adam-warmup"))[PLOTLY_MIME] as Fig;
    for (const width of [900, 420]) {
      await plotly.draw(fig, width);
      await plotly.page().screenshot({ path: join(SHOTS, `subtitle-${width}.png`), fullPage: true });
      const b = await plotly.page().evaluate(() => {
        const box = (e: Element) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, text: e.textContent }; };
        return {
          title: box(document.querySelector("#plot g.g-gtitle text")!),
          // the plot area's top: the figure's top plus plotly's top margin
          plot: { top: document.querySelector("#plot .main-svg")!.getBoundingClientRect().top + (document.getElementById("plot") as any)._fullLayout._size.t },
          figure: box(document.querySelector("#plot .main-svg")!),
        };
      });
      // (plotly puts a zero-width space after each line)
      expect(b.title.text?.replace(/\u200b/g, ""), `${width} px`).toBe("Effective learning rateadam-warmup (Adam): 12 steps");
      expect(b.title.top, `${width} px`).toBeGreaterThanOrEqual(b.figure.top);
      expect(b.title.bottom, `${width} px`).toBeLessThanOrEqual(b.plot.top + 0.5);
    }
  }, 60_000);
});
