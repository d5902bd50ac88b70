/**
 * The TypeScript engine: tslab's converter (type-check, transpile, declarations carried from cell
 * to cell, completion, quick info) from the `tslab` npm package, and our own executor around it.
 * The converter is tslab's own code on tslab's TypeScript, loaded by engine_tslab.ts without
 * work whose results tslab never uses (about half of a new cell's cost; see there).
 *
 * Why our own executor: tslab prints the last expression with console.log, reports errors as
 * text on stderr and forgets a cell's declarations when it throws. Here `run` returns the last
 * expression's value, throws structured errors (CellError for the checker's diagnostics, the
 * user's own exception otherwise) and keeps what a failed cell declared, as IPython does.
 *
 * How a cell runs: the converter turns it into CommonJS whose top-level names are properties of
 * one shared `exports` object (that is how variables survive between cells); we wrap it in a
 * function and run it with `vm.runInThisContext(..., { breakOnSigint: true })` so that SIGINT
 * stops even a synchronous loop (the kernel keeps Node's SIGINT watchdog started between runs:
 * sigint.ts). Cells with top-level await become an async function; the kernel awaits it, racing
 * an interrupt promise.
 */
import * as fs from "node:fs";
import * as vm from "node:vm";
import * as path from "node:path";
import Module from "node:module";
import { Prelude } from "./prelude_source";
import { MODULE_PREFIX } from "./dts_bundle";
import { aliasTypes, calleeAt, declaredOverloads, dottedNameAt, moduleDoc, optionKeys, signatureNotes, withoutImportPaths } from "./module_docs";
import { hasTopLevelAwait, withoutExportKeywords } from "./cell_source";
import { unfinishedCell } from "./cell_end";
import { alignLines } from "./line_map";
import { accessorSource, sourceOf, type Source } from "./source_of";
import { guardAwaits, inRun, installGuard, RunToken } from "./await_guard";
import { beforeBreakOnSigint, noteRunInterrupted, settleSigints, takePendingSigint } from "./sigint";
import { armHeapGuard, MemoryError, takeHeapLimitHit } from "./heap_limit";
import { controlSigints, markUserCode } from "./interrupt_share";
import { createConverter, tslabTypeScript } from "./engine_tslab";
import { saveTypeScriptCodeCache } from "./tslab_typescript";
import { moduleFor } from "./patched_module";
import { LateModules } from "./late_modules";
import { hintFor, literalPosition, missingOption, overloadChains, tidyMessage, unknownOption, withoutEchoes } from "./ts_hints";
import { tensorIndexErrors, TENSOR_INDEX_HINT } from "./tensor_index";
import { tensorConditionErrors } from "./tensor_condition";
import { tensorEqualityErrors } from "./tensor_equality";
import { withKeywordHints } from "./keyword_hint";
import { isAssigned, markUnassigned, withoutResets } from "./unassigned";
import { withHoistedFunctions } from "./live_bindings";
import { reset_grad_scopes } from "../tensor/grad_mode";
import { reset_suspend } from "../trace/suspend";
import { run_interrupted_cleanups } from "../interrupt_cleanup";
import { underCompilerBudget, WARM_COMPILE_BUDGET } from "./compiler_tiering";

// tslab ships no types for its deep entry points in our module resolution; these are the parts used.
interface Diagnostic { start: { offset: number; line: number; character: number }; end?: { offset: number; line: number; character: number }; messageText: string; code: number; fileName?: string; category: number }
interface ConvertResult { output?: string; declOutput?: string; diagnostics: Diagnostic[]; lastExpressionVar?: string; hasToplevelAwait?: boolean; sideOutputs?: { path: string; data: string }[] }
interface SymbolDisplayPart { text: string; kind: string }
interface QuickInfo { displayParts?: SymbolDisplayPart[]; documentation?: SymbolDisplayPart[]; tags?: { name: string; text?: SymbolDisplayPart[] }[]; textSpan?: { start: number; length: number } }
interface Converter {
  convert(prevDecl: string, src: string): ConvertResult;
  inspect(prevDecl: string, src: string, position: number): QuickInfo | undefined;
  complete(prevDecl: string, src: string, position: number): { start: number; end: number; candidates: string[]; original?: { isMemberCompletion?: boolean; entries?: { name: string; kind: string }[] } };
  close(): void;
}

const partsText = (parts?: SymbolDisplayPart[]): string => (parts ?? []).map((p) => p.text).join("");

/**
 * Quick info's signature as a user reads it: without TypeScript's alias markup (the library's
 * names are re-exports, so `torch.optim.Adam` read "(alias) class Adam" and a second line
 * "export Adam"), and a namespace import (`torch`, `lrlab`: "import torch") as a module.
 */
function signatureText(parts: SymbolDisplayPart[] | undefined, name: string | null): string {
  // (a module of lrlab's declaration bundle, dts_bundle.ts, reads `(alias) module "lrlab-kernel:nn/index"`
  // above the import: a per-file declaration's module has no such line)
  const text = partsText(parts).replace(new RegExp(`^\\(alias\\) module "${MODULE_PREFIX}[^"\\n]*"\\n(?=import [\\w$]+$)`), "");
  if (/^import [\w$]+$/.test(text)) return `module ${name ?? text.slice(7)}`;
  return withoutImportPaths(text.replace(/^\(alias\) /, "").replace(/\n(export|import) [\w$.]+$/, ""));
}

/**
 * Names Node declares for a CommonJS module's scope that a cell does not have: `module`,
 * `__dirname`, `__filename` throw "is not defined" there, and `exports` is the kernel's own object
 * holding the cells' names. Completion offered them at the start of every cell.
 */
