/**
 * The README's guided tour ("## In a notebook", up to "### The magics in detail"), cell by cell
 * through the real kernel, as a reader runs it: every cell succeeds, the range test prints its
 * recommended rate first, the schedule previews plot, and what the tour says of Tab and of a
 * missing option is what the kernel does (a teacher's pass asked for a short guided tour instead
 * of the section's wall of text).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");

function tour(): { text: string; cells: string[] } {
  const start = readme.indexOf("## In a notebook");
  const end = readme.indexOf("### The magics in detail", start);
  expect(start, "README has the section").toBeGreaterThanOrEqual(0);
  expect(end, "and its tour ends before the reference").toBeGreaterThan(start);
  const text = readme.slice(start, end);
  return { text, cells: [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1].trimEnd()) };
}

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); }, 60_000);
afterAll(async () => { await k?.shutdown(); });

describe("the README's guided tour", () => {
  it("is short: numbered steps, a handful of cells", () => {
    const { text, cells } = tour();
    expect(text.split("\n").length).toBeLessThan(110);
    expect([...text.matchAll(/^\d\. \*\*/gm)].length).toBeGreaterThanOrEqual(5);
    expect(cells.length).toBeLessThanOrEqual(8);
    expect(cells.map((c) => c.split(/\s/)[0])).toEqual(["%%lr_trace", "%%lr_trace", "%lr_compare", "%lr_find", "%lr_schedule", "%lr_schedule"]);
  });

  it("every cell runs as written, in order; %lr_find recommends a rate first", async () => {
    const { text, cells } = tour();
    const out: string[] = [];
    for (const cell of cells) {
      const r = await k.execute(cell);
      expect(r.reply.content.status, `${cell.split("\n")[0]}: ${r.reply.content.evalue}`).toBe("ok");
      out.push(r.stdout);
    }
    const find = out[cells.findIndex((c) => c.startsWith("%lr_find "))];
    expect(find).toMatch(/^suggested lr: valley \d\S* \(recommended\), (minimum\/10|steepest) \d\S*, (minimum\/10|steepest) \d\S* \(with Adam, optimizer=optimizer\)\n/);
    expect(find).not.toContain("no suggestion");
    // the line the tour quotes is the one printed (the cells are seeded)
    expect(text).toContain("`" + find.split("\n")[0] + "`");
  }, 240_000);

  it("what it says of Tab and of a missing option holds", async () => {
    const { text } = tour();
    const code = "%lr_schedule StepLR ";
    const c = (await k.request("complete_request", { code, cursor_pos: code.length })).content;
    expect(c.matches).toEqual(["step_size=", "gamma=", "last_epoch="]);
    expect(text).toContain("(`step_size=`, `gamma=`,\n   `last_epoch=`), marked *param*");
    expect(c.metadata._jupyter_types_experimental.map((t: { type: string }) => t.type)).toEqual(["param", "param", "param"]);
    const said = /`%lr_schedule StepLR` → `([^`]+)`/.exec(text.replace(/\n\s+/g, " "))?.[1];
    expect(said).toBeDefined();
    expect((await k.execute("%lr_schedule StepLR")).reply.content.evalue).toBe(said);
  });
});
