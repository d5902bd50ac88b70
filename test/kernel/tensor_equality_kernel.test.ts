/**
 * `if (pred == y)` through the real kernel (tensor_equality.ts): the cell replies an error naming
 * what to write, at the operator, and runs nothing; the notebook keeps its variables and the next
 * cell runs. A `%%lr_trace` cell's code goes through the same check. Before, the cell ran and the
 * branch was silently never taken (a porter's pass).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
}, 60_000);
afterAll(async () => { await k?.shutdown(); });

const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

async function ok(code: string): Promise<string> {
  const r = await k.execute(code);
  expect(r.reply.content.status, plain(((r.reply.content.traceback as string[] | undefined) ?? []).join("\n"))).toBe("ok");
  return r.stdout;
}

describe("== on tensors in a cell", () => {
  it("is an error before the cell runs; the variables are kept and the next cell runs", async () => {
    await ok("const pred = torch.tensor([1, 2, 3]);\nconst y = torch.tensor([1, 2, 3]);\nlet hits = 0;");
    const r = await k.execute("hits = 1;\nif (pred == y) console.log(\"equal\");\nconsole.log(\"ran\");");
    expect(r.reply.content.status).toBe("error");
    expect(r.stdout).toBe(""); // nothing ran: not even the first line
    const traceback = (r.reply.content.traceback as string[]).map(plain);
    expect(traceback.filter((l) => / - error lrlab: /.test(l))).toEqual([
      "2:10 - error lrlab: 'pred == y' compares two tensor objects in JavaScript (always false unless they are the same object), "
        + "not their elements as PyTorch's == does: use pred.eq(y) (element-wise, a bool tensor), torch.equal(pred, y) (same shape and values), "
        + "or === if you mean the same object",
    ]);
    expect(traceback.filter((l) => l.startsWith("hint:"))).toEqual([expect.stringMatching(/^hint: tensors have no operators in JavaScript, == and != included/)]);
    // the caret under the operator
    const at = traceback.findIndex((l) => l.startsWith("   2 | "));
    expect(traceback[at + 1].indexOf("^") - "     | ".length).toBe("if (pred ".length);
    // the notebook as it was: hits still 0, pred and y there; what the fix says runs
    expect(await ok("console.log(hits, torch.equal(pred, y), pred.eq(y).sum().item(), pred === y);")).toBe("0 true 3 false\n");
  }, 60_000);

  it("in a %%lr_trace cell too", async () => {
    await ok("const net = new torch.nn.Linear(2, 1);\nconst opt = new torch.optim.SGD(net.parameters(), { lr: 0.1 });");
    const r = await k.execute([
      "%%lr_trace --name eqcell --no-live",
      "const before = net.weight.clone();",
      "opt.zero_grad(); net.forward(torch.ones([4, 2])).sum().backward(); opt.step();",
      "if (net.weight != before) console.log(\"moved\");",
    ].join("\n"));
    expect(r.reply.content.status).toBe("error");
    expect(r.stdout).toBe("");
    const errors = (r.reply.content.traceback as string[]).map(plain).filter((l) => / - error lrlab: /.test(l));
    // at the operator, counted in the cell as written (its magic line is line 1)
    expect(errors).toEqual([expect.stringMatching(/^4:16 - error lrlab: 'net\.weight != before' compares two tensor objects .*use net\.weight\.ne\(before\)/)]);
    expect(await ok("console.log(\"next\");")).toBe("next\n");
  }, 60_000);
});
