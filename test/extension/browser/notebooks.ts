/**
 * Notebooks the browser test opens. `saved.ipynb` holds outputs as lrlab writes them (the full
 * display bundle: our payload, plotly JSON, SVG, text), built from the PyTorch fixture payloads;
 * (the payloads are the PyTorch fixtures, the plotly JSON and SVG come from kernel/src/plot);
 * `live.ipynb` is a Python cell that sends a payload and then grows it with
 * `update_display_data`, the message a live lrlab training cell sends.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PLOT_MIME, PLOTLY_MIME, type PlotPayload } from "../../../extension/src/payload";
import { toPlotly } from "../../../kernel/src/plot/plotly";
import { toSvgSync } from "../../../kernel/src/plot/svg";
import * as torch from "../../../kernel/src/index";
import { trace } from "../../../kernel/src/trace/index";
import { make_figure } from "../../../kernel/src/plot/figure";
import { clone, fixture } from "../fixtures";
import { trainLogged } from "../../plot/saved";

/** A trace name that would run script if any renderer treated it as HTML. */
export const EVIL_NAME = `<img src=x onerror="window.__lrlab_xss=1">`;
export const EVIL_TITLE = `<b>bold?</b> & <script>window.__lrlab_xss=2</script>`;

/** The bundle lrlab's kernel sends for a payload: its plotly JSON and SVG come from kernel/src/plot. */
function bundle(p: PlotPayload): Record<string, unknown> {
  return {
    [PLOT_MIME]: p,
    [PLOTLY_MIME]: toPlotly(p),
    "image/svg+xml": toSvgSync(p),
    "text/plain": `lrlab plot: ${p.title}`,
  };
}

function codeCell(id: string, source: string, outputs: unknown[] = []) {
  return { cell_type: "code", execution_count: outputs.length ? 1 : null, id, metadata: {}, outputs, source: source.split(/(?<=\n)/) };
}

