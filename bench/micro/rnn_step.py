"""PyTorch twin of bench/micro/rnn_step.cjs: the same recurrent training step (forward, backward,
Adam step), timed the same way (best of N after a warm-up), on one thread. Prints one JSON object
{ "<case>": { "forward": ms, "backward": ms, "step": ms }, "torch": version }.
  python bench/micro/rnn_step.py [--reps N] [case...]
Keep CASES in step with the .cjs file."""
import json, sys, time
import torch
import torch.nn as nn

torch.set_num_threads(1)

# name: (class, input_size, hidden_size, num_layers, seq_len, batch, input requires grad)
CASES = {
    "lstm": ("LSTM", 32, 64, 2, 50, 32, False),
    "lstm_xgrad": ("LSTM", 32, 64, 2, 50, 32, True),
    "lstm_xgrad_L200": ("LSTM", 32, 64, 2, 200, 32, True),
    "gru": ("GRU", 32, 64, 2, 50, 32, False),
}


def bench(name, reps):
    cls, hin, hid, layers, seq, batch, xgrad = CASES[name]
    torch.manual_seed(0)
    model = getattr(nn, cls)(hin, hid, num_layers=layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(seq, batch, hin, requires_grad=xgrad)
    best = {"forward": float("inf"), "backward": float("inf"), "step": float("inf")}
    for r in range(reps + 3):  # the first 3 are the warm-up
        opt.zero_grad()
        x.grad = None
        t0 = time.perf_counter()
        out, _ = model(x)
        t1 = time.perf_counter()
        out.sum().backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        if r >= 3:
            for k, v in (("forward", t1 - t0), ("backward", t2 - t1), ("step", t3 - t2)):
                best[k] = min(best[k], v * 1e3)
    return best


def main():
    args = sys.argv[1:]
    reps = 10
    if "--reps" in args:
        i = args.index("--reps")
        reps = int(args[i + 1])
        del args[i:i + 2]
    names = args or list(CASES)
    res = {n: bench(n, reps) for n in names}
    res["torch"] = torch.__version__
    print(json.dumps(res))


if __name__ == "__main__":
    main()