const NOT_IN_CELLS = new Set(["module", "exports", "__dirname", "__filename"]);
/** Promise.prototype.then as the kernel started: a cell may replace it (builtins_guard.ts). */
const promiseThen = Promise.prototype.then;

/**
 * A completion's TypeScript kind (ScriptElementKind) as the type JupyterLab's completer shows an
 * icon for (`_jupyter_types_experimental`, as ipykernel sends with jedi's types).
 */
function jupyterType(kind: string | undefined): string {
  switch (kind) {
    case "function": case "local function": case "method": case "construct": case "call": return "function";
    case "class": case "local class": case "interface": case "type": case "enum": case "type parameter": return "class";
    case "module": case "external module name": return "module";
    case "keyword": case "primitive type": return "keyword";
    case "property": case "getter": case "setter": case "accessor": case "enum member": return "property";
    case "parameter": return "param";
    case "var": case "let": case "const": case "local var": case "using": return "instance";
    default: return kind || "<unknown>";
  }
}

/** A cell the type checker rejected: every diagnostic with its 1-based line and column. */
export class CellError extends Error {
  /** `hint`: what to write instead, for errors PyTorch habits cause (ts_hints.ts). */
  /**
   * `file`: set for an error in a local module the cell imports (its name as TypeScript gives it,
   * `line`/`column` then in that file), with `text` its source line; otherwise the cell's own.
   */
  /** `details`: the lines of an overload error's message chain, under its first (ts_hints.ts overloadChains). */
  constructor(readonly diagnostics: { line: number; column: number; message: string; code: number; hint?: string; file?: string; text?: string; details?: string[] }[]) {
    super(diagnostics.map((d) => `${d.file ? `${d.file}:` : ""}${d.line}:${d.column} - ${d.message}`).join("\n"));
    this.name = "TSError";
  }
}

