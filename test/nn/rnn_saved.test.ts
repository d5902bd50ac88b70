/**
 * What nn.RNN, nn.GRU and nn.LSTM save for backward of what a user holds, against real PyTorch
 * (test/fixtures/generate_rnn_saved.py): the input x, h_0 (c_0) or a parameter is changed in place
 * (times 1.0625, under no_grad) between forward and backward; backward then raises PyTorch's
 * error where PyTorch saved that tensor (the Elman and GRU layers: F.linear's saves; the LSTM: its
 * CPU node's input, weights, h_0 and c_0), and otherwise gives PyTorch's gradients (the change
 * read by nothing). The tensor's _version is PyTorch's too.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../kernel/src/index";
import { Tensor } from "../../kernel/src/tensor/tensor";

const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/nn/rnn_saved.json"), "utf8"));

interface Case {
  class: "RNN" | "GRU" | "LSTM";
  target: string;
  variant: string;
  options: { h_grad?: boolean; x_grad?: boolean; freeze?: boolean; num_layers?: number; bidirectional?: boolean; batch_first?: boolean; packed?: boolean };
  version: number;
  message: string | null;
  grads: number[][] | null;
}

type Layer = InstanceType<typeof torch.nn.RNN>;

/** The generator's run(): forward, the target changed in place, backward → the error or the leaves' gradients. */
function run(c: Case): { version: number; message: string | null; grads: number[][] | null } {
  const o = c.options;
  torch.manual_seed(0);
  const layers = o.num_layers ?? 1;
  const D = (o.bidirectional ? 2 : 1) * layers;
  const cls = torch.nn[c.class] as unknown as new (i: number, h: number, o: object) => Layer;
  const m = new cls(3, 4, { num_layers: layers, bidirectional: o.bidirectional ?? false, batch_first: o.batch_first ?? false });
  if (o.freeze) for (const p of m.parameters()) p.requires_grad_(false);
  const x = torch.tensor(fx.x, { requires_grad: o.x_grad ?? false });
  const N = o.batch_first ? 3 : 2;
  const h0 = torch.linspace(-0.5, 0.5, D * N * 4).reshape(D, N, 4).requires_grad_(o.h_grad ?? false);
  const c0 = torch.linspace(0.25, -0.75, D * N * 4).reshape(D, N, 4).requires_grad_(o.h_grad ?? false);
  const lstm = c.class === "LSTM";
  const forward = m.forward as (x: unknown, h: unknown) => [unknown, unknown];
  let out: Tensor;
  let x_in = x;
  if (o.packed) {
    // lengths 3 and 2; "x" is then the packed data [5, 3] (the layer's input)
    const p = torch.nn.utils.rnn.pack_padded_sequence(x, [3, 2]);
    out = (forward.call(m, p, lstm ? [h0, c0] : h0)[0] as { data: Tensor }).data;
    x_in = p.data;
  } else out = forward.call(m, x, lstm ? [h0, c0] : h0)[0] as Tensor;
  const held: Record<string, Tensor> = { h0, c0, x: x_in };
  const t = held[c.target] ?? (m as unknown as Record<string, Tensor>)[c.target];
  torch.no_grad(() => t.mul_(1.0625));
  const version = t._version;
  try {
    out.pow(2).sum().backward();
  } catch (e) {
    return { version, message: (e as Error).message, grads: null };
  }
  const leaves = [...m.parameters().filter((p) => p.requires_grad), ...(lstm ? [h0, c0] : [h0]).filter((v) => v.requires_grad), ...(x.requires_grad ? [x] : [])];
  return { version, message: null, grads: leaves.map((v) => Array.from(v.grad!.flatten().data as Float32Array)) };
}

describe("recurrent layers: in-place changes between forward and backward, as PyTorch", () => {
  for (const c of fx.cases as Case[]) {
    it(`${c.class} ${c.target} changed (${c.variant}): ${c.message === null ? "PyTorch's gradients" : "PyTorch's error"}`, () => {
      const got = run(c);
      expect(got.message).toBe(c.message);
      expect(got.version).toBe(c.version);
      if (c.grads === null) return;
      expect(got.grads!.length).toBe(c.grads.length);
      got.grads!.forEach((g, i) => {
        expect(g.length).toBe(c.grads![i].length);
        g.forEach((v, j) => expect(Math.abs(v - c.grads![i][j]), `leaf ${i} [${j}]: ${v} vs PyTorch's ${c.grads![i][j]}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(c.grads![i][j]))));
      });
    });
  }
});
