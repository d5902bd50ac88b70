/**
 * Large matrix products split over worker threads (kernel/src/tensor/wasm/threads.ts, blocked.ts):
 * - set_num_threads / get_num_threads with PyTorch's validation;
 * - every split (along columns and along rows, 2 and 4 threads, transposed operands, bias, edge
 *   tiles, float32 and float64) gives exactly the bits of the one-thread product, and the workers
 *   really computed parts of them;
 * - a process whose workers are idle exits by itself.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import * as torch from "../../kernel/src/tensor/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { wasm } from "../../kernel/src/tensor/wasm/instance";
import { wasm_gemm, THREAD_MIN_WORK } from "../../kernel/src/tensor/wasm/gemm";
import * as threads from "../../kernel/src/tensor/wasm/threads";

const initial = torch.get_num_threads();
afterAll(() => torch.set_num_threads(initial));

/** Waits until `n - 1` workers have instantiated the module (they start on the first product). */
async function withThreads(n: number): Promise<void> {
  torch.set_num_threads(n);
  const inst = wasm();
  expect(inst).not.toBeNull();
  const deadline = Date.now() + 20_000;
  while (threads.ready_helpers(inst!).length < n - 1) {
    if (Date.now() > deadline) throw new Error(`workers not ready after 20 s (${threads.ready_helpers(inst!).length} of ${n - 1})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

type F = Float32Array | Float64Array;
function filled(n: number, f32: boolean, seed: number): F {
  const a = f32 ? new Float32Array(n) : new Float64Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) % 2147483648; a[i] = x / 2147483648 - 0.5; }
  return a;
}

// [M, N, K]: wide (split by columns), tall (split by rows), edge tiles on both sides, K > KC.
const SHAPES: [number, number, number][] = [[128, 256, 784], [256, 784, 128], [1001, 37, 300], [67, 203, 171], [8, 4099, 65]];

function product(M: number, N: number, K: number, ta: boolean, tb: boolean, f32: boolean, bias: boolean): F {
  const A = filled(M * K + 3, f32, 1), B = filled(K * N + 5, f32, 2), b = bias ? filled(N, f32, 3) : null;
  const C = f32 ? new Float32Array(M * N + 2) : new Float64Array(M * N + 2);
  expect(M * N * K).toBeGreaterThanOrEqual(THREAD_MIN_WORK);
  expect(wasm_gemm(ta, tb, M, N, K, A, 3, B, 5, C, 2, b)).toBe(true);
  return C;
}

describe("set_num_threads", () => {
  it("takes a positive integer, as PyTorch", () => {
    expect(() => torch.set_num_threads(0)).toThrow("set_num_threads expects a positive integer, got 0");
    expect(() => torch.set_num_threads(-2)).toThrow("set_num_threads expects a positive integer, got -2");
    expect(() => torch.set_num_threads(1.5)).toThrow("set_num_threads expects an int, but got float (1.5)");
    expect(() => torch.set_num_threads("2" as unknown as number)).toThrow("set_num_threads expects an int, but got string (2)");
    torch.set_num_threads(3);
    expect(torch.get_num_threads()).toBe(3);
    // PyTorch takes any positive count; the workers started stay bounded.
    torch.set_num_threads(1000);
    expect(torch.get_num_threads()).toBe(1000);
    threads.ready_helpers(wasm()!);
    expect(threads.max_thread_index()).toBe(threads.max_threads() - 1);
    torch.set_num_threads(1);
    expect(torch.get_num_threads()).toBe(1);
    expect(threads.ready_helpers(wasm()!)).toHaveLength(0);
  });
});

describe("LRLAB_THREADS", () => {
  it("a value that is not a whole number >= 1 is named in a warning, not ignored without a word", () => {
    const dist = join(__dirname, "../../kernel/dist/index.js");
    const run = (value: string) => spawnSync(process.execPath, ["-e", `const t = require(${JSON.stringify(dist)}); console.log(t.get_num_threads()); t.get_num_threads(); setTimeout(() => process.exit(0), 20);`],
      { encoding: "utf8", env: { ...process.env, LRLAB_THREADS: value } });
    const bad = run("abc");
    expect(bad.stderr).toMatch(/LRLAB_THREADS="abc" is not a whole number ≥ 1: using \d+ \(the cores\)/);
    expect(bad.stderr.match(/LRLAB_THREADS=/g)).toHaveLength(1); // once
    const good = run("1");
    expect(good.stdout.trim()).toBe("1");
    expect(good.stderr).not.toMatch(/LRLAB_THREADS/);
  });
});

describe("products split over threads", () => {
  for (const f32 of [true, false]) {
    it(`${f32 ? "float32" : "float64"}: the same bits as on one thread, for every split`, async () => {
      const flags: [boolean, boolean, boolean][] = [[false, false, true], [true, false, false], [false, true, false], [true, true, true]];
      const one = new Map<string, F>();
      torch.set_num_threads(1);
      for (const [M, N, K] of SHAPES) for (const [ta, tb, bias] of flags) one.set(`${M},${N},${K},${ta},${tb},${bias}`, product(M, N, K, ta, tb, f32, bias));
      for (const n of [2, 4]) {
        await withThreads(n);
        const before = threads.worker_runs;
        for (const [M, N, K] of SHAPES) {
          for (const [ta, tb, bias] of flags) {
            const key = `${M},${N},${K},${ta},${tb},${bias}`;
            const got = product(M, N, K, ta, tb, f32, bias);
            const want = one.get(key)!;
            let diff = -1;
            for (let i = 0; i < want.length && diff < 0; i++) if (!Object.is(got[i], want[i])) diff = i;
            expect(diff, `${n} threads, ${key}: first differing element`).toBe(-1);
          }
        }
        // The workers took part (a worker that was not scheduled in time is not counted; on an
        // idle machine it is every product).
        expect(threads.worker_runs - before).toBeGreaterThan(0);
      }
    }, 60_000);
  }

  it("torch.matmul and its backward give the one-thread result", async () => {
    const a = new Tensor(filled(128 * 784, true, 4), [128, 784], "float32", true);
    const b = new Tensor(filled(784 * 256, true, 5), [784, 256], "float32", true);
    const run = () => { a.grad = null; b.grad = null; const y = torch.matmul(a, b); y.sum().backward(); return [y, a.grad!, b.grad!].map((t) => Array.from(t.data)); };
    torch.set_num_threads(1);
    const want = run();
    await withThreads(2);
    expect(run()).toEqual(want);
  });
});

describe("leftovers of an interrupted product", () => {
  it("an offer of an old product is dropped or given up, and the next product is right", async () => {
    await withThreads(2);
    torch.set_num_threads(1);
    const want = product(128, 256, 784, false, true, true, true);
    await withThreads(2);
    const inst = wasm()!;
    // As if the main thread had been interrupted after offering product 12345: the worker takes
    // the stale offer (or not yet) while the next product begins.
    threads.post(threads.ready_helpers(inst), 12345);
    const got = product(128, 256, 784, false, true, true, true);
    expect(Array.from(got)).toEqual(Array.from(want));
  });
});

describe("worker lifetime", () => {
  it("a process with idle workers exits by itself", () => {
    const dist = join(__dirname, "../../kernel/dist/index.js");
    // (the built package: the worker runs the compiled gemm_chunks, not the test's transpiled one)
    const code = `const t = require(${JSON.stringify(dist)}); t.set_num_threads(1);
      const a = t.randn(256, 512), b = t.randn(512, 256); const one = Array.from(t.matmul(a, b).data);
      t.set_num_threads(2); t.matmul(a, b);
      setTimeout(() => {
        const two = Array.from(t.matmul(a, b).data);
        console.log("done", t.get_num_threads(), two.every((v, i) => Object.is(v, one[i])));
      }, 300);`;
    const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", timeout: 20_000 });
    expect(r.error, "timed out: an idle worker kept the process alive").toBeUndefined();
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("done 2 true");
    expect(r.status).toBe(0);
  });
});
