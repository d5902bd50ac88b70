"""Kernel start-to-ready and cell round-trip times, measured with jupyter_client.

usage: kernel_latency.py --kernels lrlab=lrlab,ipykernel=python3,tslab=tslab
                         [--repeats N] [--starts S] [--torch-kernels ipykernel] [--timeout T]
Each entry is label=kernelspec name; the label picks the cells' language (ipykernel -> Python,
anything else -> TypeScript). Prints one JSON object:
  { label: { "start": [s...], "cells": { cell: [s...] }, "skipped": { cell: why },
             "failures": { cell: { count, of, first } } } }
or { label: { "error": "..." } } for a kernel that could not start or failed a cell.

start: KernelManager.start_kernel() -> kernel_info_reply received (wait_for_ready), i.e. the
time a user waits before the first cell can run. Round trip: execute_request sent -> status idle
received on iopub for that request (all output in), the time a user waits for a cell.
Each cell runs once untimed first (first type-check, first import), then `repeats` times,
the kernels interleaved run by run (bench_kernels says why).
"""
import argparse, json, os, time
from jupyter_client.manager import KernelManager

PY_CELLS = {
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
    # The seed's Example 3 (SGD + StepLR on Linear(10, 1), 10 epochs x 10 steps), prints left out.
    "seed_example3": "\n".join([
        "import torch, torch.nn as nn",
        "model = nn.Linear(10, 1); criterion = nn.MSELoss()",
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)",
        "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.5)",
        "dummy_input, dummy_target = torch.randn(1, 10), torch.randn(1, 1)",
        "for epoch in range(10):",
        "    for _ in range(10):",
        "        loss = criterion(model(dummy_input), dummy_target)",
        "        loss.backward(); optimizer.step(); optimizer.zero_grad()",
        "    scheduler.step()",
        "scheduler.get_last_lr()[0]",
    ]),
}

TS_EXAMPLE3 = """const model = new torch.nn.Linear(10, 1);
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
scheduler.get_last_lr()[0]"""

TS_CELLS = {
    "1+1": "1+1",
    # the 10-line typed cell (also timed without Jupyter by bench/micro/new_cell.cjs)
    "typed10": open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cells", "typed10.ts")).read().rstrip("\n"),
    # lrlab preloads `torch`; tslab runs the same cell with the library imported from npm.
    "seed_example3": TS_EXAMPLE3,
}


def run_cell(kc, code, timeout):
    t = time.perf_counter()
    msg_id = kc.execute(code, store_history=False)
    errors = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            errors.append(f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}")
        elif msg["msg_type"] == "stream" and msg["content"].get("name") == "stderr":
            errors.append(msg["content"].get("text", "").strip())
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    dt = time.perf_counter() - t
    while True:  # the execute_reply of this request (skip replies of nothing else)
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    if reply["content"]["status"] != "ok":
        c = reply["content"]
        why = c.get("evalue") or " | ".join(errors) or "(no message)"
        raise RuntimeError(f"{c.get('ename') or 'error'}: {why}"[:300])
    return dt


def cells_for(label, torch_labels):
    if label == "ipykernel":
        cells = dict(PY_CELLS)
        cells["typed10_new"] = cells["typed10"]
        skipped = {}
        if label not in torch_labels:
            del cells["seed_example3"]
            skipped["seed_example3"] = "torch not importable by this ipykernel"
        return cells, skipped
    cells = dict(TS_CELLS)
    cells["typed10_new"] = cells["typed10"]
    if label != "lrlab":
        cells["seed_example3"] = 'import * as torch from "lrlab";\n' + TS_EXAMPLE3
    return cells, {}


# A user opens a notebook, then runs its first cell a moment later: the first cell's round trip
# this long after ready (what a kernel loads or warms after answering kernel_info shows here).
FIRST_CELL_PAUSE = 2.0


def start_kernel(spec, timeout):
    """A started kernel, its client and the seconds from start_kernel() to kernel_info_reply."""
    km = KernelManager(kernel_name=spec)
    t = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=timeout)
    except BaseException:
        stop_kernel(km, kc)
        raise
    return km, kc, time.perf_counter() - t


def stop_kernel(km, kc):
    try:
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)


