/**
 * `torch.tensor([1, 0, 2])` is float32 in lrlab (README's deliberate differences: JavaScript's
 * numbers do not tell 1 from 1.0), where PyTorch's is int64; a port's labels or indices made so
 * failed at the embedding, loss or index call with PyTorch's message about Long, which did not say
 * why the tensor was float. Each of those errors now carries a hint naming the cause and the two
 * spellings that make int64 (ts_hints.ts int64Hint): checked on the library's own errors, through
 * the kernel's traceback, and the advice checked to work.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { runtimeHint } from "../../kernel/src/kernel/ts_hints";
import { KernelClient, resultText } from "./client";

const F = torch.nn.functional;
const labels = torch.tensor([1, 0, 2]); // float32, as a port writes it

/** The error `fn` throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("no error thrown");
}

describe("the hint under an index or class-label tensor that is float", () => {
  const cases: [string, () => unknown][] = [
    ["Embedding", () => new torch.nn.Embedding(10, 3).forward(labels)],
    ["cross_entropy", () => F.cross_entropy(torch.randn(3, 4), labels)],
    ["nll_loss", () => F.nll_loss(torch.randn(3, 4), labels)],
    ["index_select", () => torch.randn(3, 4).index_select(0, labels)],
    ["gather", () => torch.randn(3, 4).gather(1, labels.reshape(3, 1))],
    ["advanced indexing", () => torch.randn(5).index(labels)],
    ["one_hot", () => F.one_hot(labels, 3)],
    ["bincount", () => torch.bincount(labels)],
  ];
  for (const [name, fn] of cases) {
    it(`${name}: the library's error gets it`, () => {
      const hint = runtimeHint(thrown(fn), "", "");
      expect(hint).toContain("torch.tensor([1, 0, 2]) is float32 in lrlab");
      expect(hint).toContain("{ dtype: torch.int64 }");
    });
  }

  it("and other errors do not", () => {
    expect(runtimeHint(thrown(() => torch.randn(2, 3).matmul(torch.randn(2, 3))), "", "")).toBeNull();
    expect(runtimeHint(new TypeError("expected scalar type Float but found Long"), "", "")).toBeNull();
  });
});

describe("through the kernel", () => {
  let k: KernelClient;
  beforeAll(async () => { k = await KernelClient.start(); }, 120_000);
  afterAll(async () => { await k?.shutdown(); });
  const plain = (lines: unknown) => (lines as string[]).join("\n").replace(/\u001b\[[0-9;]*m/g, "");

  it("the traceback ends with the hint, and its two spellings work", async () => {
    const r = await k.execute("const emb = new torch.nn.Embedding(10, 3);\nemb.forward(torch.tensor([1, 2])).shape");
    expect(r.reply.content.ename).toBe("TypeError");
    expect(plain(r.reply.content.traceback)).toContain("hint: torch.tensor([1, 0, 2]) is float32 in lrlab");
    expect(resultText(await k.execute("emb.forward(torch.tensor([1, 2], { dtype: torch.int64 })).shape"))).toBe("[ 2, 3 ]");
    expect(resultText(await k.execute("emb.forward(torch.tensor([1, 2]).long()).shape"))).toBe("[ 2, 3 ]");
  }, 60_000);
});
