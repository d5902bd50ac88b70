"""Writes the companion notebooks and executes them on the lrlab kernel, saving their outputs.

    .venv/bin/python notebooks/make_notebooks.py          # write + execute all four
    .venv/bin/python notebooks/make_notebooks.py --check  # execute into memory only (tests)

Each notebook works through one of the three examples of an article on "the effective learning
rate" (the project's seed examples): first the original code ported line by line and what it really prints
(beside what PyTorch 2.13 prints for the same code: notebooks/pytorch/*.py and *.out), then what
is wrong with it, then the right measurement, plotted. Notebook 4 is not from the article: it
measures what Adam's first steps do on a tiny transformer, with and without learning-rate warm-up.
"""
import pathlib
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = pathlib.Path(__file__).resolve().parent
PYTORCH = HERE / "pytorch"


def md(text):
    return new_markdown_cell(text.strip("\n"))


def code(text, *tags):
    c = new_code_cell(text.strip("\n"))
    if tags:
        c.metadata["tags"] = list(tags)
    return c


def pytorch_says(name):
    """A markdown cell quoting what PyTorch 2.13 printed for notebooks/pytorch/<name>.py."""
    out = (PYTORCH / f"{name}.out").read_text().rstrip("\n")
    lines = out.splitlines()
    if lines and lines[0].startswith("Traceback"):
        out = "\n".join(["Traceback (most recent call last):", "  ...", *lines[-3:]])
    return md(f"What PyTorch 2.13 prints for the same code (`notebooks/pytorch/{name}.py`):\n\n```\n{out}\n```")


SIMPLE_MODEL = """
class SimpleModel extends torch.nn.Module {
  linear = new torch.nn.Linear(10, 1);
  forward(x: torch.Tensor) {
    return this.linear.forward(x);
  }
}
"""

