/**
 * The doc comments of the options objects (what Shift-Tab shows next to each key) state PyTorch's
 * defaults, and those are lrlab's too.
 *
 * For every optimizer, every lr_scheduler scheduler, SWALR and AveragedModel, and every keyword
 * argument of its PyTorch 2.13 signature, the doc comment of that key in the class's options
 * interface (`AdamOptions`, `StepLROptions`, ..., read from kernel/src/optim with the TypeScript
 * compiler API, inherited keys included) must exist and
 *  - for a key with a default, state it as `default <value>` in its first sentence (the part
 *    Shift-Tab shows; kernel/src/kernel/module_docs.ts), `<value>` a literal: a number (`1e-3`,
 *    `1/3`), `true`/`false`, `null` (Python's None), a "string" or a [list];
 *  - equal PyTorch's signature default (test/fixtures/option_defaults/option_defaults.json, made by
 *    test/fixtures/generate_option_defaults.py from `inspect.signature`);
 *  - equal lrlab's runtime value: an optimizer's `defaults[key]` and `param_groups[0][key]` after
 *    `new Opt(params)`; a scheduler's (or AveragedModel's) attribute `key`, for the keys PyTorch
 *    keeps as an attribute too. Where PyTorch itself resolves a default at construction (LBFGS's
 *    max_eval None becomes max_iter · 5/4 = 25; a scheduler's last_epoch -1 is 0 after the
 *    constructor's initial step), lrlab's value must be PyTorch's resolved one (in the fixture).
 * A required argument must not state a default. foreach and fused must say they are accepted and
 * ignored, capturable and differentiable that they are accepted and what true does. Where lrlab deliberately differs, the value comes from
 * DEVIATIONS below, never from a silent skip.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import * as optim from "../../kernel/src/optim/index";
import * as S from "../../kernel/src/optim/lr_scheduler/index";
import { scheduler_names } from "../../kernel/src/optim/lr_scheduler/names";
import { AveragedModel, SWALR } from "../../kernel/src/optim/swa_utils/index";
import { Linear } from "../../kernel/src/nn/index";
import { tensorOf } from "./helpers";

const ROOT = resolve(__dirname, "..", "..");
const OPTIM_SRC = join(ROOT, "kernel", "src", "optim");

type Py = null | boolean | number | string | Py[];
interface SignatureEntry { name: string; default?: Py | { repr: string }; required?: true }
interface ClassFixture { signature: SignatureEntry[]; runtime: Record<string, Py>; args: Record<string, unknown> }
interface Fixture { torch: string; optimizers: Record<string, ClassFixture>; schedulers: Record<string, ClassFixture> }

const FIXTURE = JSON.parse(
  readFileSync(join(ROOT, "test", "fixtures", "option_defaults", "option_defaults.json"), "utf8"),
) as Fixture;

/**
 * Where lrlab deliberately differs from PyTorch 2.13 in an option's default ("Class.key"). `lrlab`
 * is the value lrlab documents and holds instead of PyTorch's; `why` cites the deviation (the
 * file header says it too). An entry that no longer differs fails (it would hide a later change).
 *
 * None today: every optimizer's and scheduler's default is PyTorch's. (The deviations the file
 * headers cite are elsewhere: LBFGS rejects an unknown line_search_fn in the constructor rather
 * than at step(); Adafactor's eps[0] null means the parameter dtype's machine epsilon, as in
 * PyTorch.)
 */
const DEVIATIONS: Record<string, { lrlab: Py; why: string }> = {};

/** The accepted-and-ignored implementation switches (ImplementationFlags in _functional.ts). */
const IGNORED_FLAGS = new Set(["foreach", "fused"]);
/** The implementation switches that are accepted and act at step() as on PyTorch's CPU (errors). */
const ACCEPTED_FLAGS = new Set(["capturable", "differentiable"]);

// ---------------------------------------------------------------- doc comments, by the compiler

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "wasm" ? [] : tsFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/**
 * `{ [ClassOptions]: { [key]: doc comment } }` for every options interface or type alias under
 * kernel/src/optim, its inherited keys (ImplementationFlags, Omit<AdamOptions, ...>) included, as
 * the type checker resolves them. `overrides` replaces a file's text (to test the test).
 */
