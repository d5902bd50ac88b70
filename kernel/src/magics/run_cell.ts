/**
 * Code that may hold magics, run as a cell runs: code chunks by the engine, `%name` lines (and a
 * leading `%%name`) by their magics, every magic line checked before anything runs.
 *
 * The kernel runs a whole cell with it (kernel.ts runCell, `%name?` in its pager), and so does a
 * cell magic whose body is a cell of its own: `%%time` over `%lr_scale ...` timed the magic line
 * as TypeScript and failed on it; IPython runs the magic.
 */
import type { MagicContext } from "./types";
import { fullHelp } from "./types";
import { hasMagic, MagicError, parseArgs, splitCell, type ParsedArgs } from "./parser";
import { findMagic } from "./registry";
import { CodeLines } from "./code_lines";
import { CellError } from "../kernel/engine";

/** A magic written after code on its line (`model.eval(); %lr_find ...`): its code, its name. */
const MID_LINE_MAGIC = /^(.*?[^\s%])\s*(%{1,2})([A-Za-z_]\w*)(?=\s|$)/;

/**
 * Runs a code chunk; when it does not compile and one of its lines carries a magic after code
 * (`model.eval(); %lr_find model=model ...`), the error says that a magic goes on a line of its
 * own. TypeScript read the magic as code: a dozen errors ("Expression expected", "Cannot find
 * name 'lr_find'", ...) and hints to declare its keys as variables.
 */