# ---------------------------------------------------------------------------------------------
NB1 = [
    md("""
# 1 · Batch size and the per-sample learning rate

The article's Example 1 claims that *"increasing batch size with the same base learning rate
yields smaller changes in parameter norms after 10 steps of optimization"*, because gradients
are averaged over the batch. With a **mean**-reduced loss over `B` samples, SGD's step is
`−(γ/B) Σ ∇ℓᵢ`: every sample gets the rate `γ/B`. The claim is true per sample and per epoch,
false per step, as the last part of this notebook measures. The code that is meant to show it
does something else. Let us run it first, exactly as written.
"""),
    md("## The original code, ported line by line"),
    code("torch.manual_seed(0);  // added, so the numbers can be compared with PyTorch's\n" + SIMPLE_MODEL + """
const model = new SimpleModel();
const criterion = new torch.nn.MSELoss();

// Base learning rate
const base_lr = 0.01;
// Example batch sizes
const batch_sizes = [32, 128, 512];
// Dummy input data
const dummy_input = torch.randn(1, 10);
const dummy_target = torch.randn(1, 1);

for (const bs of batch_sizes) {
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: base_lr });
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < bs; j++) {
      const output = model.forward(dummy_input);
      const loss = criterion.forward(output, dummy_target);
      loss.backward();
    }
    optimizer.step();
    optimizer.zero_grad();
  }
  // Retrieve and print the parameter norm changes
  let param_change_norm: any = 0;
  for (const param of model.parameters()) {
    param_change_norm += torch.norm(param.grad as torch.Tensor);
  }
  console.log(`Batch size: ${bs}, Accumulated parameter change norm: ${param_change_norm.toFixed(4)}`);
}
""", "raises-exception"),
    pytorch_says("example1_batch_size"),
    md("""
Both fail on the same line, for the same reason: `param.grad` is `None` (`null`); only the
exception differs. Reading the code critically, it has three bugs, and the first one hides the
other two:

1. **It reads the gradient after clearing it.** `optimizer.zero_grad()` sets every `.grad` to
   `None` (PyTorch 2's default, `set_to_none=True`), so `torch.norm(param.grad)` fails. Under
   PyTorch 1.6, when the article was written, the gradients were zeroed instead and it printed
   `0.0000` three times. Either way it never looked at a *parameter change*: what it sums is
   `‖∇W‖ + ‖∇b‖`, one gradient norm per tensor, not even the norm of the whole gradient.
2. **Its "batch" is a sum, not a mean.** There is one dummy sample, and the inner loop calls
   `loss.backward()` on it `bs` times; gradients accumulate, so each step uses `bs × ∇ℓ`. Nothing
   is averaged: the step *grows* with `bs`, the opposite of what the article says.
3. **The three runs share one model.** It is not re-created for each batch size, so each run
   starts where the previous one ended.

## What it would have measured
Re-create the model for each batch size and measure the change of the parameters over the ten
steps, `‖θ₁₀ − θ₀‖`:
"""),
    code("""
/** Python's f"{x:.4e}" (two-digit exponent, "inf"), so the lines compare with PyTorch's. */
function py_e(x: number) {
  return Number.isFinite(x) ? x.toExponential(4).replace(/e([+-])(\\d)$/, "e$10$2") : x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
}

function flat_params(m: torch.nn.Module) {
  return torch.cat(m.parameters().map((p) => p.detach().flatten()));
}

for (const bs of [32, 128, 512]) {
  torch.manual_seed(0);
  const model = new SimpleModel();
  const dummy_input = torch.randn(1, 10);
  const dummy_target = torch.randn(1, 1);
  const before = flat_params(model);
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: base_lr });
  let loss = torch.tensor(0);
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < bs; j++) {
      loss = criterion.forward(model.forward(dummy_input), dummy_target);
      loss.backward();
    }
    optimizer.step();
    optimizer.zero_grad();
  }
  const change = flat_params(model).sub(before).norm().item();
  console.log(`Batch size: ${bs}, parameter change norm: ${py_e(change)}, loss: ${py_e(loss.item())}`);
}
"""),
    pytorch_says("example1_measured"),
    md("""
The parameters fly off to `1e8` and beyond: the run **diverges**, and faster for larger `bs`.
Summing `bs` gradients makes the step `bs` times larger. For this one-sample least-squares
problem the curvature along the input is `λ = 2(‖x‖² + 1) ≈ 27`, and gradient descent is stable
only while `step size × λ < 2`. Here the step size is `γ·bs = 0.32` to `5.12`, so `γ·bs·λ` is
between 8.6 and 138.

The tracer shows it, though one of its numbers needs care. Traced with `reduction: "sum"` and
`batch_size: 32`, which is what the accumulation is, it counts each of the 32 backward calls as
a sample, so its projected and per-sample rates both read `γ = 0.01`. But the 32 are one sample
32 times: the step holds its gradient `∇ℓ` 32 times. Measured against that gradient, the one
real sample's step is `‖Δθ‖/‖∇ℓ‖ = γ·bs = 0.32`. The cell prints both.

The tracer computes its rates at every step, and the summary under the plot prints the last
step's values. Only the metrics listed in `metrics` are recorded as series over the steps, and
here that is the update ratio `‖Δθ‖/‖θ‖` alone: the projected and per-sample rates, `γ` by the
tracer's count, would be two more lines on top of the configured `lr`. The update ratio is far
above 1, where about `1e-3` is healthy, and settles at `γ·bs·λ = 8.64`, the product that must
stay below 2.
"""),
    code("""
torch.manual_seed(0);
const m32 = new SimpleModel();
const x1 = torch.randn(1, 10), y1 = torch.randn(1, 1);
const opt32 = new torch.optim.SGD(m32.parameters(), { lr: base_lr });
const t32 = lrlab.trace(opt32, { batch_size: 32, reduction: "sum", name: "bs=32 (accumulated)", metrics: ["update_ratio"] });
for (let i = 0; i < 10; i++) {
  for (let j = 0; j < 32; j++) criterion.forward(m32.forward(x1), y1).backward();
  opt32.step();
  opt32.zero_grad();
}
t32.stop();
const last = t32.latest();
console.log(`the tracer, counting each backward call as a sample: lr ${last.lr}, lr_projected ${last.lr_projected?.toFixed(4)}, lr_per_sample ${last.lr_per_sample?.toFixed(4)}`);
// The step's gradient is g = 32·∇ℓ (one sample, 32 backward calls) and ‖Δθ‖ = lr_realized·‖g‖,
// so measured against the one sample's gradient the step is ‖Δθ‖/‖∇ℓ‖ = 32·lr_realized.
console.log(`the one real sample: ‖Δθ‖/‖∇ℓ‖ = ${(32 * last.lr_realized!).toFixed(4)} = γ·bs`);
const lambda1 = 2 * (x1.pow(2).sum().item() + 1);
console.log(`update_ratio ${last.update_ratio?.toFixed(2)}; γ·bs·λ = ${(base_lr * 32 * lambda1).toFixed(2)} (λ = ${lambda1.toFixed(2)})`);
display(t32.bundle({ default_metric: "update_ratio" }));
"""),
    md("""
## The right measurement: real batches, mean reduction
Now the experiment the article describes: a data set of `N = 2048` samples, mini-batches of
`B` samples, the mean-reduced MSE, the same `γ = 0.01` for every `B`, each run from the same
initial weights. `lrlab.trace(optimizer, { batch_size: B, name })` traces each run (as
`%%lr_trace --name NAME --batch-size B` does for the optimizers a cell steps): the batch size lets
it report the **per-sample** rate `lr_per_sample = γ/B`, and the name makes the trace a run,
which `%lr_compare` then plots by that name.
"""),
    code("""
torch.manual_seed(0);
const N = 2048;
const X = torch.randn(N, 10);
const w_true = torch.randn(10, 1);
const Y = X.matmul(w_true).add(torch.randn(N, 1).mul(0.1));
const data = new torch.utils.data.TensorDataset(X, Y);
const mse = new torch.nn.MSELoss();  // reduction "mean"

/** Two epochs of SGD with mini-batches of `bs`, returning the trace of its effective rates. */
function run(bs: number, lr: number, name: string) {
  torch.manual_seed(1);
  const model = new SimpleModel();
  const optimizer = new torch.optim.SGD(model.parameters(), { lr });
  const trace = lrlab.trace(optimizer, { batch_size: bs, name });
  const loader = new torch.utils.data.DataLoader(data, { batch_size: bs, shuffle: true });
  const full_loss = () => mse.forward(model.forward(X), Y).item();  // on all N samples
  let after8 = NaN;
  for (let epoch = 0; epoch < 2; epoch++) {
    for (const [x, y] of loader) {
      optimizer.zero_grad();
      const loss = mse.forward(model.forward(x), y);
      loss.backward();
      trace.log_loss(loss.item());
      optimizer.step();
      if (trace.steps === 8) after8 = full_loss();
    }
  }
  trace.stop();
  const m = trace.latest();
  console.log(`${name.padEnd(15)} steps ${String(trace.steps).padStart(3)}  lr_projected ${m.lr_projected?.toFixed(4)}  lr_per_sample ${m.lr_per_sample?.toExponential(3)}  `
    + `loss on all data: after 8 steps ${after8.toFixed(3)}, after 2 epochs ${full_loss().toFixed(3)}`);
  return trace;
}

const b32 = run(32, 0.01, "B=32, lr=0.01");
const b128 = run(128, 0.01, "B=128, lr=0.01");
const b512 = run(512, 0.01, "B=512, lr=0.01");
"""),
    code('%lr_compare "B=32, lr=0.01" "B=128, lr=0.01" "B=512, lr=0.01" --metric lr_per_sample'),
    md("""
What holds exactly is the per-sample rate, which the plot opens on: SGD's projected rate is `γ`
whatever `B`, and the rate each sample gets is `γ/B`: `3.1e-4`, `7.8e-5`, `2.0e-5`. The *step*
does not shrink: a mean over more samples estimates the same gradient, only with less noise, so
step for step the three runs learn alike.

Choose *loss* in the plot's metric menu. In JupyterLab a plot shows one metric at a time, chosen
in the menu above it; the static picture that GitHub, nbviewer and exported HTML show stacks the
metrics in panels, here the loss in a second one. This holds for every plot of these notebooks.
Against steps, the three batch losses fall together, `B = 32`'s the noisiest. The summaries under
this notebook's plots print each run's loss on its last mini-batch; the losses quoted here are
on all 2048 samples, as the cell that ran them prints. After 8 steps they are 2.248, 2.286 and 2.288.

What a larger batch loses is steps: one epoch of 2048 samples is 64 steps at `B = 32` and 4 at
`B = 512`. After two epochs the loss is 0.024, 0.823 and 2.288; at `B = 512`, two epochs are
those 8 steps. The article's claim holds per epoch, not per step, and for SGD `γ/B` says by
how much. Adam ignores the `1/B` of a mean loss, though not the smaller noise of a larger batch:
notebook 2 shows both, in its sections *Adam ignores the loss's scale* and *With real batches*.

## Keeping the per-sample rate: the linear scaling rule
Goyal et al. (2017, arXiv:1706.02677): when `B → kB`, set `γ → kγ`; this keeps `γ/B`.
`lrlab.scale` computes it, citing its source:
"""),
    code("""
const scaled = lrlab.scale({ rule: "linear", lr: 0.01, batch_size: 32, new_batch_size: 512 });
console.log(scaled);
const b512_scaled = run(512, scaled.lr, "B=512, lr=0.16");
console.log(`per-sample rate, B=32: ${b32.latest().lr_per_sample!.toExponential(4)}, B=512 scaled: ${b512_scaled.latest().lr_per_sample!.toExponential(4)}`);
"""),
    code('%lr_compare "B=32, lr=0.01" "B=512, lr=0.01" "B=512, lr=0.16" --metric lr_per_sample'),
    md("""
Multiplying both `B` and `γ` by 16 keeps the per-sample rate: the line of `B=512, lr=0.16` lies on
that of `B=32, lr=0.01` (untick one of them under *runs* to see the other), 16 times above
`B=512, lr=0.01`'s. And the scaled run's 8 steps leave a loss of 0.015 on all the data, lower
than `B = 32`'s 0.024 after its 128. The rule keeps the per-sample rate, not the trajectory: on
a quadratic, 16 small steps shrink the error along a direction of curvature `λ` by
`(1−γλ)¹⁶`, one step of `16γ` by `1−16γλ`, which is smaller (here the mean loss's curvatures are
1.8 to 2.2, so about 0.70 against 0.64 at the largest); and the large batch's gradient is less
noisy. The two agree only while `16γλ ≪ 1`.

The rule also stops where the first experiment's limit starts: the scaled `γ` must keep `γλ < 2`
for the largest curvature `λ ≈ 2.2`, that is `γ < 0.89` here. Doubled twice more, to `B = 2048`
(the whole data set), `γ = 0.64` still trains (a loss of 0.080 on all the data after its two
steps); the next doubling of `γ`, to `1.28`, diverges (the loss grows from 3.2 to 30 in those
two steps; lrlab and PyTorch give the same numbers for both runs). Goyal et al. report the rule
holding up to batches of 8k images on ImageNet and breaking down beyond, and add a gradual
warm-up, because a large `γ` can be unstable early on.
"""),
]