function notebook(cells: unknown[]) {
  return {
    cells,
    metadata: {
      kernelspec: { display_name: "Python 3 (ipykernel)", language: "python", name: "python3" },
      language_info: { name: "python" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

const display = (p: unknown) => ({ output_type: "display_data", data: p, metadata: {} });

export function evilCompare(): PlotPayload {
  const p = clone(fixture("compare"));
  p.title = EVIL_TITLE;
  for (const s of p.series) if (s.name === "adam") s.name = EVIL_NAME;
  return p;
}

/** Writes saved.ipynb: [two groups, compare (with HTML in names), range test, malformed]. */
export function writeSavedNotebook(dir: string): void {
  const malformed = clone(fixture("trace_two_groups")) as any;
  malformed.series[0].x = "not a list";
  const cells = [
    codeCell("two-groups", "# SGD with two parameter groups", [display(bundle(fixture("trace_two_groups")))]),
    codeCell("compare", "# three runs compared", [display(bundle(evilCompare()))]),
    codeCell("range-test", "# lr range test", [display(bundle(fixture("range_test")))]),
    codeCell("malformed", "# a broken payload", [display({ ...bundle(fixture("range_test")), [PLOT_MIME]: malformed })]),
  ];
  writeFileSync(join(dir, "saved.ipynb"), JSON.stringify(notebook(cells), null, 1));
}

export const LIVE_BUCKETS_FIRST = 4;
export const LIVE_BUCKETS_LAST = 12;

/** Writes live.ipynb and its payload; the cell waits for a file named `go` before it updates. */
export function writeLiveNotebook(dir: string): void {
  writeFileSync(join(dir, "live_payload.json"), JSON.stringify(fixture("trace_two_groups")));
  const source = `import json, os, time
from IPython.display import display, update_display
full = json.load(open("live_payload.json"))
def part(n):
    p = json.loads(json.dumps(full))
    for s in p["series"]:
        for k in ("x", "mean", "min", "max"):
            if k in s:
                s[k] = s[k][:n]
    p["live"] = n < ${LIVE_BUCKETS_LAST}
    return {"${PLOT_MIME}": p, "text/plain": f"lrlab plot, {n} buckets"}
h = display(part(${LIVE_BUCKETS_FIRST}), raw=True, display_id=True)
while not os.path.exists("go"):
    time.sleep(0.1)
for n in range(${LIVE_BUCKETS_FIRST + 1}, ${LIVE_BUCKETS_LAST + 1}):
    time.sleep(0.3)
    update_display(part(n), raw=True, display_id=h.display_id)
print("live cell done")
`;
  writeFileSync(join(dir, "live.ipynb"), JSON.stringify(notebook([codeCell("live", source)]), null, 1));
}

/**
 * The rankings a live per_param run's updates carry (largest mean update ratio so far first):
 * they turn over from update to update, a parameter comes in at the top, one is left out for an
 * update; the last payload is the final one (not live).
 */
export const LIVE_PARAM_RANKINGS: { ranked: string[]; live: boolean }[] = [
  { ranked: ["0.weight", "0.bias", "1.weight"], live: true },
  { ranked: ["1.weight", "0.weight", "0.bias"], live: true },
  { ranked: ["2.weight", "0.bias", "1.weight", "0.weight"], live: true },
  { ranked: ["2.weight", "1.weight", "0.weight"], live: true },
  { ranked: ["0.bias", "2.weight", "1.weight", "0.weight"], live: true },
  { ranked: ["2.weight", "0.bias", "1.weight", "0.weight"], live: false },
];

/**
 * Writes live_params.ipynb: a Python cell that displays the first payload of LIVE_PARAM_RANKINGS
 * (made by the kernel's make_figure) and, once a file named `go-params` exists, sends the others
 * with update_display_data, as a live `%%lr_trace --per-param` cell does.
 */
export function writeLiveParamsNotebook(dir: string): void {
  const payloads = LIVE_PARAM_RANKINGS.map(({ ranked, live }, u) => {
    const steps = 4 * (u + 1);
    const buckets = (f: (t: number) => number) =>
      Array.from({ length: steps }, (_, t) => ({ first_step: t, last_step: t, pushes: 1, count: 1, sum: f(t), mean: f(t), min: f(t), max: f(t), last: f(t) }));
    const series = [{ metric: "update_ratio", group: 0, param: null, buckets: buckets((t) => 0.01 / (1 + t)) }];
    ranked.forEach((name, k) => series.push({ metric: "update_ratio", group: 0, param: name as never, buckets: buckets((t) => (ranked.length - k) * 2e-3 / (1 + t)) }));
    const p = make_figure([{ name: "deep", series, params: { names: ranked, criterion: "mean update ratio ‖Δ‖/‖θ‖" } }], { kind: "trace", default_metric: "update_ratio", live }).payload;
    p.param_info = { total: 4, omitted: 4 - ranked.length, criterion: "mean update ratio ‖Δ‖/‖θ‖" };
    return p;
  });
  writeFileSync(join(dir, "live_params.json"), JSON.stringify(payloads));
  const source = `import json, os, time
from IPython.display import display, update_display
payloads = json.load(open("live_params.json"))
h = display({"${PLOT_MIME}": payloads[0], "text/plain": "lrlab plot"}, raw=True, display_id=True)
while not os.path.exists("go-params"):
    time.sleep(0.1)
for p in payloads[1:]:
    time.sleep(0.6)
    update_display({"${PLOT_MIME}": p, "text/plain": "lrlab plot"}, raw=True, display_id=h.display_id)
print("live params done")
`;
  writeFileSync(join(dir, "live_params.ipynb"), JSON.stringify(notebook([codeCell("live-params", source)]), null, 1));
}

/**
 * Writes params.ipynb: the saved bundle of a real per_param trace (3 × Linear(8, 8), Adam), as
 * the kernel builds it: the group's lines, each parameter's in the payload for the selector.
 */
export function writeParamsNotebook(dir: string): { names: string[] } {
  torch.manual_seed(0);
  const model = new torch.nn.Sequential(new torch.nn.Linear(8, 8), new torch.nn.Linear(8, 8), new torch.nn.Linear(8, 8));
  const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
  const t = trace(opt, { per_param: true, name: "deep", named_parameters: model.named_parameters() });
  const x = torch.randn(16, 8), y = torch.randn(16, 8);
  trainLogged(model, opt, t, x, y, 60);
  const b = t._repr_mimebundle_();
  const cells = [codeCell("params", "# per_param trace", [display(b)])];
  writeFileSync(join(dir, "params.ipynb"), JSON.stringify(notebook(cells), null, 1));
  return { names: (b[PLOT_MIME] as PlotPayload).series.filter((s) => s.param).map((s) => s.param as string).filter((n, i, a) => a.indexOf(n) === i) };
}

/** A TypeScript training cell for the lrlab kernel: `%%lr_trace` plots it live while it runs. */
export const LRLAB_TRAINING_SECONDS = 8;

export function writeLrlabNotebook(dir: string): void {
  const source = `%%lr_trace --name live
const model = new torch.nn.Linear(4, 1);
const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
const criterion = new torch.nn.MSELoss();
const x = torch.randn(64, 4);
const y = torch.randn(64, 1);
const t0 = Date.now();
while (Date.now() - t0 < ${LRLAB_TRAINING_SECONDS * 1000}) {
  optimizer.zero_grad();
  const loss = criterion.forward(model.forward(x), y);
  loss.backward();
  optimizer.step();
}
`;
  const nb = {
    cells: [codeCell("train", source)],
    metadata: {
      kernelspec: { display_name: "TypeScript (lrlab)", language: "typescript", name: "lrlab" },
      language_info: { name: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(join(dir, "lrlab_live.ipynb"), JSON.stringify(nb, null, 1));
}