def broken(e):
    return {"error": f"{type(e).__name__}: {e}".strip()[:300]}


def bench_kernels(entries, repeats, starts, torch_labels, timeout):
    """All kernels measured side by side, interleaved run by run (as the tracer section does).

    Why interleaved: the host's speed drifts by tens of percent within minutes (a new typed cell
    of lrlab read 4.5 ms at one moment and 7.5 ms twenty minutes later on the same build); measured
    one kernel after the other, a ratio was partly which kernel met the slower minutes. So starts
    alternate kernel by kernel, and the cells run on one live kernel of each, repeat r of a cell on
    every kernel before repeat r + 1 (the order rotated each repeat): each kernel's samples span
    the same minutes.
    """
    res, cells, live = {}, {}, {}
    for label, _ in entries:
        res[label] = {"start": [], "first": [], "cells": {}, "skipped": {}}
        cells[label], res[label]["skipped"] = cells_for(label, torch_labels)

    def fail(label, e):
        # a peer that is missing or broken is reported, not fatal
        res[label] = broken(e)
        if label in live:
            km, kc = live.pop(label)
            try:
                stop_kernel(km, kc)
            except Exception:
                pass

    try:
        for i in range(starts):
            for label, spec in entries:
                out = res[label]
                if "error" in out:
                    continue
                try:
                    km, kc, dt = start_kernel(spec, timeout)
                except Exception as e:
                    fail(label, e)
                    continue
                out["start"].append(dt)
                keep = False
                try:
                    time.sleep(FIRST_CELL_PAUSE)
                    try:
                        out["first"].append(run_cell(kc, cells[label]["typed10"] + ("\n# first" if label == "ipykernel" else "\n// first"), timeout))
                    except RuntimeError as e:
                        out.setdefault("failures", {})["first"] = {"count": 1, "of": 1, "first": str(e)}
                    keep = i == 0  # the first start of each kernel stays up for the cells
                except Exception as e:
                    fail(label, e)
                finally:
                    if keep:
                        live[label] = (km, kc)
                    else:
                        stop_kernel(km, kc)
        names = []
        for label in res:
            for cname in cells[label]:
                if cname not in names:
                    names.append(cname)
        for cname in names:
            labels = [label for label in live if cname in cells[label]]
            times = {label: [] for label in labels}
            failures = {label: [] for label in labels}
            for r in range(repeats + 1):  # run 0: warm-up (first type-check, first import)
                k = r % len(labels) if labels else 0
                for label in labels[k:] + labels[:k]:  # each kernel goes first in turn
                    if label not in live:
                        continue
                    text = cells[label][cname]
                    if cname.endswith("_new"):
                        # A new comment each run: the kernel sees new text, so no cached
                        # type-check (lrlab) or compiled code can be reused.
                        text += ("\n# run %d" if label == "ipykernel" else "\n// run %d") % r
                    try:
                        dt = run_cell(live[label][1], text, timeout)
                        if r > 0:
                            times[label].append(dt)
                    except RuntimeError as e:
                        # a run that fails is counted and reported, not timed; the others still are
                        failures[label].append(str(e))
                    except Exception as e:
                        fail(label, e)
            for label in labels:
                out = res[label]
                if "error" in out:
                    continue
                if times[label]:
                    out["cells"][cname] = times[label]
                if failures[label]:
                    first = failures[label][0]
                    out.setdefault("failures", {})[cname] = {"count": len(failures[label]), "of": repeats + 1, "first": first}
                    if not times[label]:
                        out["skipped"][cname] = f"cell failed: {first}"
    finally:
        for km, kc in live.values():
            try:
                stop_kernel(km, kc)
            except Exception:
                pass
    return res


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernels", default="lrlab=lrlab,ipykernel=python3,tslab=tslab")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--torch-kernels", default="", help="labels whose kernel can import torch")
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    torch_labels = set(filter(None, a.torch_kernels.split(",")))
    entries = []
    for entry in a.kernels.split(","):
        label, _, spec = entry.partition("=")
        entries.append((label, spec or label))
    print(json.dumps(bench_kernels(entries, a.repeats, a.starts, torch_labels, a.timeout)))