# ---------------------------------------------------------------------------------------------
NB2 = [
    md("""
# 2 · Adam: one `lr`, a different step for every parameter

The article's Example 2 prints `optimizer.param_groups[0]['lr']` and calls it the effective
learning rate. Adam never changes that number: it divides each parameter's step by a running
estimate of its own gradient scale. The code, ported line by line:
"""),
    code("torch.manual_seed(0);  // added, so the numbers can be compared with PyTorch's\n" + SIMPLE_MODEL + """
const model = new SimpleModel();
const criterion = new torch.nn.MSELoss();

// Base learning rate
const base_lr = 0.01;

// Initialize Adam optimizer
const optimizer = new torch.optim.Adam(model.parameters(), { lr: base_lr });

// Dummy input
const dummy_input = torch.randn(1, 10);
const dummy_target = torch.randn(1, 1);

// Initial learning rate
console.log(`Initial Base Learning Rate: ${optimizer.param_groups[0].lr.toFixed(4)}`);

for (let step = 0; step < 20; step++) {
  const output = model.forward(dummy_input);
  const loss = criterion.forward(output, dummy_target);
  loss.backward();
  optimizer.step();
  optimizer.zero_grad();
  if (step % 5 === 0) {
    console.log(`Step: ${step}, Effective Learning Rate: ${optimizer.param_groups[0].lr.toFixed(4)}`);
  }
}
// added: the final weights, to compare with PyTorch's
console.log(`Final weight: [${(model.linear.weight.detach().flatten().tolist() as number[]).map((v: number) => +v.toFixed(4)).join(", ")}]`);
"""),
    pytorch_says("example2_adam"),
    md("""
Same numbers, and the same mistake in both: `0.0100` at every step is the *configured* rate,
which Adam never touches. The commentary says so itself ("the base learning rate remains
constant") and still labels it "Effective Learning Rate". What Adam does per element is

`Δθₖ = −(γ / (1−β₁ᵗ)) · mₖ / (√vₖ / √(1−β₂ᵗ) + ε)`,

where `t` counts the steps from 1, and `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²` are running
averages of the gradient and of its square, started at 0 (PyTorch's defaults: `β₁ = 0.9`,
`β₂ = 0.999`). Dividing by `1−β₁ᵗ` and `1−β₂ᵗ` corrects that start: `m̂ = m/(1−β₁ᵗ)`,
`v̂ = v/(1−β₂ᵗ)`. So the rate the `k`-th parameter actually gets, relative to its gradient, is
`ρₖ = −Δθₖ / gₖ`, and Adam's own factor, read from its state, is `(γ / (1−β₁ᵗ)) / (√v̂ₖ + ε)`,
which multiplies `mₖ` (Kingma & Ba 2015; PyTorch adds `ε` after the bias correction).

## The right measurement
Run the same training under `%%lr_trace`: it reads every step's update, and Adam's state.
"""),
    code("""
%%lr_trace --name adam
torch.manual_seed(0);
const model2 = new SimpleModel();
const optimizer2 = new torch.optim.Adam(model2.parameters(), { lr: base_lr });
const x = torch.randn(1, 10), y = torch.randn(1, 1);
for (let step = 0; step < 20; step++) {
  const loss = criterion.forward(model2.forward(x), y);
  loss.backward();
  _lr_trace.log_loss(loss);
  optimizer2.step();
  optimizer2.zero_grad();
}
const pre = _lr_trace.latest().lr_preconditioned;  // Adam's own factor, over the 11 parameters
console.log(`Adam's factor at the last step: min ${pre.min.toFixed(4)}, 5% ${pre.q05.toFixed(4)}, median ${pre.q50.toFixed(4)}, 95% ${pre.q95.toFixed(4)}, max ${pre.max.toFixed(4)}`);
"""),
    md("""
The plot opens on the projected rate `−⟨Δ,g⟩/‖g‖²`, beside the configured `lr`, the flat line:
`0.0056` at the first step against the configured `0.01`, `0.34` at step 7, negative from step 8
to 12.

Now choose *element-wise lr*, the second panel of the static picture. Its line is the median over
the 11 parameters of `ρₖ = −Δθₖ/gₖ`, its band their 5–95% range. At the first step the band
already spans `0.0054` to `0.19` around the configured `0.01`; the full range is `0.0029` to
`0.19`, 64 times, as the cell after next prints. The panel's linear axis is scaled for step 7, so
steps 0 to 6 lie flat near 0 (in JupyterLab, zoom in on them). At step 7 the loss dips to `5e-5`
and the gradient almost vanishes: the median reaches `0.62`, the band's top `11`.

From step 8 to 12 every `ρₖ` is **negative**: Adam's momentum `m` still points the old way, so
the step goes against the new gradient, uphill, and the loss climbs back to `0.046`. No single
learning rate describes that.

Adam's own per-element factor stays positive: choose *preconditioned lr*, the third panel. It is
read from Adam's state and multiplies `m`, so where `m` points does not enter it. Once the first
steps are past, from step 5, its 5–95% band lies between `0.014` and `0.6`, 1.4 to 60 times the
configured rate. Not every
parameter gets more than `lr`, though: the one with the largest gradient, the weight of the
largest input, gets `0.0076` to `0.0092`, less than `lr` (the cell prints the last step's). That
is Adam's point: a large gradient gets a small factor.

The first step shows where the spread comes from (Kingma & Ba §2.1): with `m₁ = (1−β₁)g`,
`v₁ = (1−β₂)g²`, the bias-corrected step is `γ · g/|g| ≈ ±γ` for **every** element, whatever its
gradient. So `|Δθₖ| ≈ γ` and `ρₖ ≈ γ/|gₖ|`: small gradients get large rates.
"""),
    code("""
torch.manual_seed(0);
const m3 = new SimpleModel();
const opt3 = new torch.optim.Adam(m3.parameters(), { lr: base_lr });
const tr = lrlab.trace(opt3, { name: "first step" });
const x3 = torch.randn(1, 10), y3 = torch.randn(1, 1);
const w0 = m3.linear.weight.detach().clone();
criterion.forward(m3.forward(x3), y3).backward();
const g = m3.linear.weight.grad!.clone();
opt3.step();
tr.stop();
const delta = m3.linear.weight.detach().sub(w0);
console.log("|Δθ| per weight: ", (delta.abs().flatten().tolist() as number[]).map((v: number) => v.toFixed(5)).join(" "));
console.log("γ/|g| per weight:", (g.abs().reciprocal().mul(base_lr).flatten().tolist() as number[]).map((v: number) => v.toFixed(4)).join(" "));
const q = tr.latest().lr_elementwise;
console.log(`measured ρ over all parameters: min ${q.min.toFixed(4)}, median ${q.q50.toFixed(4)}, max ${q.max.toFixed(4)}`);
"""),
    md("""
## Adam ignores the loss's scale (sum vs. mean), SGD does not
Multiply the loss by a constant `c` and every gradient is multiplied by `c`. SGD's step scales
with it. Adam's does not, as long as `ε ≪ √v̂`: `m` is multiplied by `c` and `√v` by `|c|`, so
`m/√v` is unchanged. The constant can be the `1/B` between a sum-reduced and a mean-reduced loss
over the same batch, a weight on the loss, or the `1/k` of `k` accumulated micro-batches. Here
the same batch of 64 samples is trained once with the mean loss and once with that loss divided
by a further 64:
"""),
    code("""
torch.manual_seed(0);
const Xb = torch.randn(64, 10), Yb = torch.randn(64, 1);
function step_size(make: (p: torch.Tensor[]) => torch.optim.Optimizer, scale: number) {
  torch.manual_seed(3);
  const m = new SimpleModel();
  const opt = make(m.parameters());
  const t = lrlab.trace(opt);
  for (let i = 0; i < 5; i++) {
    opt.zero_grad();
    criterion.forward(m.forward(Xb), Yb).mul(scale).backward();
    opt.step();
  }
  t.stop();
  return t.latest().lr_realized! * t.latest().grad_norm!;  // ‖Δθ‖ of the last step
}
for (const [name, make] of [
  ["SGD ", (p: torch.Tensor[]) => new torch.optim.SGD(p, { lr: 0.01 })],
  ["Adam", (p: torch.Tensor[]) => new torch.optim.Adam(p, { lr: 0.01 })],
] as const) {
  const full = step_size(make, 1), small = step_size(make, 1 / 64);
  console.log(`${name}: ‖Δθ‖ with loss ${full.toExponential(3)}, with loss/64 ${small.toExponential(3)}, ratio ${(full / small).toFixed(2)}`);
}
"""),
    md("""
SGD's step shrinks with the loss (64 times on the first step; about 57 times by the fifth,
where the two runs have drifted apart), Adam's not at all: for Adam, a sum or a mean, or any
weight on the loss, trains alike; for SGD it scales the rate.

That is the loss's scale, not the batch size. Dividing the loss by 64 divides every gradient by
64; a batch 64 times larger does not. Under a mean loss its gradient estimates the same mean
gradient as a small batch's, with less noise: as notebook 1 showed for SGD, with real batches
the *step* does not shrink. What a larger batch changes is the noise of the batch's mean
gradient `ḡ`, `Var(ḡ) ∝ 1/B`, and that Adam does notice.

## With real batches, Adam's factor per sample falls like `1/√B`
Adam's `v̂` averages `ḡ²`, the squared mean gradient plus its noise variance. Where the noise
dominates, `√v̂ ∝ 1/√B`, so Adam's factor `(γ/(1−β₁ᵗ))/(√v̂+ε)` grows like `√B` on its own, and
Adam's factor per sample, the factor times each sample's share `1/B` of a mean, falls like `1/√B`:
it halves for every ×4 in `B`, where SGD's `γ/B` falls to a quarter. (Where the mean gradient
dominates, `v̂` does not depend on `B`, and Adam's factor per sample falls like `1/B`, as SGD's
`γ/B` does.)

The measurement: the linear model, trained with Adam (`γ = 0.001`) for 200 steps on fresh
batches of `B` samples drawn from one distribution. It starts at the optimum (the targets are the
initial model's outputs plus noise of variance 1), so every gradient is noise. The tracer reads
Adam's factor at the last step; its median over the 11 parameters, divided by `B`, is Adam's
factor per sample ("per sample" in the lines below). It is not the tracer's `lr_per_sample`
(`lr_projected/B`, the rate along each step's own gradient): the factor multiplies Adam's first
moment `m`, which under pure noise holds on average only `1 − β₁ = 0.1` of this step's gradient,
so `lr_per_sample` is about a tenth of the factor per sample, varies from step to step, and is
negative when `m` points against the gradient:
"""),
    code("""
/** Adam on `steps` fresh batches of `bs` samples from one distribution, started at the optimum: Adam's factor at the last step. */
function noise_run(bs: number, steps = 200) {
  torch.manual_seed(3);
  const m = new SimpleModel();
  const w = m.linear.weight.detach().clone(), b = m.linear.bias.detach().clone();
  const opt = new torch.optim.Adam(m.parameters(), { lr: 0.001 });
  const t = lrlab.trace(opt, { batch_size: bs, metrics: ["lr_preconditioned"] });
  torch.manual_seed(4);
  for (let i = 0; i < steps; i++) {
    const x = torch.randn(bs, 10);
    const y = x.matmul(w.t()).add(b).add(torch.randn(bs, 1));  // the initial model's outputs, plus noise
    opt.zero_grad();
    criterion.forward(m.forward(x), y).backward();
    opt.step();
  }
  t.stop();
  return t.latest().lr_preconditioned.q50;
}
for (const bs of [64, 256, 1024, 4096]) {
  const pre = noise_run(bs);
  console.log(`B = ${String(bs).padStart(4)}: Adam's factor, median ${pre.toExponential(3)}; per sample ${(pre / bs).toExponential(3)}; SGD's per sample γ/B ${(0.001 / bs).toExponential(3)}`);
}
"""),
    pytorch_says("example2_batch_noise"),
    md("""
The same numbers. From `B = 64` to `4096` (×64) Adam's factor grows 8.1 times (`√64 = 8`) at the
same `γ`, and its factor per sample falls 7.9 times, where SGD's `γ/B` falls 64 times. So Adam does
notice the batch size, less than SGD. To keep its factor per sample when `B → κB`, its factor must
grow `κ` times: the smaller noise supplies `√κ` of it, `γ` the other `√κ`. That is the
square-root rule of Malladi et al. (2022, arXiv:2205.10287), derived from a stochastic
differential equation for Adam in which the gradient noise sets `v`; it also moves `β₁`, `β₂`
and `ε`. For `B = 32 → 128`, `lrlab.scale` reports `κ = 4` as its `factor`, and `γ` only
doubles (`√κ = 2`); under notebook 1's linear rule the two are the same, `factor: 16` and `16γ`:
"""),
    code("""lrlab.scale({ rule: "adam_sqrt", lr: 0.001, batch_size: 32, new_batch_size: 128, betas: [0.9, 0.999], eps: 1e-8 })"""),
]

