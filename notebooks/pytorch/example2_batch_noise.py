# Notebook 2, "With real batches": Adam on fresh batches of B samples drawn from one distribution,
# started at the optimum (the targets are the initial model's outputs plus unit noise), so every
# gradient is noise. Adam's own factor (γ/(1−β₁ᵗ))/(√v̂+ε) read from its state after 200 steps:
# its median over the 11 parameters, and that divided by B (each sample's share of a mean loss).
# The lrlab cell prints the same lines (JavaScript's exponent format, e-3 for Python's e-03).
import torch
import torch.nn as nn


class SimpleModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(10, 1)

    def forward(self, x):
        return self.linear(x)


criterion = nn.MSELoss()
lr, (b1, b2), eps, steps = 0.001, (0.9, 0.999), 1e-8, 200


def js_e(x):
    return f"{x:.3e}".replace("e-0", "e-").replace("e+0", "e+")


def noise_run(bs):
    torch.manual_seed(3)
    m = SimpleModel()
    w, b = m.linear.weight.detach().clone(), m.linear.bias.detach().clone()
    opt = torch.optim.Adam(m.parameters(), lr=lr)
    torch.manual_seed(4)
    for _ in range(steps):
        x = torch.randn(bs, 10)
        y = x @ w.t() + b + torch.randn(bs, 1)
        opt.zero_grad()
        criterion(m(x), y).backward()
        opt.step()
    v = torch.cat([opt.state[p]["exp_avg_sq"].flatten() for p in m.parameters()])
    factor = (lr / (1 - b1 ** steps)) / ((v / (1 - b2 ** steps)).sqrt() + eps)
    return factor.median().item()


for bs in [64, 256, 1024, 4096]:
    pre = noise_run(bs)
    print(f"B = {bs:4d}: Adam's factor, median {js_e(pre)}; per sample {js_e(pre / bs)}; SGD's per sample γ/B {js_e(lr / bs)}")