function optionDocs(overrides: Map<string, string> = new Map()): Map<string, Map<string, string>> {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, noEmit: true,
    skipLibCheck: true, noResolve: false, types: [],
  };
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => overrides.get(resolve(file)) ?? readFile(file);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, onError, create) => {
    const text = overrides.get(resolve(file));
    return text !== undefined ? ts.createSourceFile(file, text, lang, true) : getSourceFile(file, lang, onError, create);
  };
  const files = tsFiles(OPTIM_SRC);
  const program = ts.createProgram(files, options, host);
  const checker = program.getTypeChecker();
  const out = new Map<string, Map<string, string>>();
  for (const file of files) {
    const sf = program.getSourceFile(file);
    if (!sf) throw new Error(`not in the program: ${file}`);
    for (const stmt of sf.statements) {
      if (!(ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) || !stmt.name.text.endsWith("Options")) continue;
      const sym = checker.getSymbolAtLocation(stmt.name);
      if (!sym) continue;
      const type = checker.getDeclaredTypeOfSymbol(sym);
      const keys = new Map<string, string>();
      for (const prop of checker.getPropertiesOfType(type)) {
        keys.set(prop.name, ts.displayPartsToString(prop.getDocumentationComment(checker)).replace(/\s+/g, " ").trim());
      }
      out.set(stmt.name.text, keys);
    }
  }
  return out;
}

/** Shift-Tab's first sentence of a doc comment (module_docs.ts `firstSentence`, same rule). */
function firstSentence(doc: string): string {
  const m = /^.*?[.!?](?=\s|$)/.exec(doc);
  return m ? m[0] : doc;
}

/** Parses a literal at `text[at]`: number (also `a/b`), true/false/null, "string", [list]. */
function parseLiteral(text: string, at: number): { value: Py; end: number } | null {
  const rest = text.slice(at);
  const num = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?(?:\/(?:\d+(?:\.\d*)?)(?:e[-+]?\d+)?)?(?![\w.]*\w)/i.exec(rest);
  if (num) {
    const [a, b] = num[0].split("/");
    return { value: b === undefined ? Number(a) : Number(a) / Number(b), end: at + num[0].length };
  }
  const word = /^(true|false|null)\b/.exec(rest);
  if (word) return { value: word[1] === "null" ? null : word[1] === "true", end: at + word[0].length };
  const str = /^"([^"]*)"/.exec(rest);
  if (str) return { value: str[1], end: at + str[0].length };
  if (rest.startsWith("[")) {
    const items: Py[] = [];
    let i = at + 1;
    for (;;) {
      while (text[i] === " ") i++;
      if (text[i] === "]" && items.length === 0) return { value: items, end: i + 1 };
      const item = parseLiteral(text, i);
      if (!item) return null;
      items.push(item.value);
      i = item.end;
      while (text[i] === " ") i++;
      if (text[i] === "]") return { value: items, end: i + 1 };
      if (text[i] !== ",") return null;
      i++;
    }
  }
  return null;
}

/** Every `default <literal>` (or `default: <literal>`) the text states. */
function statedDefaults(doc: string): Py[] {
  const out: Py[] = [];
  for (const m of doc.matchAll(/\bdefault:?\s+/gi)) {
    const lit = parseLiteral(doc, m.index! + m[0].length);
    if (lit) out.push(lit.value);
  }
  return out;
}

// ---------------------------------------------------------------- comparison

const show = (v: unknown): string => (v === undefined ? "undefined" : JSON.stringify(v));

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  return Object.is(a, b) || (typeof a === "number" && a === b); // 0 === -0 is fine, NaN is not a default
}