# ---------------------------------------------------------------------------------------------
NB3 = [
    md("""
# 3 · StepLR: which rate was in force, and what it did

The article's Example 3 halves the learning rate every 5 epochs with `StepLR` and prints
`scheduler.get_last_lr()` after each epoch. Ported line by line:
"""),
    code("torch.manual_seed(0);  // added, so the numbers can be compared with PyTorch's\n" + SIMPLE_MODEL + """
const model = new SimpleModel();
const criterion = new torch.nn.MSELoss();
// Base learning rate
const base_lr = 0.1;

// Optimizer and scheduler
const optimizer = new torch.optim.SGD(model.parameters(), { lr: base_lr });
const scheduler = new torch.optim.lr_scheduler.StepLR(optimizer, { step_size: 5, gamma: 0.5 });
// Dummy data
const dummy_input = torch.randn(1, 10);
const dummy_target = torch.randn(1, 1);

console.log(`Initial learning rate: ${scheduler.get_last_lr()[0].toFixed(4)}`);

for (let epoch = 0; epoch < 10; epoch++) {
  for (let i = 0; i < 10; i++) {
    const output = model.forward(dummy_input);
    const loss = criterion.forward(output, dummy_target);
    loss.backward();
    optimizer.step();
    optimizer.zero_grad();
  }
  scheduler.step();
  console.log(`Epoch ${epoch}, Learning Rate: ${scheduler.get_last_lr()[0].toFixed(4)}`);
}
"""),
    pytorch_says("example3_steplr"),
    md("""
Two things are off.

**An off-by-one.** The article's commentary says "The `get_last_lr()` provides the *current*
base learning rate". Not the rate the epoch just trained at: it returns the rate the scheduler
set at its last `step()`, which the **next** optimizer step will use. Read after
`scheduler.step()`, each line shows the rate for the next epoch. Epoch 4 trained at `0.1`, not `0.05`; epoch 9 at `0.05`, and the
`0.0250` printed for it is a rate no step used. The rate in force is `0.1` in epochs 0–4,
`0.05` in 5–9. `%lr_schedule` previews a scheduler without a model (here, one step per epoch):
"""),
    code("%lr_schedule StepLR step_size=5 gamma=0.5 --steps 10 --lr 0.1"),
    md("""
**The run diverges for five epochs.** The printout hides it. For a single sample and the MSE
loss the curvature along the input is `λ = 2(‖x‖² + 1)`; gradient descent on it is stable only
while `γλ < 2`. Let us compute `λ` and trace the same run, one point per step, with the loss:
"""),
    code("""
torch.manual_seed(0);
const model0 = new SimpleModel();  // the original's model and data, drawn in the same order
const x = torch.randn(1, 10), y = torch.randn(1, 1);
const lambda = 2 * (x.pow(2).sum().item() + 1);
console.log(`λ = ${lambda.toFixed(2)}: stable only while lr < 2/λ = ${(2 / lambda).toFixed(4)}`);
"""),
    code("""
%%lr_trace --name steplr --batch-size 1
torch.manual_seed(0);
const model2 = new SimpleModel();  // model0's initial weights, afresh each time this cell runs
const optimizer2 = new torch.optim.SGD(model2.parameters(), { lr: base_lr });
const scheduler2 = new torch.optim.lr_scheduler.StepLR(optimizer2, { step_size: 5, gamma: 0.5 });
for (let epoch = 0; epoch < 10; epoch++) {
  const lr_in_force = optimizer2.param_groups[0].lr;
  let loss = torch.tensor(0);
  for (let i = 0; i < 10; i++) {
    loss = criterion.forward(model2.forward(x), y);
    loss.backward();
    _lr_trace.log_loss(loss);
    optimizer2.step();
    optimizer2.zero_grad();
  }
  scheduler2.step();
  console.log(`epoch ${epoch}: trained at lr ${lr_in_force.toFixed(4)} (γλ = ${(lr_in_force * lambda).toFixed(2)}), last loss ${loss.item().toExponential(3)}`);
}
"""),
    md("""
With `γ = 0.1`, `γλ ≈ 2.7 > 2`: every step overshoots and the error grows by `|1 − γλ| ≈ 1.7`
per step, so the loss climbs to `1.4e22` at step 49 (epoch 4's last loss above) and `4e22` after
50 steps. No value becomes infinite, so nothing is flagged as a divergence, and the plot opens
on the projected rate, which for plain SGD is the configured one (`0.1`, then `0.05`). Choose
*loss* in its metric menu to see the divergence, or *update ratio*: `2.7`, where about `1e-3` is
healthy. (The static picture shows each of them in a panel of its own.)

`StepLR` then halves the rate to `0.05` (`γλ ≈ 1.35 < 2`), and the loss falls about twice as
fast as it rose. Each step multiplies the error by `|1 − γλ|`, so the loss by `1.7² ≈ 2.9` on the
way up and by `0.35² ≈ 0.12` on the way down: some 23 decades up in 50 steps, and down again in
25, below `1` at step 75, to `1.5e-8` at step 84.

Then it stops: in lrlab, from step 84 on, the projected and element-wise rates and the update
ratio read `0` (the projected rate's line drops to `0` there), while the configured rate is
`0.05` and the gradient is not zero: no weight moves any more. (PyTorch's run stops too, a little
differently: see below.) The divergence is the reason; look at the weights:
"""),
    code("""
const theta0 = torch.cat(model0.parameters().map((p) => p.detach().flatten()));  // model2's initial weights
const theta = torch.cat(model2.parameters().map((p) => p.detach().flatten()));
const last = lrlab.run("steplr").latest();
console.log(`‖θ‖ at the start ${theta0.norm().item().toFixed(3)}, after training ${theta.norm().item().toFixed(1)}; largest |θₖ| ${theta.abs().max().item().toFixed(1)}`);
console.log(`last step: ‖g‖ ${last.grad_norm!.toExponential(2)}, γ·‖g‖ ${(0.05 * last.grad_norm!).toExponential(2)}, update ratio ${last.update_ratio}`);
// each element's update γ·|gₖ| at the final weights, in units of the float32 spacing at θₖ
criterion.forward(model2.forward(x), y).backward();
const update = torch.cat(model2.parameters().map((p) => p.grad!.flatten())).mul(0.05).abs().tolist() as number[];
optimizer2.zero_grad();
const spacing = (theta.tolist() as number[]).map((v) => 2 ** (Math.floor(Math.log2(Math.abs(v))) - 23));  // float32 numbers near v are this far apart
console.log(`γ·|gₖ| at most ${Math.max(...update).toExponential(1)}; the largest update in units of the float32 spacing at its weight: `
  + `${Math.max(...update.map((u, k) => u / spacing[k])).toFixed(2)}`);
"""),
    md("""
The weights went out to about `5e10` and came back with rounding errors of that scale's float32
spacing left in them, in directions the single sample's gradient cannot see: any weights `w` and
bias `b` with `w·x + b = y` fit it. They are now thousands of times larger than at the start:
the model fits this one sample and is ruined for any other input.

And the updates are too small for such weights. Their sizes range from `59` to `1806`; float32
numbers near `1800` are `1.2e-4` apart, near `60` `3.8e-6`, and an update smaller than half the
spacing at its weight rounds away. Each `γ·gₖ` here is at most `3.5e-5`, and at every weight
less than half a spacing (at most 0.37 of one, the cell prints), so every update rounds away and
the loss stays at `1.5e-8` for good. The steps just before (81-83), where the projected rate
reads `0.053` and `0.056` instead of `0.05`, are the same rounding half-way: each `γ·gₖ` is then
a few of those spacings, so the step actually taken is it rounded to one of them, sometimes up.

These last digits are float32 rounding after a trip to `5e10`, and they are not reproducible:
which rounding errors remain depends on the order of every sum. The same program in PyTorch 2.13
ends with `‖θ‖ = 5644` (largest `|θₖ|` 3138), not 3393 (1806), and its loss stalls at `1.7e-7`
from step 83, not at `1.5e-8`. Nor do all its updates round away. Its three smallest weights,
`79`, `102` and `−108`, sit where float32 numbers are `7.6e-6` apart. Two of them move every
step, `θ₆ = 79` by six spacings and `θ₀ = −108` by one, so its projected rate reads `0.0045`,
not `0`; the one at `102` has an input of only `−0.045`, a gradient too small to move it. At
steps 94 to 98 the accumulated moves change the rounding of the output, and the loss rises to
`7e-6` and falls back.

What holds in both: the run makes no more progress, and its weights are ruined. The schedule did
not "work": it stopped a divergence that had already done its damage, and the article's
commentary does not notice. The fix is a learning rate below `2/λ` from the start.

A learning-rate range test, `%lr_find`, looks for that limit before training. Not on this
notebook's one sample, though: there the model fits the sample (a loss of 0) before the rate
reaches `2/λ`, and with a zero gradient no rate can diverge, so a sweep up to `lr = 10` finds no
limit at all. It needs real data. A range test raises `lr` exponentially from one mini-batch to
the next, records the (smoothed) loss, and stops when the loss explodes. Here, a regression data
set with noise, mini-batches of 32, and the mean MSE; the model and optimizer are restored
afterwards.
"""),
    code("""
torch.manual_seed(0);
const X = torch.randn(512, 10);
const Y = X.matmul(torch.randn(10, 1)).add(torch.randn(512, 1).mul(0.3));
const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });
const probe = new SimpleModel();
"""),
    code("""
torch.manual_seed(1);  // the loader's shuffle: the same mini-batches each time this cell runs
%lr_find model=probe loss=criterion data=loader --start-lr 1e-4 --end-lr 10 --num-iter 100
"""),
    md("""
The loss falls once `lr` is large enough to move in one pass, reaches its floor (the noise),
and explodes past the stability limit. The stars are the suggestions (`steepest`, `valley`,
`minimum/10`), all below the explosion; the last one is the fastai rule of thumb "a tenth of the
rate at the minimum". The printed line lists the recommended one first (`valley`, fastai's
default). `steepest` and `valley` are taken on the median of the losses at the five rates on
either side of each rate; the dashed line is that median with its stairs taken out (straight
lines between the middles of its flat runs: no lag, and no value the median does not reach; the
minimum is read off it). A causal moving
average lags the raw loss: torch-lr-finder's (`smooth_f = 0.05`, the one this test uses to
decide when to stop) by about 20 mini-batches, a decade of this sweep, and fastai's (`β = 0.98`)
by about 50, two and a half decades. Either would put the steepest fall where the raw loss is
already flat. The explosion
itself is left off the axis: a marker says at which rate the loss went off the scale and how
high it went.
"""),
]