/** Offset `offset` of `src` as a 0-based line and character. */
function positionIn(src: string, offset: number): { line: number; character: number } {
  const before = src.slice(0, offset).split("\n");
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** Raised in place of vm's "Script execution interrupted." so that the kernel can name it. */
export class KeyboardInterrupt extends Error {
  constructor() { super("execution interrupted"); this.name = "KeyboardInterrupt"; }
}

export interface RunResult {
  /** Whether the cell ended with an expression statement (its value may be undefined). */
  hasValue: boolean;
  value: unknown;
}

let cellCounter = 0;

function newConverter(typeRoot: string | undefined): Converter {
  return createConverter({ isJS: false, isBrowser: false }, typeRoot);
}

/**
 * tslab's converter drives TypeScript's watch program with a single fake timer. When a file or
 * folder it watches changes under it (a rebuilt dist/, `npm install` in node_modules), TypeScript
 * may schedule a second timer and the converter stays broken from then on ("Unexpected pending
 * rebuildTimer"). Those errors are recognised here so the engine can start a fresh converter;
 * the declarations of earlier cells live in the engine, so nothing is lost.
 */
function isConverterStateError(e: unknown): boolean {
  return e instanceof Error && /Unexpected pending rebuildTimer|clearing unexpected tiemr|rebuildTimer is not set properly|builder is not created/.test(e.message);
}

/** What warm() type-checks: the shapes of a first notebook (arrays, a function, a class, a model, an optimizer, a traced step). */
export const WARM_CELL = [
  "const xs = [1, 2, 3].map((x) => x * 2);",
  "function total(values: number[]): number { let s = 0; for (const v of values) s += v; return s; }",
  "class Point { constructor(public x: number, public y = 0) {} norm() { return Math.hypot(this.x, this.y); } }",
  "const point = new Point(total(xs));",
  "const model = new torch.nn.Linear(2, 1);",
  "const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });",
  "const trace = lrlab.trace(optimizer, { batch_size: 4 });",
  "const loss = model.forward(torch.randn(4, 2)).sum();",
  "loss.backward();",
  "optimizer.step();",
  "console.log(xs.length, loss.item(), trace.latest().lr_projected);",
  "trace",
].join("\n");

/**
 * Makes V8 store each string as one piece. TypeScript's printer builds its output by appending
 * tokens, and V8 keeps such a string as a tree of the pieces (~32 bytes each) until something
 * reads it by index; a cell's declarations (the previous cells' too) are kept as prevDecl and in
 * the convert cache, so after a few hundred cells those trees held tens of MB (a heap snapshot
 * after 300 cells: 1.5 million of them, 48 MB). `charCodeAt` flattens the string in place
 * (measured on Node 20: a 0.59 M-character declaration text 2.12 -> 0.59 MB).
 */
function flatten(...texts: (string | undefined)[]): void {
  for (const t of texts) if (t) t.charCodeAt(0);
}

export class Engine {
  /** Built on first use (or by warm()): TypeScript's compiler takes 1-3 s to load. */
  private _converter: Converter | null = null;
  private readonly lateModules = new LateModules();
  private prevDecl: string;
  /** The cells' shared top-level scope. */
  readonly locals: Record<string, unknown> = {};
  private readonly req: NodeJS.Require;
  private readonly sideOutputs = new Map<string, string>();
  private readonly sideModules = new Map<string, Module>();
  /** The awaiting run (a cell with top-level await, a magic's loop), while there is one. */
  private current: { interrupt(): void; terminated(): void } | null = null;
  /** The JS of the last compiled cell, by its vm filename: for mapping error lines back. */
  private readonly sources = new Map<string, { js: string; ts: string; lines?: number[]; label?: string }>();
  /** The vm filename of the latest cell run. */
  private latestFile: string | null = null;
  /**
   * How error frames name the cells run from now on (the kernel's `In [3]`, set per execute
   * request; unset: unnamed): a frame in a function an earlier cell defined reads `In [3] line 6`,
   * not `cell line 6`, which named no cell (errors.ts).
   */
  cellLabel: string | undefined = undefined;
  /**
   * Called as a cell's code returns (or throws), before the engine settles anything: the kernel
   * puts back Promise's members there (builtins_guard.ts `restorePromises`), which its own
   * settling of the run goes through.
   */
  afterCode: () => void = () => {};
  private readonly global: { exports: Record<string, unknown>; require: NodeJS.Require };

  constructor(private readonly prelude: Prelude, rootDir = process.cwd(), private readonly log: (s: string) => void = () => {}) {
    this.req = this.wrapRequire(Module.createRequire(path.join(rootDir, "__lrlab_cell__.js")), rootDir);
    this.prevDecl = prelude.declarations;
    this.global = { exports: this.locals, require: this.req };
    (globalThis as any).__lrlab__ = this.global;
    installGuard(() => new KeyboardInterrupt());
  }

  private preludeLoaded = false;

  /**
   * Puts the prelude's values (torch, lrlab, display, ...) into the cells' scope, once. Not in
   * the constructor: the kernel builds its engine before it answers kernel_info, and loading the
   * library then was ~100 ms of every start (more on a loaded machine); the kernel's warm-up
   * calls this after the reply, and any run calls it first.
   */
  loadPrelude(): void {
    if (this.preludeLoaded) return;
    this.preludeLoaded = true;
    for (const [k, v] of Object.entries(this.prelude.values())) if (!Object.hasOwn(this.locals, k)) this.locals[k] = v;
  }

  /** Forget every user declaration and value; the prelude comes back. */
  reset(): void {
    for (const k of Object.keys(this.locals)) delete this.locals[k];
    Object.assign(this.locals, this.prelude.values());
    this.preludeLoaded = true;
    this.prevDecl = this.prelude.declarations;
  }

  /** Names the user defined (not the prelude's) that hold a value (not one a failed cell left unassigned). */
  userNames(): string[] {
    const pre = new Set(Object.keys(this.prelude.values()));
    return Object.keys(this.locals).filter((k) => !pre.has(k) && !/^tsLastExpr\d*$/.test(k) && isAssigned(this.locals, k));
  }

  /** The value of the cells' name `name`: undefined when there is none or it is unassigned (unassigned.ts). */
  value(name: string): unknown {
    return isAssigned(this.locals, name) ? this.locals[name] : undefined;
  }

  /** Type-check and transpile; throws CellError with the checker's diagnostics. */
  compile(src: string): ConvertResult {
    const r = this.convertCached(src);
    if (r.sideOutputs) for (const o of r.sideOutputs) { this.sideModules.delete(o.path); this.sideOutputs.set(o.path, o.data); }
    if (r.diagnostics.length > 0) {
      const lines = src.split("\n");
      // an overload error's chain is one error (ts_hints.ts overloadChains), shown under its head
      throw new CellError(overloadChains(withoutEchoes(r.diagnostics)).map(({ head: d, details }) => {
        const message = tidyMessage(d.messageText);
        const chain = details.map((c) => ({ code: c.code, message: tidyMessage(c.messageText) }));
        const more = chain.length > 0 ? { details: chain.map((c) => c.message) } : {};
        // an error in a local module the cell imports: its position is in that file, whose line is shown
        if (d.fileName) return { line: d.start.line + 1, column: d.start.character + 1, message, code: d.code, ...more, file: d.fileName, ...this.lineOf(d.fileName, d.start.line) };
        // a misspelt key of an options object: one line naming it, at the key (ts_hints.ts unknownOption)
        const option = d.code === 2769 && d.end ? unknownOption(tslabTypeScript(), src, d.start.offset, d.end.offset, chain, optionKeys) : null;
        if (option !== null) {
          const at = positionIn(src, option.offset);
          const hint = chain.map((c) => hintFor(c.code, c.message, (lines[at.line] ?? "").slice(at.character), src.slice(0, option.offset))).find((h) => h !== null) ?? null;
          return { line: at.line + 1, column: at.character + 1, message: option.message, code: option.code, ...(hint ? { hint } : {}) };
        }
        // a scheduler's required option left out: one line, the constructor's own, at the options (ts_hints.ts missingOption)
        const needs = d.end ? missingOption(tslabTypeScript(), src, d.start.offset, d.end.offset, { code: d.code, message }, chain) : null;
        if (needs !== null) {
          const at = positionIn(src, needs.offset);
          return { line: at.line + 1, column: at.character + 1, message: needs.message, code: needs.code };
        }
        // a string literal the error names, where the error's span is the whole call (ts_hints.ts literalPosition)
        const moved = d.end ? literalPosition(tslabTypeScript(), src, d.start.offset, d.end.offset, [message, ...chain.map((c) => c.message)]) : null;
        // an error past the cell's end (an unfinished cell): at the end of its last line (cell_end.ts)
        const unfinished = moved === null ? unfinishedCell(tslabTypeScript(), src, d.start.offset) : null;
        const start = unfinished ? positionIn(src, unfinished.offset) : moved === null ? d.start : positionIn(src, moved);
        const said = unfinished ? `${message.replace(/\.$/, "")}: ${unfinished.note}.` : message;
        const where = { line: start.line + 1, column: start.character + 1, message: said, code: d.code, ...more };
        // the text before the position too: whether `x=` sits in a call's arguments (ts_hints.ts)
        const before = [...lines.slice(0, start.line), (lines[start.line] ?? "").slice(0, start.character)].join("\n");
        const at = (lines[start.line] ?? "").slice(start.character);
        // the error's own text (the callee of a call that is not callable: ts_hints.ts)
        const span = moved === null && !unfinished && d.end ? src.slice(d.start.offset, d.end.offset) : undefined;
        const hint = (d as { hint?: string }).hint ?? (d.code === 0 ? TENSOR_INDEX_HINT : null)
          ?? hintFor(d.code, message, at, before, span) ?? chain.map((c) => hintFor(c.code, c.message, at, before, span)).find((h) => h !== null) ?? null;
        return { ...where, ...(hint ? { hint } : {}) };
      }));
    }
    return r;
  }

  /**
   * Line `line` (zero-based) of a local module, for an error's traceback; nothing when unreadable.
   * tslab names the module relative to the process's working directory.
   */
  private lineOf(fileName: string, line: number): { text?: string } {
    try {
      const text = fs.readFileSync(path.resolve(fileName), "utf8").split("\n")[line];
      return text === undefined ? {} : { text: text.replace(/\r$/, "") };
    } catch {
      return {};
    }
  }

  /**
   * Runs one cell. Synchronous cells run to the end inside this call (so output they display goes
   * out while they run); the returned promise only matters for top-level await. `shown`: the text
   * errors quote for its lines, when not `src` itself (a magic's wrapper around the user's code).
   */
  run(src: string, shown?: string): Promise<RunResult> | RunResult {
    this.loadPrelude();
    let r: ConvertResult;
    try {
      r = this.compile(src);
    } catch (e) {
      // the type check ended early by an interrupt (decl_diagnostics.ts): nothing ran
      if (e instanceof tslabTypeScript().OperationCanceledException && takePendingSigint()) throw new KeyboardInterrupt();
      throw e;
    }
    if (!r.output) { this.prevDecl = r.declOutput ?? this.prevDecl; return { hasValue: false, value: undefined }; }
    const filename = `<cell ${++cellCounter}>`;
    const head = r.hasToplevelAwait ? "(async function (exports, require) {" : "(function (exports, require) {";
    // The wrapper's head sits on its own line: line L of a stack is line L-1 of the transpiled code.
    // The names the cell declares stay unassigned (an error on read) until it assigns them (unassigned.ts).
    const { js: reset, names: declared } = withoutResets(r.output);
    // the cell's functions are in the shared scope from its start, as they are hoisted (live_bindings.ts)
    const js = withHoistedFunctions(reset, declared);
    const wrapped = `${head}\n${js}\n})(__lrlab__.exports, __lrlab__.require)`;
    // what errors quote as its lines: `shown` when a magic compiled its own wrapper around the
    // user's text (the same lines, the wrapper's text blanked: timeit.ts)
    this.sources.set(filename, { js, ts: shown ?? src, ...(this.cellLabel !== undefined ? { label: this.cellLabel } : {}) });
    this.latestFile = filename;
    if (this.sources.size > 50) this.sources.delete(this.sources.keys().next().value!);
    // Declarations are kept even when the cell throws: what ran before the error is defined.
    const done = (): RunResult => {
      this.prevDecl = r.declOutput ?? this.prevDecl;
      const name = r.lastExpressionVar;
      if (!name) return { hasValue: false, value: undefined };
      const value = this.locals[name];
      delete this.locals[name];
      return { hasValue: true, value };
    };
    // An interrupt while the cell was being compiled (the first cell: seconds, while TypeScript
    // loads) found no script to stop; it is in the watchdog's record (sigint.ts). Nothing ran.
    if (takePendingSigint()) throw new KeyboardInterrupt();
    markUnassigned(this.locals, declared);
    const token = new RunToken();
    if (r.hasToplevelAwait) {
      return this.runAwaiting(wrapped, filename, token, done, () => { this.prevDecl = r.declOutput ?? this.prevDecl; },
        (m) => m.cleared(this.locals, declared));
    }
    const user = markUserCode(true);
    const armed = armHeapGuard(true);
    try {
      beforeBreakOnSigint();
      try {
        inRun(token, () => vm.runInThisContext(wrapped, { filename, breakOnSigint: true }));
      } finally {
        this.afterCode();
      }
    } catch (e) {
      armHeapGuard(armed);
      this.prevDecl = r.declOutput ?? this.prevDecl;
      const t = this.translate(e);
      // what the cell started and left running (a promise, a timer) stops at its next await
      if (t instanceof KeyboardInterrupt || t instanceof MemoryError) token.end();
      if (t instanceof MemoryError) t.cleared(this.locals, declared);
      throw t;
    } finally {
      armHeapGuard(armed);
      markUserCode(user);
    }
    this.heapStopAfterEnd();
    return done();
  }

  /**
   * Runs a cell with top-level await. It ends when its promise settles: an interrupt makes its
   * awaits throw KeyboardInterrupt (await_guard.ts), so it ends once its code has unwound, its
   * `finally` blocks and their output included. Code of it that the control thread had to
   * terminate (stuck_code.ts: it held the main thread after an await) leaves its promise
   * pending: `terminated()` ends the run then.
   *
   * It starts in a turn of the event loop of its own, after the caller's code has returned.
   * Terminated code makes V8 drop the microtasks queued behind it. Started from the caller's
   * turn, those included the kernel's own (an async function returning this promise queues a
   * job that attaches its handler): the cell was stopped but its request never ended. Started
   * here, what is queued behind its code is its own: attaching handlers (`then`) queues nothing.
   */
  private runAwaiting(wrapped: string, filename: string, token: RunToken, done: () => RunResult, keepDecls: () => void,
    onMemoryError: (e: MemoryError) => void): Promise<RunResult> {
    let started = false;
    return this.awaitRun(token, (run) => {
      setImmediate(() => {
        if (run.settled) return; // interrupted before it started
        started = true;
        let ret: unknown;
        const armed = armHeapGuard(true);
        try {
          beforeBreakOnSigint();
          try {
            ret = inRun(token, () => vm.runInThisContext(wrapped, { filename, breakOnSigint: true }));
          } finally {
            this.afterCode();
          }
        } catch (e) {
          armHeapGuard(armed);
          run.end(e, undefined, true);
          return;
        } finally {
          armHeapGuard(armed);
        }
        this.heapStopAfterEnd();
        // the native `then`: the cell's code may go on to replace Promise.prototype.then after an await
        promiseThen.call(ret as Promise<unknown>,
          () => { if (!run.settled) { let v: RunResult; try { v = done(); } catch (e) { run.end(e, undefined, true); return; } run.end(undefined, v); } },
          // what the cell threw, `undefined` too (`await Promise.reject(undefined)`, as `throw undefined`)
          (e) => run.end(e, undefined, true),
        );
      });
    }, () => !started, keepDecls, onMemoryError);
  }

  /**
   * Awaits `work`, a magic's loop over the user's asynchronous code (%timeit of a statement that
   * awaits), so that an interrupt stops it as it stops an awaiting cell (the user's code runs in
   * a run token of its own). Before, such a loop ran to its end.
   */
  interruptible<T>(work: () => Promise<T>): Promise<T> {
    const token = new RunToken();
    return this.awaitRun<T>(token, (run) => {
      let p: Promise<T>;
      try { p = inRun(token, work); } catch (e) { run.end(e, undefined, true); return; }
      p.then((v) => run.end(undefined, v), (e) => run.end(e, undefined, true));
    }, () => false);
  }

  /**
   * What runAwaiting and interruptible share: the run is the engine's current one until it
   * settles (interrupt() and terminated() reach it), SIGINTs recorded meanwhile interrupt it
   * (polled: no listener hears them), the user's code is marked as running (stuck_code.ts), and
   * a run ended by an interrupt ends its token (what it left running stops at its awaits).
   * `notStarted()`: an interrupt ends the run at once, nothing of it having run.
   */
  private awaitRun<T>(token: RunToken, start: (run: { settled: boolean; end: (e: unknown, value?: T, failed?: boolean) => void }) => void,
    notStarted: () => boolean, keepDecls: () => void = () => {}, onMemoryError: (e: MemoryError) => void = () => {}): Promise<T> {
    const prev = this.current;
    return new Promise<T>((resolve, reject) => {
      const user = markUserCode(true);
      // A SIGINT recorded while the run awaits: one sent to the process (kill -INT) interrupts
      // it; one the control thread raised for an interrupt_request does not, its "interrupt"
      // message does (counted twice, an interrupt was two KeyboardInterrupts: the second one
      // stopped the first one's finally block).
      let sent = controlSigints();
      const poll = setInterval(() => {
        if (!takePendingSigint()) return;
        const now = controlSigints();
        if (now !== sent) sent = now; else this.interrupt();
      }, 50).unref();
      const run = {
        settled: false,
        // `failed`: whether `e` was thrown, also when it is undefined
        end: (e: unknown, value?: T, failed = e !== undefined) => {
          if (run.settled) return;
          run.settled = true;
          markUserCode(user);
          clearInterval(poll);
          this.current = prev;
          if (!failed) { resolve(value as T); return; }
          keepDecls();
          let t: unknown;
          try { t = this.translate(e); } catch (err) { t = err; }
          if (t instanceof KeyboardInterrupt || t instanceof MemoryError) token.end();
          if (t instanceof MemoryError) onMemoryError(t);
          reject(t);
        },
      };
      this.current = {
        interrupt: () => { if (notStarted()) run.end(new KeyboardInterrupt()); else token.interrupt(); },
        terminated: () => run.end(new KeyboardInterrupt()),
      };
      start(run);
    });
  }

  /**
   * Interrupts the awaiting run (a cell, a magic's loop): its awaits throw KeyboardInterrupt.
   * A synchronous cell is stopped by SIGINT through breakOnSigint instead.
   */
  interrupt(): boolean {
    if (!this.current) return false;
    this.current.interrupt();
    return true;
  }

  /**
   * The control thread terminated code of the awaiting run (stuck_code.ts): it ends now. Code
   * that ran outside any run (a timer's) and was stopped because it filled the heap: returns
   * the MemoryError to report (heap_limit.ts).
   */
  terminated(): MemoryError | null {
    if (this.current) { this.current.terminated(); return null; }
    const limit = takeHeapLimitHit();
    return limit > 0 ? new MemoryError(limit) : null;
  }

  private translate(e: unknown): unknown {
    const terminated = !(e instanceof KeyboardInterrupt)
      && e instanceof Error && ((e as any).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED" || /^Script execution (was )?interrupted/.test(e.message));
    if (terminated) noteRunInterrupted();
    if (!terminated && !(e instanceof KeyboardInterrupt)) return e;
    // stopped at the heap's limit (heap_limit.ts), not by an interrupt
    const heapLimit = takeHeapLimitHit();
    // The interrupt unwound the cell without running its `finally` blocks: scoped library modes
    // (no_grad inside optimizer.step(), tracing paused by a preview) go back to top level, and
    // what the library registered to put back (a range test's model) is put back.
    reset_grad_scopes();
    reset_suspend();
    for (const err of run_interrupted_cleanups()) this.log(`clean-up after an interrupt failed: ${err instanceof Error ? err.message : String(err)}`);
    if (heapLimit > 0) return new MemoryError(heapLimit);
    return e instanceof KeyboardInterrupt ? e : new KeyboardInterrupt();
  }

  /**
   * A script that reached the heap's limit just as it ended: the SIGINT raised to stop it found
   * no script and stays in the watchdog's record, where it would stop the next cell. Taken here.
   */
  private heapStopAfterEnd(): void {
    if (takeHeapLimitHit() > 0) settleSigints(1);
  }

  /**
   * Runs `fn` (library code a magic calls: %lr_find's training steps) so that an interrupt stops
   * it as it stops a cell: from inside a script run with breakOnSigint. Throws KeyboardInterrupt
   * then, after the clean-ups above.
   */
  runInterruptible<T>(fn: () => T): T {
    this.loadPrelude();
    const g = globalThis as { __lrlab_call__?: () => T };
    const prev = g.__lrlab_call__;
    g.__lrlab_call__ = fn;
    try {
      if (takePendingSigint()) throw new KeyboardInterrupt(); // as in run(): an interrupt before it started
      beforeBreakOnSigint();
      const user = markUserCode(true);
      const armed = armHeapGuard(true);
      let out: T;
      try {
        out = vm.runInThisContext("__lrlab_call__()", { filename: "<magic>", breakOnSigint: true }) as T;
      } finally {
        armHeapGuard(armed);
        markUserCode(user);
      }
      this.heapStopAfterEnd();
      return out;
    } catch (e) {
      throw this.translate(e);
    } finally {
      g.__lrlab_call__ = prev;
    }
  }

  /** Maps a line of a cell's transpiled JS (1-based) to the user's TypeScript line (line_map.ts). */
  userLine(filename: string, jsLine: number): { line: number; text: string; cell: string | null } | null {
    const s = this.sources.get(filename);
    if (!s) return null;
    s.lines ??= alignLines(s.js, s.ts);
    const t = s.lines[jsLine - 1];
    if (t === undefined || t < 0) return null;
    return { line: t + 1, text: s.ts.split("\n")[t], cell: this.cellName(filename, s.label) };
  }

  /**
   * How an error names the cell of vm file `filename`: null for the cell running now (its label
   * is the current one, or, unlabelled, it is the latest file), else its label (`In [3]`), or
   * "an earlier cell" when it has none.
   */
  private cellName(filename: string, label: string | undefined): string | null {
    if (label !== undefined ? label === this.cellLabel : filename === this.latestFile) return null;
    return label ?? "an earlier cell,";
  }

  /**
   * Completion candidates at `position`. Names starting with "_" (the library's internals,
   * `_repr_mimebundle_`, ...) are offered only once "_" is typed, as IPython does by default, or
   * when nothing else matches. Node's module-scope names that a cell does not have are never
   * offered (see NOT_IN_CELLS).
   */
  complete(src: string, position: number): { start: number; end: number; candidates: string[]; types: string[] } {
    const r = this.withConverter((c) => c.complete(this.prevDecl, src, position));
    const kinds = new Map((r.original?.entries ?? []).map((e) => [e.name, e.kind]));
    let candidates = r.candidates;
    if (!r.original?.isMemberCompletion) candidates = candidates.filter((c) => !NOT_IN_CELLS.has(c) || Object.hasOwn(this.locals, c));
    if (!src.slice(r.start, position).startsWith("_")) {
      const visible = candidates.filter((c: string) => !c.startsWith("_"));
      if (visible.length > 0) candidates = visible;
    }
    // re-exports, and variables that may hold a function (torch's aliases, `export const clip = clamp`)
    const aliases = aliasTypes(src, r.start, candidates.filter((c) => ["alias", "const", "var", "let"].includes(kinds.get(c) ?? "")));
    return { start: r.start, end: r.end, candidates, types: candidates.map((c) => aliases.get(c) ?? jupyterType(kinds.get(c))) };
  }

  /** TypeScript's quick info at a position; undefined for nothing, or a name that resolves to nothing. */
  /** At a name after `new`, the class's own doc comment (null: not after `new`, or none). */
  private classDocAfterNew(src: string, at: number): string | null {
    let a = at;
    while (a > 0 && /[\w$.]/.test(src[a - 1])) a--;
    const m = /\bnew(\s+)$/.exec(src.slice(0, a));
    if (!m) return null;
    const blanked = src.slice(0, m.index) + " ".repeat(3 + m[1].length) + src.slice(a);
    const doc = partsText(this.quickInfo(blanked, at)?.documentation);
    return doc || null;
  }

  private quickInfo(src: string, position: number): QuickInfo | undefined {
    let info: QuickInfo | undefined;
    try {
      info = this.withConverter((c) => c.inspect(this.prevDecl, src, position));
    } catch {
      return undefined;
    }
    // A name that resolves to nothing: TypeScript answers kind "" (unknown) and the text "any";
    // the reply said found, with "any" as its docs.
    if (info && (info as { kind?: string }).kind === "" && partsText(info.displayParts) === "any") return undefined;
    return info;
  }

  /**
   * The source of the value a dotted name (`f`, `torch.optim.SGD`) has now, for `name??` and
   * inspection at detail level 1 (source_of.ts); null when it is not a name, has no value, or
   * the value has no source to show. Reading the name runs its getters, as IPython's `??` does,
   * but for the last: a property a getter defines shows that getter (source_of.ts accessorSource).
   * Compiled source gets the overload signatures its .d.ts declares (declaredOverloads).
   */
  sourceOf(name: string): Source | null {
    if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(name)) return null;
    const [first, ...rest] = name.split(".");
    const cells = [...this.sources.values()], ts = tslabTypeScript();
    let value: unknown;
    try {
      value = Object.hasOwn(this.locals, first) ? this.value(first) : (globalThis as Record<string, unknown>)[first];
      for (const [i, key] of rest.entries()) {
        if (i === rest.length - 1) {
          const getter = accessorSource(value, key, cells, ts);
          if (getter) return getter;
        }
        value = value == null ? undefined : (value as Record<string, unknown>)[key];
      }
    } catch {
      return null;
    }
    if (value === undefined) return null;
    const source = sourceOf(value, cells, ts);
    if (source?.from === "compiled" && typeof value === "function") {
      // quick info builds the program declaredOverloads reads (the name as a cell of its own)
      const overloads = this.quickInfo(name, name.length) ? declaredOverloads(name, name.length) : null;
      if (overloads) source.overloads = overloads;
    }
    return source;
  }

  /**
   * Shift-Tab's text at a position, or null: the signature (for a class, how to construct it; an
   * options object's keys with their types), then the doc comment (or the declaring file's
   * header: module_docs.ts) and its tags. On a name, that name's; just after one, that one's;
   * elsewhere in a call's parentheses, the called function's (as ipykernel does).
   */
  inspect(src: string, position: number): string | null {
    let at = position;
    let info = this.quickInfo(src, at);
    if (!info && at > 0) info = this.quickInfo(src, --at);
    if (!info) {
      const callee = calleeAt(src, position);
      if (callee !== null) info = this.quickInfo(src, (at = callee));
    }
    if (!info) return null;
    const name = dottedNameAt(src, at);
    const out = [signatureText(info.displayParts, name), ...signatureNotes(src, at)];
    let doc = partsText(info.documentation);
    // `new X(`: TypeScript gives the construct signature's comment, none when the constructor has
    // none of its own; the class's own comment is X's (asked with `new` blanked: same positions).
    if (!doc) doc = this.classDocAfterNew(src, at) ?? "";
    // No comment on the declaration itself: the declaring file's header (see module_docs.ts).
    if (!doc) doc = (name && moduleDoc(name)) || "";
    if (doc) out.push("", doc);
    const tags = (info.tags ?? []).map((tag) => `@${tag.name} ${partsText(tag.text)}`.trimEnd());
    if (tags.length > 0) out.push(...(doc ? [] : [""]), ...tags);
    return out.join("\n");
  }

  /**
   * Type-checking is most of a cell's cost (about 8 ms for ten lines: a new program and
   * checker, the check and the emit; tslab's ES-to-CommonJS pass is spliced without a compiler
   * for the usual shape of cell, engine_tslab.ts). Its result depends only on
   * the declarations before the cell and the cell's text, so re-running a cell unchanged (the
   * usual notebook loop, %timeit) reuses it. Cells that import or require other files are never
   * cached: those files may change between runs.
   */
  private readonly convertCache = new Map<string, ConvertResult>();
  private static readonly CONVERT_CACHE_SIZE = 128;

  private convertCached(src: string): ConvertResult {
    const cacheable = !/\bimport\b|\brequire\s*\(/.test(src);
    const key = this.prevDecl + "\u0000" + src;
    const hit = cacheable ? this.convertCache.get(key) : undefined;
    if (hit) {
      this.convertCache.delete(key); // most recently used goes last
      this.convertCache.set(key, hit);
      return hit;
    }
    // all of a new cell's compile under the compiler's budget (compiler_tiering.ts): lrlab's own
    // checks below parse the cell with TypeScript's parser too
    this.converter; // loaded outside it (see warm())
    return underCompilerBudget(() => this.convertNew(src, key, cacheable));
  }

  private convertNew(src: string, key: string, cacheable: boolean): ConvertResult {
    const convert = (): ConvertResult => this.withConverter((c) => c.convert(this.prevDecl, withoutExportKeywords(tslabTypeScript(), src)));
    let r = convert();
    // a package installed since the converter last looked for it (late_modules.ts): a new converter, once
    const late = r.diagnostics.length > 0 ? this.lateModules.installedSince(r.diagnostics, process.cwd()) : [];
    if (late.length > 0) {
      this.log(`restarting the TypeScript converter: ${late.join(", ")} installed since it was looked for`);
      this.restartConverter();
      r = convert();
    }
    if (r.output && !r.hasToplevelAwait && hasTopLevelAwait(tslabTypeScript(), src)) r = { ...r, hasToplevelAwait: true };
    flatten(r.output, r.declOutput);
    // every await of the cell's code stops once its run is interrupted (await_guard.ts): done
    // here, once per compiled text, not at each run of a cached cell
    if (r.output) r = { ...r, output: guardAwaits(r.output, tslabTypeScript(), !!r.hasToplevelAwait) };
    // a Python keyword argument's hint from the called function's signature (keyword_hint.ts):
    // read now, while the converter's program is this cell's
    if (r.diagnostics.length > 0) r = { ...r, diagnostics: withKeywordHints(src, r.diagnostics) };
    if (r.diagnostics.length === 0) {
      // lrlab's own checks (code 0): `t[0]`, a tensor as a condition, `==` / `!=` on a tensor
      const own = [...tensorIndexErrors(src), ...tensorConditionErrors(src, (name) => this.holdsTensor(name)), ...tensorEqualityErrors(src)];
      if (own.length > 0) r = { diagnostics: own.sort((a, b) => a.start.offset - b.start.offset) };
    }
    if (cacheable && !(r.sideOutputs && r.sideOutputs.length)) {
      this.convertCache.set(key, r);
      if (this.convertCache.size > Engine.CONVERT_CACHE_SIZE) this.convertCache.delete(this.convertCache.keys().next().value as string);
    }
    return r;
  }

  /** Whether the cells' variable `name` holds a tensor now (tensor_condition.ts, for an earlier cell's const). */
  private holdsTensor(name: string): boolean {
    if (!this.preludeLoaded || !Object.hasOwn(this.locals, name)) return false;
    const Tensor = (this.prelude.values().torch as { Tensor?: unknown } | undefined)?.Tensor;
    return typeof Tensor === "function" && this.value(name) instanceof Tensor;
  }

  close(): void {
    this._converter?.close();
  }

  /**
   * Loads TypeScript's compiler now, if not loaded yet. The kernel calls it right after answering
   * its first kernel_info request, so that "ready" does not wait for the compiler (ipykernel's
   * start is the bar) and the compiler loads while the user types the first cell.
   */
  warm(): void {
    // The first cells run TypeScript's checker and emitter cold (V8 has not compiled those code
    // paths yet): ~150 ms for `[1, 2].length`, ~30 ms more for a first training loop. Checking
    // a typical cell now moves that here, while the user types (measured: the user's first cell
    // 163 ms -> 10 ms, the first torch cell 54 -> 27 ms). Checked only: nothing runs and nothing
    // is declared (prevDecl and locals stay as they are).
    try {
      // TypeScript loads (its code cache checked) outside the raised budget: V8 checks a cache
      // against the flags of the moment, and the cache is written under V8's own (below)
      const c = this.converter;
      underCompilerBudget(() => c.convert(this.prevDecl, WARM_CELL));
    } catch {
      // a warm-up that fails costs the user's first cell its speed, nothing else
    }
    // The compiler's functions that a cell runs are compiled now: the next kernel loads their
    // bytecode from the code cache instead (tslab_typescript.ts, code_cache.ts).
    saveTypeScriptCodeCache();
    // and the library the cells see, which the kernel did not load before its kernel_info reply
    this.loadPrelude();
  }

  /**
   * One more compile of the warm-up cell (with a new comment, so no cache answers it), checked
   * only, like warm()'s, under the warm-up's own V8 budget (compiler_tiering.ts
   * WARM_COMPILE_BUDGET). The kernel calls it 15 times while idle before the user's first cell
   * (Kernel.warmCompiles): V8 optimizes TypeScript's checker and emitter only after
   * they have run many times, and a kernel's first ~30 new cells compiled 2-3x slower than later
   * ones (measured in the kernel: a new 10-line cell 6-10 ms for the first ten, ~2.5 ms from the
   * thirtieth). False when the compiler is not loaded yet or the compile failed.
   */
  warmCompile(i: number): boolean {
    if (this._converter === null) return false;
    try {
      const c = this._converter;
      underCompilerBudget(() => c.convert(this.prevDecl, `${WARM_CELL}\n// warm-up ${i}`), WARM_COMPILE_BUDGET);
      return true;
    } catch {
      return false;
    }
  }

  /** A new converter in place of the current one (TypeScript's program read afresh). */
  private restartConverter(): Converter {
    try { this._converter?.close(); } catch { /* a broken one may not close */ }
    this._converter = newConverter(this.prelude.typeRoot);
    return this._converter;
  }

  private get converter(): Converter {
    if (this._converter === null) this._converter = newConverter(this.prelude.typeRoot);
    return this._converter;
  }

  /** Runs `f` on the converter; once more on a fresh converter if the old one broke (see above). */
  private withConverter<T>(f: (c: Converter) => T): T {
    this.converter; // loaded outside the raised budget (see warm())
    return underCompilerBudget(() => this.withConverterNow(f));
  }

  private withConverterNow<T>(f: (c: Converter) => T): T {
    try {
      return f(this.converter);
    } catch (e) {
      if (!isConverterStateError(e)) throw e;
      this.log(`restarting the TypeScript converter (${(e as Error).message})`);
      return f(this.restartConverter());
    }
  }

  /** `require` for cells: relative .ts imports come from the converter's side outputs. */
  private wrapRequire(req: NodeJS.Require, dir: string): NodeJS.Require {
    const self = this;
    const local = (id: string): unknown => {
      let file = path.resolve(dir, id);
      if (path.extname(file) === "") file += ".js";
      const cached = self.sideModules.get(file);
      if (cached) return cached.exports;
      const code = self.sideOutputs.get(file);
      if (code === undefined) return undefined;
      const mod = moduleFor(file, module);
      (mod as any).require = self.wrapRequire(mod.require.bind(mod) as NodeJS.Require, path.dirname(file));
      // Cached before it runs, as Node's loader does: a circular import (a.ts imports b.ts, which
      // imports a.ts) gets the partial exports; cached after, it compiled a.ts again, endlessly
      // (RangeError: Maximum call stack size exceeded). A module that threw is not kept.
      self.sideModules.set(file, mod);
      try {
        mod._compile(code, file);
      } catch (e) {
        self.sideModules.delete(file);
        throw e;
      }
      return mod.exports;
    };
    const wrapped = ((id: string) => {
      if (id.startsWith(".")) { const m = local(id); if (m !== undefined) return m; }
      return req(id);
    }) as NodeJS.Require;
    Object.assign(wrapped, { resolve: req.resolve, cache: req.cache, main: req.main, extensions: req.extensions });
    return wrapped;
  }
}