/** A runtime value as plain data (a tuple-like typed array or frozen array as a list). */
function plain(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/**
 * Every mismatch for one class: `runtime(key)` gives lrlab's runtime values of `key` (one per
 * place it is kept), or null where lrlab is not asked (a scheduler key PyTorch keeps no attribute
 * for); the fixture's `runtime` gives PyTorch's.
 */
function mismatches(
  cls: string,
  fixture: ClassFixture,
  docs: Map<string, string> | undefined,
  runtime: (key: string) => { where: string; value: unknown }[] | null,
): string[] {
  if (!docs) return [`${cls}: no ${cls}Options interface under kernel/src/optim`];
  const out: string[] = [];
  for (const entry of fixture.signature) {
    const key = entry.name;
    const at = `${cls}.${key}`;
    const doc = docs.get(key);
    if (doc === undefined) {
      out.push(`${at}: not a key of ${cls}Options`);
      continue;
    }
    if (doc === "") {
      out.push(`${at}: no doc comment`);
      continue;
    }
    const stated = statedDefaults(doc);
    if (entry.required) {
      if (stated.length > 0) out.push(`${at}: required in PyTorch, but documented default ${show(stated[0])}`);
      continue;
    }
    if (IGNORED_FLAGS.has(key) && !/accepted and ignored/i.test(doc)) out.push(`${at}: does not say it is accepted and ignored: "${doc}"`);
    if (ACCEPTED_FLAGS.has(key) && !/^accepted; true /i.test(doc)) out.push(`${at}: does not say it is accepted and what true does: "${doc}"`);
    const pytorch = entry.default as Py | { repr: string };
    if (pytorch !== null && typeof pytorch === "object" && !Array.isArray(pytorch)) {
      out.push(`${at}: PyTorch's default ${pytorch.repr} is not data, which this test cannot compare`);
      continue;
    }
    const deviation = DEVIATIONS[at];
    const expected = deviation ? deviation.lrlab : pytorch;
    // lrlab's runtime values; PyTorch's after construction where PyTorch resolves the default itself
    const values = runtime(key);
    const resolved = key in fixture.runtime && !same(fixture.runtime[key], pytorch) ? fixture.runtime[key] : undefined;
    const lrlab = values === null ? "" : values.map(({ where, value }) => `, lrlab ${where} ${show(plain(value))}`).join("");
    const shown = statedDefaults(firstSentence(doc));
    if (stated.length !== 1) {
      out.push(`${at}: documented ${stated.length === 0 ? "no default" : `${stated.length} defaults (${stated.map(show).join(", ")})`}, PyTorch ${show(pytorch)}: "${doc}"`);
    } else if (shown.length !== 1) {
      out.push(`${at}: the default is not in the first sentence (all Shift-Tab shows): "${doc}"`);
    } else if (!same(stated[0], expected)) {
      out.push(`${at}: documented ${show(stated[0])}, PyTorch ${show(pytorch)}${deviation ? `, lrlab's deviation ${show(deviation.lrlab)}` : ""}${lrlab}`);
    }
    if (deviation && same(deviation.lrlab, pytorch)) out.push(`${at}: DEVIATIONS entry ${show(deviation.lrlab)} equals PyTorch's default: remove it`);
    if (values === null) continue;
    const want = deviation ? deviation.lrlab : resolved !== undefined ? resolved : pytorch;
    for (const { where, value } of values) {
      if (!same(plain(value), want)) {
        out.push(
          `${at}: documented ${show(stated[0])}, PyTorch ${show(pytorch)}` +
            `${resolved !== undefined ? ` (after construction ${show(resolved)})` : ""}, lrlab ${where} ${show(plain(value))}`,
        );
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- lrlab's runtime values

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const Optim = optim as unknown as Record<string, new (params: unknown, options?: unknown) => Any>;

/** A 2-D parameter: Muon takes only matrices. */
const param = () => tensorOf([0, 0, 0, 0], [2, 2], "float32", true);
const sgd = (): Any => new optim.SGD([tensorOf([0, 0], [2], "float32", true)], { lr: 0.1, momentum: 0.9 });

/** Each scheduler with the required arguments the fixture's generator passes (its "args"). */
const SCHEDULERS: Record<string, () => Any> = {
  LambdaLR: () => new S.LambdaLR(sgd(), { lr_lambda: () => 1 }),
  MultiplicativeLR: () => new S.MultiplicativeLR(sgd(), { lr_lambda: () => 1 }),
  StepLR: () => new S.StepLR(sgd(), { step_size: 3 }),
  MultiStepLR: () => new S.MultiStepLR(sgd(), { milestones: [2, 4] }),
  ConstantLR: () => new S.ConstantLR(sgd()),
  LinearLR: () => new S.LinearLR(sgd()),
  ExponentialLR: () => new S.ExponentialLR(sgd(), { gamma: 0.9 }),
  SequentialLR: () => {
    const o = sgd();
    return new S.SequentialLR(o, { schedulers: [new S.ConstantLR(o), new S.ExponentialLR(o, { gamma: 0.9 })], milestones: [2] });
  },
  PolynomialLR: () => new S.PolynomialLR(sgd()),
  CosineAnnealingLR: () => new S.CosineAnnealingLR(sgd(), { T_max: 10 }),
  ChainedScheduler: () => {
    const o = sgd();
    return new S.ChainedScheduler([new S.ConstantLR(o), new S.ExponentialLR(o, { gamma: 0.9 })]);
  },
  ReduceLROnPlateau: () => new S.ReduceLROnPlateau(sgd()),
  CyclicLR: () => new S.CyclicLR(sgd(), { base_lr: 0.01, max_lr: 0.1 }),
  CosineAnnealingWarmRestarts: () => new S.CosineAnnealingWarmRestarts(sgd(), { T_0: 10 }),
  OneCycleLR: () => new S.OneCycleLR(sgd(), { max_lr: 0.1, total_steps: 100 }),
  SWALR: () => new SWALR(sgd(), { swa_lr: 0.05 }),
  AveragedModel: () => new AveragedModel(new Linear(2, 1)),
};

function optimizerRuntime(cls: string): (key: string) => { where: string; value: unknown }[] {
  const opt = new Optim[cls]([param()]);
  return (key) => [
    { where: "defaults", value: opt.defaults[key] },
    { where: "param_groups[0]", value: opt.param_groups[0][key] },
  ];
}

function schedulerRuntime(cls: string, fixture: ClassFixture): (key: string) => { where: string; value: unknown }[] | null {
  const make = SCHEDULERS[cls];
  if (!make) throw new Error(`no constructor for ${cls} in SCHEDULERS`);
  const sched = make();
  return (key) => (key in fixture.runtime ? [{ where: `instance.${key}`, value: sched[key] }] : null);
}

// ---------------------------------------------------------------- the tests

const DOCS = optionDocs();

describe("each option's doc comment states PyTorch's default, which is lrlab's", () => {
  test("the fixture is PyTorch 2.13's and covers every optimizer and scheduler lrlab has", () => {
    expect(FIXTURE.torch).toMatch(/^2\.13\./);
    const optimizers = Object.keys(optim).filter((k) => DOCS.has(`${k}Options`) && typeof Optim[k] === "function");
    expect(Object.keys(FIXTURE.optimizers).sort()).toEqual(optimizers.sort());
    const schedulers = [...scheduler_names, "SWALR", "AveragedModel"];
    expect(Object.keys(FIXTURE.schedulers).sort()).toEqual([...schedulers].sort());
  });

  test.each(Object.keys(FIXTURE.optimizers))("%s", (cls) => {
    const fixture = FIXTURE.optimizers[cls];
    expect(mismatches(cls, fixture, DOCS.get(`${cls}Options`), optimizerRuntime(cls))).toEqual([]);
    // and PyTorch's own runtime defaults are lrlab's, key for key (the fixture's "runtime")
    expect(Object.keys(fixture.runtime)).toEqual(fixture.signature.map((e) => e.name));
  });

  test.each(Object.keys(FIXTURE.schedulers))("%s", (cls) => {
    const fixture = FIXTURE.schedulers[cls];
    expect(mismatches(cls, fixture, DOCS.get(`${cls}Options`), schedulerRuntime(cls, fixture))).toEqual([]);
  });

  test("every DEVIATIONS entry names an option that exists", () => {
    for (const at of Object.keys(DEVIATIONS)) {
      const [cls, key] = at.split(".");
      const fixture = FIXTURE.optimizers[cls] ?? FIXTURE.schedulers[cls];
      expect(fixture?.signature.some((e) => e.name === key), at).toBe(true);
    }
  });
});

describe("the check fails on a wrong default", () => {
  const adam = join(OPTIM_SRC, "adam.ts");
  const planted = (from: RegExp, to: string) => {
    const text = readFileSync(adam, "utf8");
    expect(text).toMatch(from);
    return optionDocs(new Map([[adam, text.replace(from, to)]])).get("AdamOptions");
  };

  test("a documented default that is not PyTorch's names class, key and both values", () => {
    const docs = planted(/default 1e-3\./, "default 1e-2.");
    const out = mismatches("Adam", FIXTURE.optimizers.Adam, docs, optimizerRuntime("Adam"));
    expect(out).toEqual(["Adam.lr: documented 0.01, PyTorch 0.001, lrlab defaults 0.001, lrlab param_groups[0] 0.001"]);
  });

  test("a runtime default that is not PyTorch's names where lrlab keeps it", () => {
    const runtime = optimizerRuntime("Adam");
    const wrong = (key: string) => runtime(key).map((r) => (key === "eps" ? { ...r, value: 1e-6 } : r));
    const out = mismatches("Adam", FIXTURE.optimizers.Adam, DOCS.get("AdamOptions"), wrong);
    expect(out).toEqual([
      "Adam.eps: documented 1e-8, PyTorch 1e-8, lrlab defaults 0.000001",
      "Adam.eps: documented 1e-8, PyTorch 1e-8, lrlab param_groups[0] 0.000001",
    ]);
  });

  test("a missing default, a second sentence and an unparsable value are each reported", () => {
    expect(statedDefaults("Learning rate γ; default 1e-3.")).toEqual([1e-3]);
    expect(statedDefaults('Factor; default 1/3, "min" or [0.9, 0.999] default [null, 1e-3]')).toEqual([1 / 3, [null, 1e-3]]);
    expect(statedDefaults("the default dtype's epsilon")).toEqual([]);
    const docs = planted(/Learning rate γ; default 1e-3\./, "Learning rate γ. Default 1e-3.");
    expect(mismatches("Adam", FIXTURE.optimizers.Adam, docs, () => null)).toEqual([
      `Adam.lr: the default is not in the first sentence (all Shift-Tab shows): "Learning rate γ. Default 1e-3."`,
    ]);
  });
});
