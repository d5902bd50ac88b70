/**
 * A `%` at the start of a line is a magic only where TypeScript would read code at the top level
 * of the cell (kernel/src/magics/code_lines.ts, parser.ts splitCell):
 *
 * - in a template literal, a block comment or a backslash-continued string it is text: the cell
 *   runs as written (before, `%d items` inside a template was taken as a magic and the template
 *   was cut in two);
 * - inside brackets it is the remainder operator continuing an expression, unless it names one of
 *   lrlab's magics: then a UsageError says that magics go at the top level (before, the function
 *   was cut in two at the magic, and TypeScript's errors followed);
 * - quotes, regular expressions and `${...}` do not throw the lexer off for the lines after them.
 *
 * Then the same through a real kernel: the template cell prints its text, the magic inside a loop
 * gets the UsageError, and a magic after a template literal still runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodeLines } from "../../kernel/src/magics/code_lines";
import { MagicError, splitCell } from "../../kernel/src/magics/parser";
import { KernelClient } from "./client";

/** The state at the start of each line of `src`, as splitCell sees it (every line fed). */
function starts(src: string): string[] {
  const lexer = new CodeLines();
  return src.split("\n").map((l) => {
    const at = lexer.start;
    lexer.feed(l);
    return `${at.quoted ? "q" : "c"}${at.depth}`;
  });
}

const known = (name: string) => ["lr_schedule", "lr_find", "time", "who"].includes(name);

describe("code_lines.ts: where each line starts", () => {
  it("template literals, nested ${...}, block comments and continued strings", () => {
    expect(starts("const t = `a\n%b\n${f({ x: `\n%y` })}\n%c`;\n%d")).toEqual(["c0", "q0", "q0", "q3", "q0", "c0"]);
    expect(starts("/* one\n%two\n*/ x = 1;\n%three")).toEqual(["c0", "q0", "q0", "c0"]);
    expect(starts("const s = 'a\\\n%b';\n%c")).toEqual(["c0", "q0", "c0"]);
    // an unterminated ' string ends at its line (TypeScript's error), it does not swallow the cell
    expect(starts("const s = 'a\n%b")).toEqual(["c0", "c0"]);
  });

  it("brackets count, those of ${...} too; comments and strings hold none", () => {
    expect(starts("function f() {\n  if (x) {\n    g([1,\n2]);\n  }\n}\n")).toEqual(["c0", "c1", "c2", "c4", "c2", "c1", "c0"]);
    expect(starts("const a = `${ {\n}.x }`;\n")).toEqual(["c0", "c2", "c0"]);
    expect(starts("const a = '{'; // {\nconst b = \"(\"; /* [ */\n")).toEqual(["c0", "c0", "c0"]);
  });

  it("a regular expression's quotes and brackets are not code; a division is not a regular expression", () => {
    expect(starts("const r = /`[`{]/g;\n%x")).toEqual(["c0", "c0"]);
    expect(starts("const r = x.replace(/\\//, '`');\n%x")).toEqual(["c0", "c0"]);
    expect(starts("const q = a / b / c; const s = `\n%x`")).toEqual(["c0", "q0"]);
    expect(starts("const q = (a + 1) / 2; const s = '`';\n%x")).toEqual(["c0", "c0"]);
    expect(starts("if (x) { y++ / 2; }\nreturn /`/;\n%x")).toEqual(["c0", "c0", "c0"]);
  });
});

describe("parser.ts splitCell: magics only at the top level of code", () => {
  it("a %-line in a template literal or a comment is code", () => {
    const cell = "const report = `\n%d items\n%lr_schedule is a magic\n`;\n/*\n%who\n*/\nreport";
    expect(splitCell(cell, known)).toEqual([{ kind: "code", code: cell, firstLine: 0 }]);
  });

  it("a magic after a template literal or a comment is still a magic", () => {
    const parts = splitCell("const t = `x\ny`;\n/* c */\n%lr_schedule StepLR --steps 3\nt", known);
    expect(parts.map((p) => p.kind)).toEqual(["code", "line", "code"]);
    expect(parts[1]).toMatchObject({ name: "lr_schedule", args: "StepLR --steps 3", line: 4 });
  });

  it("a magic's name inside brackets: a UsageError that says where magics go", () => {
    const cell = "for (let i = 0; i < 3; i++) {\n  %lr_schedule StepLR --steps 3\n}";
    expect(() => splitCell(cell, known)).toThrow(MagicError);
    expect(() => splitCell(cell, known)).toThrow(/^line 2: %lr_schedule inside a block \(\{\.\.\.\}, \(\.\.\.\) or \[\.\.\.\] opened above it\): a line magic goes at the top level of its cell/);
    expect(() => splitCell("function f() {\n%time f()\n}", known)).toThrow(/^line 2: %time inside a block/);
  });

  it("another name inside brackets is the remainder operator: code", () => {
    const cell = "const r = (a\n  %b\n);\nconst s = [1,\n%c 2];";
    expect(splitCell(cell, known)).toEqual([{ kind: "code", code: cell, firstLine: 0 }]);
  });

  it("a %% line inside a template literal is text, not a misplaced cell magic", () => {
    const cell = "const help = `\n%%lr_trace goes first\n`;";
    expect(splitCell(cell, known)).toEqual([{ kind: "code", code: cell, firstLine: 0 }]);
    expect(() => splitCell("let x = 1;\n%%time\nx", known)).toThrow(/^line 2: %%time is a cell magic/);
  });
});

describe("through the kernel", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
  }, 60000);
  afterAll(async () => {
    await k?.shutdown();
  });

  it("a template literal with %-lines runs as written", async () => {
    const r = await k.execute("const fmt = `\n%d items\n%lr_schedule\n`;\nconsole.log(JSON.stringify(fmt))");
    expect(r.reply.content.status).toBe("ok");
    expect(r.stdout).toBe(`${JSON.stringify("\n%d items\n%lr_schedule\n")}\n`);
  }, 60000);

  it("a magic inside a loop: the UsageError, nothing of the cell run", async () => {
    const r = await k.execute("(globalThis as any).ran = 0;\nfor (let i = 0; i < 2; i++) {\n  %lr_schedule StepLR --steps 3\n}");
    expect(r.reply.content.status).toBe("error");
    expect(String(r.reply.content.evalue)).toMatch(/^line 3: %lr_schedule inside a block/);
    const after = await k.execute("console.log(String((globalThis as any).ran))");
    expect(after.stdout).toBe("undefined\n");
  }, 60000);

  it("a magic after a template literal still runs", async () => {
    const r = await k.execute("const note = `\n%not a magic\n`;\n%who");
    expect(r.reply.content.status).toBe("ok");
  }, 60000);
});
