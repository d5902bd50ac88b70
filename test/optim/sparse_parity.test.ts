/**
 * Parity with real PyTorch 2.13.0 for sparse gradients (test/fixtures/generate_sparse.py):
 * SparseAdam (defaults; maximize with other betas and eps; two param groups with a parameter
 * whose grad is None every third step and an empty gradient; a row never touched), SGD (plain,
 * maximize, momentum with its sparse buffer, dampening, nesterov) and Adagrad (defaults; lr_decay,
 * initial_accumulator_value, eps, maximize), float32 and float64. "given" cases assign the exact
 * uncoalesced gradient PyTorch used (repeated rows) and step; "embedding" cases compute it with
 * nn.Embedding({ sparse: true }) through autograd (two backward calls accumulating, padding_idx)
 * and also compare the gradient's indices, nnz and coalesced flag. Parameters are compared after
 * every step, and the final state (a sparse momentum buffer by its indices, values, nnz, flag).
 */
import { describe, expect, test } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Optimizer } from "../../kernel/src/optim/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { loadCases, relErr, TOL, type DTypeName } from "./helpers";

type StateJson = Record<string, number | number[] | { sparse: true; indices: number[]; values: number[]; nnz: number; coalesced: boolean }>;

interface GivenCase {
  name: string;
  kind: "given";
  optimizer: string;
  options: Record<string, unknown>;
  groups: { params: number[]; options: Record<string, unknown> }[] | null;
  dtype: DTypeName;
  shapes: [number, number][];
  init: number[][];
  steps: { grads: ({ indices: number[]; values: number[] } | null)[]; params: number[][] }[];
  final_state: (StateJson | null)[];
}

interface EmbeddingCase {
  name: string;
  kind: "embedding";
  optimizer: string;
  options: Record<string, unknown>;
  dtype: DTypeName;
  specs: { num: number; dim: number; padding_idx: number | null }[];
  init: number[][];
  steps: {
    batches: { idx: number[]; coef: number[] }[][];
    grads: { indices: number[]; nnz: number; coalesced: boolean }[];
    params: number[][];
  }[];
  final_state: (StateJson | null)[];
}

const cases = loadCases<GivenCase | EmbeddingCase>("sparse");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const classes: Record<string, new (params: any, options: any) => Optimizer> = {
  SparseAdam: torch.optim.SparseAdam, SGD: torch.optim.SGD, Adagrad: torch.optim.Adagrad,
};

function param(values: number[], shape: number[], dtype: DTypeName): Tensor {
  return new Tensor(dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values), shape, dtype, true);
}

function checkState(opt: Optimizer, params: Tensor[], expected: (StateJson | null)[], dtype: DTypeName, label: string): void {
  params.forEach((p, i) => {
    const want = expected[i];
    const got = opt.state.get(p);
    if (want === null) {
      expect(got === undefined || Object.keys(got).length === 0, `${label}: param ${i} has no state`).toBe(true);
      return;
    }
    expect(Object.keys(got!).sort(), `${label}: state keys of param ${i}`).toEqual(Object.keys(want).sort());
    for (const [k, v] of Object.entries(want)) {
      const g = got![k];
      if (typeof v === "number") {
        expect(typeof g === "number" ? g : (g as Tensor).item(), `${label}: ${k} of param ${i}`).toBe(v);
      } else if (Array.isArray(v)) {
        expect(relErr((g as Tensor).data, v), `${label}: ${k} of param ${i}`).toBeLessThanOrEqual(TOL[dtype]);
      } else {
        const s = g as Tensor;
        expect(s.is_sparse, `${label}: ${k} of param ${i} is sparse`).toBe(true);
        expect(s._nnz()).toBe(v.nnz);
        expect(s.is_coalesced()).toBe(v.coalesced);
        expect(Array.from(s._indices().data)).toEqual(v.indices);
        expect(relErr(s._values().data, v.values), `${label}: ${k} values of param ${i}`).toBeLessThanOrEqual(TOL[dtype]);
      }
    }
  });
}

describe("sparse gradients: parity with PyTorch 2.13", () => {
  for (const c of cases) {
    test(`${c.name} [${c.dtype}] (${c.kind})`, () => {
      const tol = TOL[c.dtype];
      if (c.kind === "given") {
        const params = c.shapes.map((s, i) => param(c.init[i], s, c.dtype));
        const cls = classes[c.optimizer];
        const opt = c.groups === null
          ? new cls(params, c.options)
          : new cls(c.groups.map((g) => ({ params: g.params.map((i) => params[i]), ...g.options })), c.options);
        c.steps.forEach((rec, step) => {
          rec.grads.forEach((g, i) => {
            if (g === null) {
              params[i].grad = null;
              return;
            }
            const cols = c.shapes[i][1];
            const values = new Tensor(c.dtype === "float32" ? Float32Array.from(g.values) : Float64Array.from(g.values), [g.indices.length, cols], c.dtype);
            params[i].grad = torch.sparse_coo_tensor(torch.tensor([g.indices], { dtype: "int64" }), values, c.shapes[i]);
          });
          opt.step();
          params.forEach((p, i) => {
            expect(relErr(p.data, rec.params[i]), `step ${step}, param ${i}`).toBeLessThanOrEqual(tol);
          });
        });
        checkState(opt, params, c.final_state, c.dtype, c.name);
      } else {
        const embs = c.specs.map((s, i) =>
          torch.nn.Embedding.from_pretrained(param(c.init[i], [s.num, s.dim], c.dtype).detach(), { freeze: false, padding_idx: s.padding_idx, sparse: true }),
        );
        const opt = new classes[c.optimizer](embs.map((e) => e.weight), c.options);
        c.steps.forEach((rec, step) => {
          opt.zero_grad();
          for (const batch of rec.batches) {
            let loss: Tensor | null = null;
            batch.forEach((b, i) => {
              const idx = torch.tensor(b.idx, { dtype: "int64" }).reshape(2, 3);
              const coef = new Tensor(c.dtype === "float32" ? Float32Array.from(b.coef) : Float64Array.from(b.coef), [2, 3, c.specs[i].dim], c.dtype);
              const term = embs[i].forward(idx).mul(coef).sum();
              loss = loss === null ? term : loss.add(term);
            });
            (loss as unknown as Tensor).backward();
          }
          rec.grads.forEach((g, i) => {
            const grad = embs[i].weight.grad!;
            expect(grad.is_sparse).toBe(true);
            expect(grad._nnz(), `step ${step}: nnz of the gradient of table ${i}`).toBe(g.nnz);
            expect(grad.is_coalesced()).toBe(g.coalesced);
            expect(Array.from(grad._indices().data)).toEqual(g.indices);
          });
          opt.step();
          embs.forEach((e, i) => {
            expect(relErr(e.weight.data, rec.params[i]), `step ${step}, table ${i}`).toBeLessThanOrEqual(tol);
          });
        });
        checkState(opt, embs.map((e) => e.weight), c.final_state, c.dtype, c.name);
      }
    });
  }
});
