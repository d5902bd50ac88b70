# PyTorch twin of bench/micro/cnn_step.cjs: the same layers and step, timed the same way, on one
# thread; prints {"layers": {name: [fwd, bwd]}, "step": ms} as JSON.
import json, sys, time
import torch
import torch.nn as nn

torch.set_num_threads(1)
reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 15
LAYERS = {
    "conv1": (lambda: nn.Conv2d(3, 16, 3, padding=1), (64, 3, 32, 32), False),
    "bn1": (lambda: nn.BatchNorm2d(16), (64, 16, 32, 32), True),
    "relu1": (lambda: nn.ReLU(), (64, 16, 32, 32), True),
    "pool1": (lambda: nn.MaxPool2d(2), (64, 16, 32, 32), True),
    "conv2": (lambda: nn.Conv2d(16, 32, 3, padding=1), (64, 16, 16, 16), True),
    "bn2": (lambda: nn.BatchNorm2d(32), (64, 32, 16, 16), True),
    "pool2": (lambda: nn.MaxPool2d(2), (64, 32, 16, 16), True),
    "drop": (lambda: nn.Dropout(0.25), (64, 32, 8, 8), True),
}


def layer(mk, shape, grad):
    torch.manual_seed(0)
    m = mk()
    m.train()
    leaf = torch.randn(*shape, requires_grad=grad)
    fwd = bwd = float("inf")
    for r in range(reps + 3):
        x = leaf * 1 if grad else leaf
        t0 = time.perf_counter(); y = m(x); t1 = time.perf_counter()
        g = torch.ones_like(y)
        inputs = ([x] if grad else []) + list(m.parameters())
        t2 = time.perf_counter()
        if inputs:
            torch.autograd.grad([y], inputs, [g])
        t3 = time.perf_counter()
        if r >= 3:
            fwd = min(fwd, (t1 - t0) * 1e3); bwd = min(bwd, (t3 - t2) * 1e3)
    return [fwd, bwd]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25))
        self.head = nn.Linear(32 * 8 * 8, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


def step():
    torch.manual_seed(0)
    model = Net()
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=3e-3)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    X = torch.randn(64, 3, 32, 32); y = torch.randint(0, 10, (64,))
    model.train()
    best = float("inf")
    for r in range(reps + 3):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(X), y).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if r >= 3:
            best = min(best, (time.perf_counter() - t0) * 1e3)
    return best


print(json.dumps({"layers": {n: layer(*spec) for n, spec in LAYERS.items()}, "step": step()}))
