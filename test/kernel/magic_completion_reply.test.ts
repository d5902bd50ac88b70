/**
 * Tab on a magic line, through the real kernel: `%lr_schedule StepLR <Tab>` answers with the
 * scheduler's options, where they go (cursor_start/cursor_end, in code points), and each match's
 * kind in `_jupyter_types_experimental`, as every other complete_reply of the kernel's does (a
 * teacher's pass: the magic line's reply had metadata {}, so JupyterLab had no kinds to show
 * beside them, next to the words its own context provider adds; see README's notebook tour).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  const r = await k.execute("const opt = new torch.optim.SGD([torch.zeros([2], { requires_grad: true })], { lr: 0.1 });\n"
    + "const sched = new torch.optim.lr_scheduler.StepLR(opt, { step_size: 3 });");
  expect(r.reply.content.status).toBe("ok");
}, 60_000);
afterAll(async () => { await k?.shutdown(); });

type Typed = { start: number; end: number; text: string; type: string };
async function complete(code: string, pos = [...code].length) {
  const c = (await k.request("complete_request", { code, cursor_pos: pos })).content;
  const typed = (c.metadata?._jupyter_types_experimental ?? []) as Typed[];
  return { matches: c.matches as string[], start: c.cursor_start as number, end: c.cursor_end as number, typed };
}

describe("complete_reply on a magic line", () => {
  it("%lr_schedule StepLR <Tab>: StepLR's options, typed as params, inserted at the cursor", async () => {
    const code = "%lr_schedule StepLR ";
    const c = await complete(code);
    expect(c.matches).toEqual(["step_size=", "gamma=", "last_epoch="]);
    expect([c.start, c.end]).toEqual([code.length, code.length]);
    expect(c.typed).toEqual(c.matches.map((text) => ({ start: c.start, end: c.end, text, type: "param" })));
  });

  it("a word being typed is replaced from its start; the kinds follow the reply's bounds", async () => {
    const code = "%lr_schedule StepLR st";
    const c = await complete(code);
    expect(c.matches).toEqual(["step_size="]);
    expect([c.start, c.end]).toEqual([20, 22]);
    expect(c.typed).toEqual([{ start: 20, end: 22, text: "step_size=", type: "param" }]);
  });

  it("scheduler names are classes, the user's scheduler an instance, --options options, option values values", async () => {
    const kinds = async (code: string) => new Map((await complete(code)).typed.map((t) => [t.text, t.type]));
    const first = await kinds("%lr_schedule ");
    expect(first.get("StepLR")).toBe("class");
    expect(first.get("sched")).toBe("instance");
    expect((await kinds("%lr_schedule StepLR step_size=3 --")).get("--steps")).toBe("option");
    expect((await kinds("%lr_schedule StepLR step_size=3 --optimizer ")).get("Adam")).toBe("value");
  });

  it("code points: an emoji before the line moves both bounds by one, not two", async () => {
    const code = "// 🙂\n%lr_schedule StepLR ga";
    const c = await complete(code);
    expect(c.matches).toEqual(["gamma="]);
    const n = [...code].length;
    expect([c.start, c.end]).toEqual([n - 2, n]);
    expect(c.typed[0]).toMatchObject({ start: n - 2, end: n, type: "param" });
  });
});
