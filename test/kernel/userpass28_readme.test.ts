/**
 * A teacher's pass (userpass28): the README's "In a notebook" cells, as written, through the real
 * kernel. The first example trained on targets drawn apart from the inputs (torch.randn for both),
 * for 8 steps: its plot had 8 points, and `%lr_find` on it (the next thing the README's table
 * offers) found no rate to suggest ("steepest —, valley —, minimum/10 —"), the loss having nothing
 * to learn. The cells that follow it must work as written: a trace of a learning run, a range test
 * that suggests rates, a schedule preview.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");

/** The ```ts blocks of the README's "## In a notebook" section, in order. */
function notebookCells(): string[] {
  const start = readme.indexOf("## In a notebook");
  const end = readme.indexOf("\n## ", start + 1);
  return [...readme.slice(start, end).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1].trimEnd());
}

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

describe("the README's first cells, as written", () => {
  it("a %%lr_trace of a run that learns, then %lr_find with suggestions, then %lr_schedule", async () => {
    const cells = notebookCells();
    const find = cells.find((c) => c.startsWith("%lr_find "));
    const schedule = cells.find((c) => c.startsWith("%lr_schedule "));
    expect(cells[0]).toMatch(/^%%lr_trace /);
    expect(find, "the README shows a %lr_find cell after its %%lr_trace example").toBeDefined();
    expect(schedule, "and a %lr_schedule cell").toBeDefined();

    const trace = await k.execute(cells[0]);
    expect(trace.reply.content.status).toBe("ok");
    const steps = Number(resultText(await k.execute(`lrlab.run("adam").latest()!.step`)));
    expect(steps, "enough steps for a plot to show a trend").toBeGreaterThanOrEqual(50);
    // the loss fell: the model had something to learn
    const fell = resultText(await k.execute(`const _l = lrlab.run("adam").series("loss").columns().mean;
_l[_l.length - 1] < 0.5 * _l[0]`));
    expect(fell).toBe("true");

    const r = await k.execute(find!);
    expect(r.reply.content.status).toBe("ok");
    // the recommended one first, then the others by rate (trace/find_order.ts)
    expect(r.stdout).toMatch(/suggested lr: valley \d[\d.e-]* \(recommended\), (steepest|minimum\/10) \d[\d.e-]*, (steepest|minimum\/10) \d/);
    expect(r.stdout).not.toContain("no suggestion");

    const s = await k.execute(schedule!);
    expect(s.reply.content.status).toBe("ok");
  }, 120_000);
});
