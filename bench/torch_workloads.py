"""The training workloads of bench/workloads.cjs, in PyTorch (bench/tfjs_workloads.cjs has them in
TF.js): same models, sizes and step counts. Prints one JSON object:
{ "<threads>": { "<workload>": { "seconds": s, "steps": n } }, "default_threads": n, "torch": version }
for 1 thread and the default number of threads."""
import json, sys, time
import torch
import torch.nn as nn

quick = "--quick" in sys.argv
# Same rule as bench/lib/measure.cjs: at least MIN runs after a warm-up, more until BUDGET s (max 50).
MIN, BUDGET = (1, 0.3) if quick else (3, 2.0)

def simple_model():
    return nn.Linear(10, 1)

def seed_example1():
    model, crit = simple_model(), nn.MSELoss()
    x, y = torch.randn(1, 10), torch.randn(1, 1)
    steps = 0
    for bs in ([32] if quick else [32, 128, 512]):
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        for _ in range(10):
            for _ in range(bs):
                crit(model(x), y).backward()
            opt.step(); opt.zero_grad(); steps += 1
    return steps

def seed_example2():
    model, crit = simple_model(), nn.MSELoss()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    x, y = torch.randn(1, 10), torch.randn(1, 1)
    for _ in range(20):
        crit(model(x), y).backward(); opt.step(); opt.zero_grad()
    return 20

def seed_example3():
    model, crit = simple_model(), nn.MSELoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    x, y = torch.randn(1, 10), torch.randn(1, 1)
    for _ in range(10):
        for _ in range(10):
            crit(model(x), y).backward(); opt.step(); opt.zero_grad()
        sched.step()
    return 100

def adam_linear():
    model, crit = simple_model(), nn.MSELoss()
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    x, y = torch.randn(32, 10), torch.randn(32, 1)
    n = 200 if quick else 2000
    for _ in range(n):
        opt.zero_grad(); crit(model(x), y).backward(); opt.step()
    return n

def mlp_sgd_momentum():
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    crit = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
    n = 5 if quick else 20
    for _ in range(n):
        opt.zero_grad(); crit(model(x), y).backward(); opt.step()
    return n

def lenet_sgd_momentum():
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    crit = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
    n = 2 if quick else 10
    for _ in range(n):
        opt.zero_grad(); crit(model(x), y).backward(); opt.step()
    return n

WORKLOADS = [seed_example1, seed_example2, seed_example3, adam_linear, mlp_sgd_momentum, lenet_sgd_momentum]

def measure(fn):
    """Best wall time over repeated runs after one warm-up run (see MIN, BUDGET)."""
    fn()  # warm-up
    best, steps, spent, i = float("inf"), 0, 0.0, 0
    while i < 50 and (i < MIN or spent < BUDGET):
        t = time.perf_counter(); steps = fn(); dt = time.perf_counter() - t
        best = min(best, dt); spent += dt; i += 1
    return {"seconds": best, "steps": steps}

default_threads = torch.get_num_threads()
out = {}
for threads in sorted({1, default_threads}):
    torch.set_num_threads(threads)
    out[str(threads)] = {fn.__name__: measure(fn) for fn in WORKLOADS}
out["default_threads"] = default_threads
out["torch"] = torch.__version__
print(json.dumps(out))
