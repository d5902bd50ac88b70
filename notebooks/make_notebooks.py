"""Writes the companion notebooks and executes them on the lrlab kernel, saving their outputs.

    .venv/bin/python notebooks/make_notebooks.py          # write + execute all three
    .venv/bin/python notebooks/make_notebooks.py --check  # execute into memory only (tests)

Each notebook works through one of the three examples of an article on "the effective learning
rate" (the project's seed examples): first the original code ported line by line and what it really prints
(beside what PyTorch 2.13 prints for the same code: notebooks/pytorch/*.py and *.out), then what
is wrong with it, then the right measurement, plotted.
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
yields smaller changes in parameter norms"*, because gradients are averaged over the batch.
With a **mean**-reduced loss over `B` samples, SGD's step is `−(γ/B) Σ ∇ℓᵢ`: every sample gets
the rate `γ/B`. The claim is right in spirit. The code that is meant to show it does something
else. Let us run it first, exactly as written.
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
Both fail the same way. Reading the code critically, it has three bugs, and the first one hides
the other two:

1. **It reads the gradient after clearing it.** `optimizer.zero_grad()` sets every `.grad` to
   `None` (PyTorch 2's default, `set_to_none=True`), so `torch.norm(param.grad)` fails. Under
   PyTorch 1.6, when the article was written, the gradients were zeroed instead and it printed
   `0.0000` three times. Either way it never looked at a *parameter change*.
2. **Its "batch" is a sum, not a mean.** The inner loop calls `loss.backward()` `bs` times on
   the same single sample; gradients accumulate, so each step uses `bs × ∇ℓ`. Nothing is averaged:
   the step *grows* with `bs`, the opposite of what the article says.
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
between 8.6 and 138. The tracer shows it directly. Traced with `reduction: "sum"` (what the
accumulation is), the projected and per-sample rates are both `γ`: every one of the `bs`
backward calls adds a full `γ`-step of its sample, so measured against one sample's gradient the
step is `γ·bs`, and the update ratio `‖Δθ‖/‖θ‖` is far above 1 (healthy is about `1e-3`).
"""),
    code("""
torch.manual_seed(0);
const m32 = new SimpleModel();
const x1 = torch.randn(1, 10), y1 = torch.randn(1, 1);
const opt32 = new torch.optim.SGD(m32.parameters(), { lr: base_lr });
const t32 = lrlab.trace(opt32, { batch_size: 32, reduction: "sum", name: "bs=32 (accumulated)" });
for (let i = 0; i < 10; i++) {
  for (let j = 0; j < 32; j++) criterion.forward(m32.forward(x1), y1).backward();
  opt32.step();
  opt32.zero_grad();
}
t32.stop();
const last = t32.latest();
console.log(`lr ${last.lr}, lr_projected ${last.lr_projected?.toFixed(4)}, lr_per_sample ${last.lr_per_sample?.toFixed(4)}, update_ratio ${last.update_ratio?.toExponential(2)}`);
t32
"""),
    md("""
## The right measurement: real batches, mean reduction
Now the experiment the article describes: a data set of `N = 2048` samples, mini-batches of
`B` samples, the mean-reduced MSE, the same `γ = 0.01` for every `B`, each run from the same
initial weights. `%%lr_trace` traces every optimizer stepped in the cell and plots it live;
`--batch-size` tells it `B`, so it can report the **per-sample** rate `lr_per_sample = γ/B`.
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
    code("%lr_compare b32 b128 b512 --metric lr_per_sample"),
    md("""
What holds exactly is the per-sample rate: SGD's projected rate is `γ` whatever `B`, and the
rate each sample gets is `γ/B`: `3.1e-4`, `7.8e-5`, `2.0e-5`. The *step* does not shrink: a mean
over more samples estimates the same gradient, only with less noise, so step for step the three
runs learn alike (in the loss panel, against steps, the curves lie on one another; after 8 steps
the loss on all the data is 2.248, 2.286 and 2.288). What a larger batch loses is steps: one epoch
of 2048 samples is 64 steps at `B = 32` and 4 at `B = 512`, so after two epochs the loss is
0.024, 0.823 and 2.288 (at `B = 512` two epochs are those 8 steps). The article's claim holds per epoch, not per step, and `γ/B` says by how
much.

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
    code("%lr_compare b32 b512 b512_scaled --metric lr_per_sample"),
    md("""
Doubling (here: ×16) both `B` and `γ` keeps the per-sample rate. In real training Goyal et al.
add a gradual warm-up, because a large `γ` can be unstable early on, as the first experiment
showed.
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
console.log(`Final weight: [${(model.linear.weight.detach().flatten().tolist() as number[]).map((v: number) => +v.toFixed(4)).join(", ")}]`);
"""),
    pytorch_says("example2_adam"),
    md("""
Same numbers, and the same mistake in both: `0.0100` at every step is the *configured* rate,
which Adam never touches. The commentary says so itself ("the base learning rate remains
constant") and still labels it "Effective Learning Rate". What Adam does per element is

`Δθₖ = −(γ / (1−β₁ᵗ)) · mₖ / (√vₖ / √(1−β₂ᵗ) + ε)`,

so the rate the `k`-th parameter actually gets, relative to its gradient, is
`ρₖ = −Δθₖ / gₖ`, and Adam's own factor (from its state) is
`(γ / (1−β₁ᵗ)) / (√v̂ₖ + ε)` (Kingma & Ba 2015; PyTorch adds `ε` after the bias correction).

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
"""),
    md("""
The plot opens on the projected rate `−⟨Δ,g⟩/‖g‖²` (in JupyterLab it shows one metric at a time,
chosen in the menu above it; the static picture that GitHub, nbviewer and exported HTML show
stacks them in panels, the configured `lr` as the flat line of the first): `0.0056` at the first
step against the configured `0.01`, `0.34` at step 7, negative from step 8 to 12. Now choose
*element-wise lr* (the second panel of the static picture): the line is the median over the 11
parameters of `ρₖ = −Δθₖ/gₖ`, the band its 5–95% range. At the first step it already spans `0.0054` to `0.19`, a factor of 35 around the
configured `0.01`; at step 7, where the loss dips to `5e-5` and the gradient almost vanishes, it
reaches `11`. From step 8 to 12 every `ρₖ` is **negative**: Adam's momentum `m` still points the
old way, so the step goes against the new gradient, uphill, and the loss climbs back to `0.046`.
No single learning rate describes that. Adam's own per-element factor, *preconditioned lr*
(read from its state, before momentum), stays positive: once the first steps are past (from
step 5) it lies between `0.014` and `0.6`, 1.4 to 60 times the configured rate.

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
## Adam barely notices the batch size, SGD does
With a mean-reduced loss the gradient carries a factor `1/B`. SGD's step scales with it; Adam's
does not, as long as `ε ≪ √v̂`, because `m/√v` is invariant to scaling the gradient. Here the
same batch of 64 samples is trained once with the mean loss and once with that loss divided by a
further 64: each sample's gradient then weighs what it would in a mean over 64 times more
samples, without the other samples changing its direction:
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
where the two runs have drifted apart), Adam's not at all. That is why the linear scaling rule is an SGD
rule: for Adam, Malladi et al. (2022, arXiv:2205.10287) derive a square-root rule that also
moves `β₁`, `β₂` and `ε`:
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

**An off-by-one.** `get_last_lr()` is read *after* `scheduler.step()`, so each line shows the
rate for the **next** epoch. Epoch 4 trained at `0.1`, not `0.05`; epoch 9 at `0.05`. The rate
in force is `0.1` in epochs 0–4, `0.05` in 5–9. `%lr_schedule` previews a scheduler without a
model (here, one step per epoch):
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
per step, so the loss climbs to `4e22` in 50 steps. No value becomes infinite, so nothing is
flagged as a divergence; the loss panel and the update ratio (`2.7`, where about `1e-3` is
healthy) show it. `StepLR` then halves the rate to `0.05` (`γλ ≈ 1.35 < 2`) and the loss falls
as fast as it rose: below `1` at step 75, to `1.5e-8` at step 84.

Then it stops: from step 84 on, the projected and element-wise rates and the update ratio read
exactly `0`, while the configured rate is `0.05` and the gradient is not zero. Nothing moves any
more. The divergence is the reason; look at the weights:
"""),
    code("""
const theta0 = torch.cat(model0.parameters().map((p) => p.detach().flatten()));  // model2's initial weights
const theta = torch.cat(model2.parameters().map((p) => p.detach().flatten()));
const last = lrlab.run("steplr").latest();
console.log(`‖θ‖ at the start ${theta0.norm().item().toFixed(3)}, after training ${theta.norm().item().toFixed(1)}; largest |θₖ| ${theta.abs().max().item().toFixed(1)}`);
console.log(`last step: ‖g‖ ${last.grad_norm!.toExponential(2)}, γ·‖g‖ ${(0.05 * last.grad_norm!).toExponential(2)}, update ratio ${last.update_ratio}`);
"""),
    md("""
The weights went out to about `1e11` and came back with rounding errors of that scale's float32
spacing left in them, in directions the single sample's gradient cannot see (any `θ` with
`θ·x + b = y` fits it). They are now thousands of times larger than at the start: the model fits
this one sample and is ruined for any other input. And the updates, `γ·g` of about `1e-5` per
element, are smaller than half the spacing of float32 numbers near `1800` (`1.2e-4`), so each
one rounds away and the loss stays at `1.5e-8` for good. The schedule did not "work": it
stopped a divergence that had already done its damage, and the article's commentary does not
notice. The fix is a learning rate below `2/λ` from the start.

`%lr_find` finds that limit before training, on real data: a range test raises `lr`
exponentially from one mini-batch to the next, records the (smoothed) loss, and stops when the
loss explodes. Here, a regression data set with noise, mini-batches of 32, and the mean MSE;
the model and optimizer are restored afterwards.
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
and explodes past the stability limit. The suggestions (`steepest`, `valley`, `minimum/10`) sit
below the explosion; the last one is the fastai rule of thumb "a tenth of the rate at the
minimum".
"""),
]

NOTEBOOKS = {
    "01-batch-size.ipynb": NB1,
    "02-adam.ipynb": NB2,
    "03-steplr.ipynb": NB3,
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
