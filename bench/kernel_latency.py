"""Kernel start-to-ready and cell round-trip times, measured with jupyter_client.

usage: kernel_latency.py --kernels lrlab,python3,tslab --repeats N [--quick]
Prints one JSON object: { kernel: { "start": [s...], "cells": { cell: [s...] } } }.
A cell's round trip is execute_request sent -> status idle received on iopub (all output in).
"""
import argparse, json, time
from jupyter_client.manager import KernelManager

CELLS = {
    "python3": {
        "1+1": "1+1",
        "typed10": "\n".join([
            "def f(xs: list[float]) -> float:",
            "    total: float = 0.0",
            "    for x in xs:",
            "        total += x * x",
            "    return total",
            "class P:",
            "    def __init__(self, v: float):",
            "        self.v = v",
            "p = P(f([1.0, 2.0, 3.0]))",
            "p.v",
        ]),
        "seed_example3": None,
    },
    "ts": {
        "1+1": "1+1",
        "typed10": "\n".join([
            "function f(xs: number[]): number {",
            "  let total: number = 0;",
            "  for (const x of xs) {",
            "    total += x * x;",
            "  }",
            "  return total;",
            "}",
            "class P { constructor(public v: number) {} }",
            "const p = new P(f([1, 2, 3]));",
            "p.v",
        ]),
        "seed_example3": None,
    },
}

LRLAB_EXAMPLE3 = """
const model = new torch.nn.Linear(10, 1);
const criterion = new torch.nn.MSELoss();
const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
const scheduler = new torch.optim.lr_scheduler.StepLR(optimizer, { step_size: 5, gamma: 0.5 });
const dummy_input = torch.randn(1, 10), dummy_target = torch.randn(1, 1);
for (let epoch = 0; epoch < 10; epoch++) {
  for (let i = 0; i < 10; i++) {
    const loss = criterion.forward(model.forward(dummy_input), dummy_target);
    loss.backward(); optimizer.step(); optimizer.zero_grad();
  }
  scheduler.step();
}
scheduler.get_last_lr()[0]
"""

IPY_EXAMPLE3 = """
import torch, torch.nn as nn
model = nn.Linear(10, 1); criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.5)
dummy_input, dummy_target = torch.randn(1, 10), torch.randn(1, 1)
for epoch in range(10):
    for _ in range(10):
        loss = criterion(model(dummy_input), dummy_target)
        loss.backward(); optimizer.step(); optimizer.zero_grad()
    scheduler.step()
scheduler.get_last_lr()[0]
"""


def run_cell(kc, code, timeout=120):
    t = time.perf_counter()
    msg_id = kc.execute(code, store_history=False)
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                and msg["content"]["execution_state"] == "idle":
            break
    dt = time.perf_counter() - t
    reply = kc.get_shell_msg(timeout=timeout)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"cell failed: {reply['content']}")
    return dt


def bench_kernel(name, repeats, starts, has_torch):
    out = {"start": [], "cells": {}}
    lang = "python3" if name == "python3" else "ts"
    cells = dict(CELLS[lang])
    if lang == "ts":
        cells["seed_example3"] = LRLAB_EXAMPLE3 if name == "lrlab" else None
    else:
        cells["seed_example3"] = IPY_EXAMPLE3 if has_torch else None
    for i in range(starts):
        km = KernelManager(kernel_name=name)
        t = time.perf_counter()
        km.start_kernel()
        kc = km.client(); kc.start_channels()
        kc.wait_for_ready(timeout=120)
        out["start"].append(time.perf_counter() - t)
        if i == 0:
            for cname, code in cells.items():
                if code is None:
                    continue
                run_cell(kc, code)  # warm-up (first type-check / import)
                out["cells"][cname] = [run_cell(kc, code) for _ in range(repeats)]
        kc.stop_channels(); km.shutdown_kernel(now=True)
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernels", default="lrlab,python3,tslab")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--torch", action="store_true", help="ipykernel has torch: run Example 3 there too")
    a = ap.parse_args()
    res = {}
    for k in a.kernels.split(","):
        try:
            res[k] = bench_kernel(k, a.repeats, a.starts, a.torch)
        except Exception as e:  # a peer that is missing is reported, not fatal
            res[k] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(res))