async function runChunk(ctx: MagicContext, code: string): Promise<{ hasValue: boolean; value: unknown }> {
  try {
    return await ctx.runCode(code);
  } catch (e) {
    if (!(e instanceof CellError)) throw e;
    const lines = code.split("\n");
    for (const d of e.diagnostics) {
      if (d.file) continue; // a line of an imported module, not of this cell
      const m = MID_LINE_MAGIC.exec(lines[d.line - 1] ?? "");
      if (!m || /\/\/|\/\*|["'`]/.test(m[1])) continue;
      let magic;
      try { magic = findMagic(m[3], m[2] === "%%" ? "cell" : undefined); } catch { continue; }
      const written = `${magic.kind === "cell" ? "%%" : "%"}${magic.name}`;
      const where = magic.kind === "cell" ? "the first line of its cell, the code on the lines below it" : "a line of its own, the code before it on the line above";
      throw new MagicError(`line ${d.line}: ${written} after code on its line: a magic goes on ${where} (as in IPython), here: ${m[1].trim()}`, `${written} ${magic.usage}`);
    }
    throw e;
  }
}

/** Whether lrlab has a magic of this name (either kind). */
function isMagicName(name: string): boolean {
  try {
    findMagic(name);
    return true;
  } catch {
    return false;
  }
}

/** Cell magics that run their body as a cell (magics in it run): one may stand on its body's first line. */
const BODY_AS_CELL = new Set(["time"]);

/**
 * A `%%name` line inside a cell magic's body (`%%lr_trace ...` then `%%time`): the body is code, so
 * TypeScript read it ("Expression expected", "Cannot find name 'time'"). The error names the magic
 * and where it goes: `%%time` takes another cell magic under it, so it goes first; any other is
 * one cell magic to a cell.
 */
function cellMagicInBody(outer: string, body: string, firstLine: number): void {
  const lines = body.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  // a line magic in the body of a cell magic that does not run magics (%%lr_trace): TypeScript
  // read it as code, 8 errors and a hint to declare its keys (a hostile tester's pass)
  if (!BODY_AS_CELL.has(outer)) {
    const lexer = new CodeLines();
    lines.forEach((l, i) => {
      // text in a template literal or a comment, or the remainder operator inside brackets
      const at = lexer.start;
      lexer.feed(l);
      const m = at.quoted ? null : /^\s*%([A-Za-z_]\w*)/.exec(l);
      if (!m || (at.depth > 0 && !isMagicName(m[1]))) return;
      let usage: string | undefined;
      try {
        const magic = findMagic(m[1], "line");
        usage = `%${magic.name} ${magic.usage}`;
      } catch {
        // not a line magic lrlab has: said all the same
      }
      throw new MagicError(`line ${firstLine + i + 1}: %${m[1]} is a line magic, and the lines below %%${outer} are its code, where magics do not run: `
        + `put %${m[1]} in a cell of its own${[...BODY_AS_CELL].map((n) => ` (or run both under %%${n})`).join("")}`, usage);
    });
  }
  const lexer = new CodeLines();
  lines.forEach((l, i) => {
    const at = lexer.start;
    lexer.feed(l);
    const m = at.quoted ? null : /^\s*%%([A-Za-z_]\w*)/.exec(l);
    if (!m || (i === first && BODY_AS_CELL.has(outer))) return;
    const line = firstLine + i + 1;
    const fix = BODY_AS_CELL.has(m[1]) ? `put it before %%${outer}: %%${m[1]} on line 1, %%${outer} ... on line 2, then the code`
      : `a cell has one cell magic${[...BODY_AS_CELL].map((n) => ` (%%${n} can go before it)`).join("")}`;
    let usage: string | undefined;
    try {
      const magic = findMagic(m[1], "cell");
      usage = `%%${magic.name} ${magic.usage}`;
    } catch {
      // not a cell magic lrlab has: the message says where such a line would go all the same
    }
    throw new MagicError(`line ${line}: %%${m[1]} must be the cell's first line (it is a cell magic, and the lines below %%${outer} are its code): ${fix}`, usage);
  });
}

/**
 * Runs `code` (its lines numbered as in the cell: the caller keeps the blank lines in front) and
 * returns the value of its last piece: a code chunk's value, or what a magic set as its result.
 */
export async function runWithMagics(
  ctx: MagicContext,
  code: string,
  showHelp: (text: string) => void = ctx.print,
): Promise<{ hasValue: boolean; value: unknown }> {
  if (!hasMagic(code)) return runChunk(ctx, code);
  const parts = splitCell(code, isMagicName);
  const prepared = parts.map((part) => {
    if (part.kind === "code") return { part, args: undefined };
    const m = findMagic(part.name, part.kind);
    if (part.help) return { part, args: undefined };
    if (part.kind === "cell") cellMagicInBody(m.name, part.body, part.firstLine);
    const usage = `${part.kind === "cell" ? "%%" : "%"}${m.name} ${m.usage}`;
    const args: ParsedArgs = m.raw ? { positional: [part.args], flags: {}, kv: [], raw: {} } : parseArgs(part.args, m.options, usage);
    return { part, args };
  });
  // every line's check against the variables, still before anything runs (types.ts checkScope)
  const user = (): [string, unknown][] => ctx.engine.userNames().map((n) => [n, ctx.engine.value(n)]);
  for (const { part, args } of prepared) {
    if (part.kind === "code" || args === undefined) continue;
    const m = findMagic(part.name, part.kind);
    m.checkScope?.(args, `${part.kind === "cell" ? "%%" : "%"}${m.name} ${m.usage}`, user);
  }
  let result: { hasValue: boolean; value: unknown } = { hasValue: false, value: undefined };
  const inner: MagicContext = { ...ctx, setResult: (value) => { result = { hasValue: true, value }; } };
  for (let i = 0; i < prepared.length; i++) {
    const { part, args } = prepared[i];
    result = { hasValue: false, value: undefined };
    if (part.kind === "code") {
      result = await runChunk(ctx, "\n".repeat(part.firstLine) + part.code);
      continue;
    }
    const m = findMagic(part.name, part.kind);
    if (part.help) { showHelp(fullHelp(m)); continue; }
    if (part.kind === "cell") { await m.run(inner, args!, "\n".repeat(part.firstLine) + part.body); continue; }
    // consecutive lines of a grouping magic (%lr_schedule) make one plot, as in a cell
    const group = [args!];
    while (m.groupLines && i + 1 < prepared.length) {
      const next = prepared[i + 1].part;
      if (next.kind !== "line" || next.name !== part.name || next.help) break;
      group.push(prepared[++i].args!);
    }
    await m.run(inner, args!, undefined, group);
  }
  return result;
}