# ---------------------------------------------------------------------------------------------
NB4 = [
    md("""
# 4 · Warm-up: what Adam really does in its first steps

A common explanation of learning-rate warm-up for Adam: *Adam's step is about `lr` per parameter
from the very first step, so without warm-up the first updates are as large as they will ever
be, while its second-moment estimate is still based on a handful of gradients.*

The first half is Kingma & Ba's own observation (2015, §2.1 and §3): with the bias correction,
after one step `m̂₁ = g₁` and `v̂₁ = g₁²`, so the first update is `−γ · g₁/(|g₁| + ε) ≈ ±γ` for
**every** element, whatever the size of its gradient (notebook 2 measured it on a linear model).
The second half is the argument of Liu et al. (2020, arXiv:1908.03265, RAdam): in the first
steps the adaptive rate `γ/√v̂` rests on very few gradients, so it varies wildly. Ma & Yarats
(2021, arXiv:1910.04209) argue that what warm-up restrains is the size of those first updates.

Here we measure it on a small transformer trained with Adam, once at a constant rate and once
with a linear warm-up, with the tracer reading every step.
"""),
    md("""
## The two schedules
Both runs use Adam with `lr = 0.03` for 80 steps. The warm-up is PyTorch's `LinearLR`: the rate
starts at `start_factor = 0.05` of `lr` and grows linearly to the full `lr` at step 20, then stays
there, so from step 20 on the two runs train at the same rate. `%lr_schedule` previews them
(several lines in one cell overlay; steps are counted from 0, as in every plot here). It takes a
scheduler, so "no warm-up" is written as one that changes nothing: `ConstantLR` multiplies `lr`
by `factor` for the first `total_iters` steps, here by 1 for none.
"""),
    code("""
%lr_schedule ConstantLR factor=1 total_iters=0 --steps 80 --lr 0.03 --name "no warm-up"
%lr_schedule LinearLR start_factor=0.05 total_iters=20 --steps 80 --lr 0.03 --name "LinearLR warm-up, 20 steps"
"""),
    md("""
## A tiny transformer and a task that needs attention
Each input is a sequence of 8 tokens of 16 random features; the target is the mean of the first
feature over the 8 tokens. The model reads its prediction off token 0 (like a `[CLS]` token), so
token 0 has to attend to every token. It is a 2-layer `TransformerEncoder` (PyTorch's default
post-norm layer, the variant Xiong et al. 2020, arXiv:2002.04745, found to need warm-up),
`d_model` 16, 2 heads, a feed-forward width of 32, no dropout, and a linear head; 256 sequences,
shuffled mini-batches of 32, the mean squared error. Everything is seeded: every run starts from
the same weights and sees the same batches in the same order.
"""),
    code("""
torch.manual_seed(0);
const X = torch.randn(256, 8, 16);       // 256 sequences of 8 tokens with 16 features
const Y = X.select(2, 0).mean(1, true);  // target: the mean of feature 0 over the 8 tokens
const data = new torch.utils.data.TensorDataset(X, Y);
const mse = new torch.nn.MSELoss();

class TinyEncoder extends torch.nn.Module {
  encoder = new torch.nn.TransformerEncoder(
    new torch.nn.TransformerEncoderLayer(16, 2, { dim_feedforward: 32, dropout: 0, batch_first: true }), 2);
  head = new torch.nn.Linear(16, 1);
  forward(x: torch.Tensor) {
    return this.head.forward(this.encoder.forward(x).select(1, 0));  // read off token 0
  }
}

/** A fresh model, with the same initial weights every time. */
function fresh_model() {
  torch.manual_seed(1);
  return new TinyEncoder();
}

/** `steps` steps on shuffled mini-batches of 32, the same batches in every run; `on_step(k, loss)` after the k-th. */
function train(model: TinyEncoder, optimizer: torch.optim.Optimizer, scheduler: torch.optim.lr_scheduler.LRScheduler | null,
               on_step: (k: number, loss: torch.Tensor) => void = () => {}, steps = 80) {
  torch.manual_seed(2);
  const loader = new torch.utils.data.DataLoader(data, { batch_size: 32, shuffle: true });
  for (let k = 0; k < steps;) {
    for (const [x, y] of loader) {
      optimizer.zero_grad();
      const loss = mse.forward(model.forward(x), y);
      loss.backward();
      optimizer.step();
      scheduler?.step();
      on_step(++k, loss);
      if (k === steps) break;
    }
  }
}

const full_loss = (model: TinyEncoder) => mse.forward(model.forward(X), Y).item();  // on all 256 sequences
const n_params = fresh_model().parameters().reduce((n, p) => n + p.numel(), 0);
console.log(`${n_params} parameters; loss at the start ${full_loss(fresh_model()).toFixed(4)}; `
  + `predicting the mean of Y for every input gives ${Y.sub(Y.mean()).pow(2).mean().item().toFixed(4)}`);
"""),
    md("""
## Training, traced
First without warm-up. `%%lr_trace` traces the optimizer the cell steps; `_lr_trace.log_loss`
adds each mini-batch's loss:
"""),
    code("""
%%lr_trace --name no_warmup --batch-size 32
const model1 = fresh_model();
const optimizer1 = new torch.optim.Adam(model1.parameters(), { lr: 0.03 });
train(model1, optimizer1, null, (_, loss) => _lr_trace.log_loss(loss));
"""),
    md("Then with the 20-step linear warm-up: the same model, data and batches."),
    code("""
%%lr_trace --name warmup --batch-size 32
const model2 = fresh_model();
const optimizer2 = new torch.optim.Adam(model2.parameters(), { lr: 0.03 });
const warmup = new torch.optim.lr_scheduler.LinearLR(optimizer2, { start_factor: 0.05, total_iters: 20 });
train(model2, optimizer2, warmup, (_, loss) => _lr_trace.log_loss(loss));
"""),
    md("""
## The size of each step
`%lr_compare` puts the two runs in one plot. It opens on the update ratio `‖Δθ‖/‖θ‖`, the share
of the weights' norm that one step changes (about `1e-3` is the usual rule of thumb, cs231n):
"""),
    code("%lr_compare no_warmup warmup --metric update_ratio"),
    md("""
The realized rate `lr_realized = ‖Δ‖/‖g‖` times the gradient norm `‖g‖` is the length of the
step, `‖Δ‖`; divided by `lr·√n` (`n` parameters) it is the root-mean-square step of one element
**in units of `lr`**: 1 when every element moves by exactly `lr`, as Adam's first step should.
The numbers, from the two runs' traces:
"""),
    code("""
const runs = [["no warm-up", lrlab.run("no_warmup")], ["warm-up", lrlab.run("warmup")]] as const;
/** A metric at every step (80 steps: one bucket per step in each series), indexed by step. */
const per_step = (t: lrlab.GlobalTrace, metric: string) => t.series(metric)!.columns().mean as number[];
const cols = runs.map(([, t]) => {
  const lr = per_step(t, "lr"), realized = per_step(t, "lr_realized"), g = per_step(t, "grad_norm");
  const step = lr.map((_, i) => realized[i] * g[i]);  // ‖Δ‖
  return { lr, step, g, rms: step.map((s, i) => s / (lr[i] * Math.sqrt(n_params))), ratio: per_step(t, "update_ratio"), loss: per_step(t, "loss") };
});
const two = (a: number, b: number) => `${a.toFixed(4).padStart(7)} ${b.toFixed(4).padStart(7)}`;
console.log("step │ lr              │ RMS step / lr   │ update ratio    │ gradient norm   │ batch loss");
console.log("     │    none warm-up │    none warm-up │    none warm-up │    none warm-up │    none warm-up");
for (const i of [0, 1, 2, 4, 9, 14, 19, 20, 21, 39, 59, 79]) {
  const [a, b] = cols;
  console.log(`${String(i).padStart(4)} │ ${two(a.lr[i], b.lr[i])} │ ${two(a.rms[i], b.rms[i])} │ ${two(a.ratio[i], b.ratio[i])} │ ${two(a.g[i], b.g[i])} │ ${two(a.loss[i], b.loss[i])}`);
}
runs.forEach(([name], r) => {
  const c = cols[r], big = c.step.indexOf(Math.max(...c.step)), top = c.ratio.indexOf(Math.max(...c.ratio));
  console.log(`${name.padEnd(10)}: largest step ‖Δ‖ ${c.step[big].toFixed(3)} at step ${big}, largest update ratio ${c.ratio[top].toFixed(4)} at step ${top}, `
    + `largest RMS step / lr after step 0 ${Math.max(...c.rms.slice(1)).toFixed(4)}`);
});
console.log(`loss on all 256 sequences after 80 steps: no warm-up ${full_loss(model1).toFixed(4)}, warm-up ${full_loss(model2).toFixed(4)}`);
"""),
    md("""
**Without warm-up, the first step is the largest of the run**: in length, `‖Δ‖ = 2.0`; in update
ratio, 16% of the weights' norm (`0.16`, 160 times the rule of thumb); in RMS step, as every
element moves by `lr` (`0.9964·lr`; the missing 0.4% is explained below); and in Adam's own
factor, below. Not in the rates per unit of gradient: `lr_realized = ‖Δ‖/‖g‖` and
`lr_projected` peak at step 20, where the mini-batch's gradient nearly vanishes (`‖g‖ = 0.072`
in the table) while Adam's step does not. At the same `lr`, the RMS step is `0.70·lr` one step
later, `0.38·lr` at step 4, `0.25·lr` at step 9 and `0.08·lr` at the end. Adam's step per
element is `lr·|m̂|/(√v̂ + ε)`, and `|m̂|/√v̂` is 1 at step 0 and stays near 1 only while the
gradients seen so far agree: `m̂` averages the last ten or so gradients (β₁ = 0.9), `v̂` the
squares of all of them (β₂ = 0.999 remembers about a thousand steps; with the bias correction,
`v̂` is close to a plain average of the 80 gradients here). As soon as mini-batch gradients disagree in sign, or shrink
while `v̂` still holds the larger early ones, the step falls below `lr`. The large first steps
show in the loss too: at step 2, on the same mini-batch in both runs, the run without warm-up
has a batch loss of 0.47 (0.40 at the start) and a gradient 2.8 times longer than at step 0
(4.16 against 1.50); the warm-up run has 0.21 and 1.03.

**With warm-up, the same decline happens while `lr` is still small.** The RMS step in units of
`lr` falls almost as fast as without warm-up (0.78 at step 1, 0.57 at step 4, 0.37 at step 9,
0.20 at step 19): it does not wait for `lr`. When the warm-up reaches the full rate at step 20,
Adam's steps are at about a fifth of `lr`, so the run's largest update ratio, `0.031` at step
21, is five times smaller than the other run's first step; its own first step changed the
weights by 0.8%. Choose *preconditioned lr* in the metric menu of the two `%%lr_trace` plots
(they open on the projected rate) for Adam's own factor, `(γ/(1−β₁ᵗ))/(√v̂+ε)` (it multiplies
`m`, not `m̂`, so at step 0 it carries the bias correction's `1/(1−β₁) = 10`): without warm-up
its median falls from 78 at step 0 to 15 at step 9, then stays between 13.7 and 19.7; with
warm-up it starts at 3.9 and climbs with `lr`.

In this run the warm-up also ends lower: a loss of 0.0017 on all 256 sequences after 80 steps,
against 0.0077 without.

## Step 0, element by element
What did that first step do? Take the model at its initial weights and compute the gradient on
all 256 sequences, `g_all` (the direction the whole data set asks for); then let Adam take the
first step of the run without warm-up, on its first mini-batch of 32 (gradient `g₁`), traced per
parameter tensor (`per_param: true` with the model's `named_parameters()`, PyTorch's names):
"""),
    code("""
const m0 = fresh_model();
const named = m0.named_parameters();
const flat = (f: (p: torch.Tensor) => torch.Tensor) => torch.cat(named.map(([, p]) => f(p).flatten()));
mse.forward(m0.forward(X), Y).backward();
const g_all = flat((p) => p.grad!);           // the gradient on all 256 sequences, at the initial weights
const theta0 = flat((p) => p.detach().clone());
const optimizer0 = new torch.optim.Adam(m0.parameters(), { lr: 0.03 });
const first = lrlab.trace(optimizer0, { name: "first step", per_param: true, named_parameters: named });
train(m0, optimizer0, null, undefined, 1);    // the first step of the run without warm-up
first.stop();
const g1 = flat((p) => p.grad!);              // the gradient of its mini-batch
const delta = flat((p) => p.detach()).sub(theta0);
const moved = delta.abs().div(0.03);
const count = (t: torch.Tensor) => t.count_nonzero().item();
const off = moved.sub(1).abs().gt(0.01);      // moved by more than 1% away from lr
console.log(`|Δ| = lr ± 1% for ${n_params - count(off)} of ${n_params} elements`);
const rho = first.latest()!.lr_elementwise!;
console.log(`ρ = −Δ/g = lr/|g|: 5% ${rho.q05.toFixed(2)}, median ${rho.q50.toFixed(2)}, 95% ${rho.q95.toFixed(0)} (lr = 0.03)`);
const cos = (a: torch.Tensor, b: torch.Tensor) => a.mul(b).sum().item() / (a.norm().item() * b.norm().item());
console.log(`downhill on all the data (Δ·g_all < 0): ${(100 * count(delta.mul(g_all).lt(0)) / n_params).toFixed(1)}% of the elements`);
console.log(`cosine with −g_all: Adam's first step ${cos(delta, g_all.neg()).toFixed(3)}, an SGD step −g₁ ${cos(g1, g_all).toFixed(3)}, `
  + `the best sign step −sign(g_all) ${cos(g_all.sign(), g_all).toFixed(3)}`);
console.log("layer 0 and the head, per tensor:               RMS θ   update ratio   elements off lr by > 1%");
let offset = 0;
for (const [name, p] of named) {
  const n = p.numel(), rms = theta0.narrow(0, offset, n).norm().item() / Math.sqrt(n), n_off = count(off.narrow(0, offset, n));
  offset += n;
  if (name.startsWith("encoder.layers.1.")) {
    if (n_off) console.log(`  (in layer 1: ${name}, ${n_off} off lr by > 1%)`);
    continue;
  }
  const ur = first.latest_param(name)!.update_ratio;
  console.log(`  ${name.padEnd(44)} ${rms.toFixed(3)}   ${ur === null ? "— (θ = 0)" : ur.toFixed(4)}`.padEnd(70) + n_off);
}
"""),
    md("""
All but 33 of the 4,465 elements moved by `lr` within 1%. 32 of the 33 are the key biases of
the two attention layers (the middle third of each `in_proj_bias`): their gradient is zero in
exact arithmetic (a bias added to every key shifts all the scores of a query by the same amount,
which the softmax ignores) and rounding noise in float32, so `ε = 1e-8` keeps their step small.
The 33rd is a weight of layer 1's feed-forward block whose gradient on this batch is small
enough for `ε` to take just over 1% off its step.

The element-wise rate the tracer measures, `ρ = −Δ/g`, is then `lr/|g|`: from 1.29 to 130 (5%
to 95%) for a configured 0.03, a hundredfold spread set by the gradient magnitudes of one
mini-batch. This is the second half of the claim at its most extreme: with `v̂₁ = g₁²`, Adam's
scale for each element rests on a single gradient, and the step ignores the gradient's size
altogether; it is the sign step `−lr·sign(g₁)`. How good is its direction? 72% of the elements
move downhill for the whole data set and 28% uphill, each by a full `lr` (PyTorch counts 72.2%:
the key biases' gradients are rounding noise, so the signs of their tiny steps are arbitrary).
Its cosine with the full-data direction `−g_all` is 0.17, against 0.72 for an SGD step along the
same mini-batch's gradient. Part of the loss is what any sign step does (even `−sign(g_all)`,
which knows the whole data set, reaches only 0.305): a tiny gradient element moves as far as a
large one. The rest is the mini-batch's noise in those signs.

Per tensor, a step of `lr` in every element changes a tensor by `lr/RMS(θ)` of its size: 3% for
the LayerNorm weights (they start at 1), 17% to 33% for layer 0's attention and feed-forward
parameters and the head's, whose elements are 0.09 to 0.18 in size. The biases that start at
zero have no update ratio at step 0 (`‖θ‖ = 0`: the tracer records a gap, not infinity).

## Does the warm-up help? It depends on `lr`
One pair of runs says little. The same comparison at three rates, from the same weights and
batches. The tracer records only the update ratio here (`metrics: ["update_ratio"]`); the last
column is the standard deviation of the model's 256 predictions (a model that ignores its input
predicts one number for all: 0):
"""),
    code("""
const row = (a: string, b: string, c: string, d: string) => `${a.padEnd(15)} │ ${b.padEnd(24)} │ ${c.padEnd(20)} │ ${d}`;
console.log(`the targets' spread (std): ${Y.std().item().toFixed(4)}; losses are on all 256 sequences`);
console.log(row("lr     warm-up", "loss after 20 / 80 steps", "largest update ratio", "spread of the predictions"));
for (const lr of [0.003, 0.03, 0.1]) {
  for (const warm of [0, 20]) {
    const model = fresh_model();
    const optimizer = new torch.optim.Adam(model.parameters(), { lr });
    const scheduler = warm ? new torch.optim.lr_scheduler.LinearLR(optimizer, { start_factor: 0.05, total_iters: warm }) : null;
    const t = lrlab.trace(optimizer, { metrics: ["update_ratio"] });
    let after20 = NaN;
    train(model, optimizer, scheduler, (k) => { if (k === 20) after20 = full_loss(model); });
    t.stop();
    const ratio = t.series("update_ratio")!.columns().mean as number[];
    const top = ratio.indexOf(Math.max(...ratio));
    console.log(row(`${String(lr).padEnd(6)} ${warm ? `${warm} steps` : "none"}`, `${after20.toFixed(4)} / ${full_loss(model).toFixed(4)}`,
                    `${ratio[top].toFixed(3)} at step ${top}`, model.forward(X).std().item().toFixed(4)));
  }
}
"""),
    md("""
At 0.003 the run without warm-up is ahead after 80 steps (0.0062 against 0.0138): its first
steps (an update ratio of 0.016) did no lasting harm, and the warm-up spent 20 steps at lower
rates. At 0.03, the rate above, the warm-up run ends lower (0.0017 against 0.0077). At
0.1 the first step without warm-up changes the weights by 53% of their norm, and the run never
learns: its predictions are almost the same for every input (spread 0.0009 against the
targets' 0.35), and its loss, 0.1221, is about that of predicting the mean, 0.1203. With warm-up,
at 0.1 the largest update ratio is 0.066 and the model learns (0.0313 after 20 steps), though it
ends at 0.0517, worse than at 0.03. That last number is a snapshot, not a measurement to compare
digit by digit: over its last 40 steps this run's batch loss swings between 0.04 and 0.11, and
its trajectory is chaotic. lrlab's batch losses and PyTorch's for this run agree to `1e-6`
through step 20, then part, their difference growing about fivefold every five steps (2% by
step 50); PyTorch's run ends at 0.0644 (spread 0.2374). Every other number of the table matches
PyTorch's to the digits printed, and so does the ranking: worse than at 0.03. On this task,
warm-up widened the range of rates that train, and cost progress at the small ones.

## What this measures, and what it does not
- The tracer's numbers are measurements of the update each step applied, from the weights before
  and after `step()` and the gradient `step()` read (`‖Δ‖`, `‖Δ‖/‖θ‖`, `ρ = −Δ/g`), and Adam's own
  factor read from its state: exact, not estimated from a model of the optimizer. The RMS step
  in units of `lr` is derived from them (`lr_realized · grad_norm / (lr·√n)`).
- They say how large the steps were, not what the steps did to the network. The run at
  `lr = 0.1` without warm-up stopped learning after a first step of 53% of the weights' norm;
  that those steps caused it is likely but not shown here: which part saturated or died (the
  softmax, the ReLUs, a LayerNorm) was not measured.
- The claim's first half holds exactly: step 0 moves by `lr` every element whose gradient is not
  negligible next to `ε`, and without warm-up it is the largest step of the run, in length and
  as a share of the weights; after it, the RMS step was at most `0.70·lr` (at step 1; `0.78·lr`
  with warm-up). That is the whole vector: a single element can later step further than `lr`
  (up to `lr·(1−β₁)/√(1−β₂) ≈ 3.2·lr` with the default betas, when its gradient was near zero
  for a long time and then is not; Kingma & Ba §2.1).
- The second half needs care. Adam's second-moment estimate is young indeed: after 80 steps `v̂`
  is still an average of 80 gradients, where β₂ = 0.999 would average about a thousand. But what
  shrank the steps within a few steps here is `|m̂|/√v̂`, successive gradients disagreeing, and
  that happens at any `lr`; the warm-up worked by keeping `lr` small during those steps, not by
  waiting for `v̂` to settle. Its length, 20 steps, was chosen, not tuned; Ma & Yarats's rule of
  thumb, `2/(1−β₂)` = 2,000 steps, is 25 times this whole run.
- One task, one seed for the weights and the batches, 80 steps, 4,465 parameters: other seeds
  give other numbers. And the rule of thumb of an update ratio near `1e-3` does not describe this
  model: both runs end near `1e-2` and fit the task far better than predicting the mean.
"""),
]

NOTEBOOKS = {
    "01-batch-size.ipynb": NB1,
    "02-adam.ipynb": NB2,
    "03-steplr.ipynb": NB3,
    "04-adam-warmup.ipynb": NB4,
}


def build(name, cells):
    nb = new_notebook(cells=cells)
    # Stable cell ids (nbformat draws random ones): regenerating a notebook changes only what ran.
    stem = name.split(".")[0]
    for i, c in enumerate(nb.cells):
        c["id"] = f"{stem}-{i:02d}"
    nb.metadata["kernelspec"] = {"name": "lrlab", "display_name": "TypeScript (lrlab)", "language": "typescript"}
    nb.metadata["language_info"] = {"name": "typescript", "file_extension": ".ts"}
    return nb


def execute(nb, cwd):
    import nbclient
    # record_timing off: no per-cell timestamps in the saved notebooks (a diff on every run)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="lrlab", record_timing=False, resources={"metadata": {"path": str(cwd)}})
    client.execute()
    coalesce_streams(nb)
    return nb


def coalesce_streams(nb):
    """Consecutive stream outputs of one name become one, as JupyterLab shows them. How the
    kernel's writes were cut into messages depends on timing (a flush between two prints), and a
    saved notebook must not: regenerating it would change the file for nothing."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for o in cell.outputs:
            if (o.output_type == "stream" and merged and merged[-1].output_type == "stream"
                    and merged[-1].name == o.name):
                merged[-1].text += o.text
            else:
                merged.append(o)
        cell.outputs = merged


if __name__ == "__main__":
    check = "--check" in sys.argv
    names = [a for a in sys.argv[1:] if not a.startswith("--")] or list(NOTEBOOKS)
    for name in names:
        nb = execute(build(name, NOTEBOOKS[name]), HERE)
        if not check:
            nbformat.write(nb, HERE / name)
        print(f"{name}: {len(nb.cells)} cells executed" + ("" if check else ", saved"))
