/**
 * `t.log_loss(loss=l)`, `new torch.optim.SGD(params, lr=0.1)`: Python's keyword arguments, which
 * TypeScript reads as assignments to undeclared names ("Cannot find name 'loss'"). The text-only
 * hint (ts_hints.ts assignedName) said "options are one object, f(x, { loss: ... })", wrong for a
 * parameter that is positional. Here the called function's signatures, from the cell's type
 * checker, say which: a parameter of that name is written in its place (`t.log_loss(l)`), a
 * property of an options parameter goes in one object (`new torch.optim.SGD(params, { lr: 0.1,
 * momentum: 0.9 })`, every keyword of the call in it), and a name that is neither is said to be
 * none of the function's. Run on a converted cell's diagnostics (the program is the cell's then);
 * the hints are kept with the diagnostics, so a cached cell shows the same.
 */
import { latestProgram, tslabTypeScript } from "./engine_tslab";

type TS = any;

/** The part of the cell file before the user's text (tslab's converter: `srcPrefix`). */
const PREFIX = "export {};\n";

interface Diagnostic {
  code: number;
  messageText: string;
  start: { offset: number };
  fileName?: string;
}

/** The diagnostics, a keyword argument's with a `hint` naming how this function takes it. */
export function withKeywordHints<D extends Diagnostic>(src: string, diagnostics: D[]): D[] {
  const keywordAt = (d: D): string | undefined => (d.code === 2304 || d.code === 2552) && !d.fileName
    ? /^Cannot find name '([\w$]+)'/.exec(d.messageText)?.[1] : undefined;
  if (!diagnostics.some((d) => keywordAt(d) !== undefined)) return diagnostics;
  const ts = tslabTypeScript();
  const program = latestProgram();
  const sf = program?.getSourceFiles().find((f: TS) => /[\\/]__tslab__\.ts$/.test(f.fileName));
  if (!sf || !sf.text.startsWith(PREFIX + src)) return diagnostics;
  const checker = program.getTypeChecker();
  const byCall = new Map<TS, string | null>();
  return diagnostics.map((d) => {
    const name = keywordAt(d);
    if (name === undefined) return d;
    const id = findIdentifier(ts, sf, PREFIX.length + d.start.offset, name);
    const assign = id?.parent;
    if (!assign || !ts.isBinaryExpression(assign) || assign.left !== id || assign.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return d;
    const call = assign.parent;
    if (!call || !(ts.isCallExpression(call) || ts.isNewExpression(call)) || !(call.arguments ?? []).includes(assign)) return d;
    if (!byCall.has(call)) byCall.set(call, callHint(ts, checker, sf, src, call));
    const hint = byCall.get(call);
    return hint ? { ...d, hint } : d;
  });
}

function findIdentifier(ts: TS, sf: TS, pos: number, name: string): TS {
  let found: TS;
  const visit = (n: TS): void => {
    if (found || pos < n.getStart(sf) || pos >= n.end) return;
    if (ts.isIdentifier(n) && n.text === name && n.getStart(sf) === pos) { found = n; return; }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** One hint for every keyword argument of `call`, or null when its signatures cannot be read. */
function callHint(ts: TS, checker: TS, sf: TS, src: string, call: TS): string | null {
  const text = (n: TS): string => src.slice(n.getStart(sf) - PREFIX.length, n.end - PREFIX.length);
  const short = (n: TS): string => {
    const t = text(n).trim();
    return t.length <= 40 && !t.includes("\n") ? t : "...";
  };
  const args: TS[] = [...(call.arguments ?? [])];
  const isKeyword = (a: TS): boolean => ts.isBinaryExpression(a) && a.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(a.left)
    && checker.getSymbolAtLocation(a.left) === undefined;
  const keywords = args.filter(isKeyword).map((a) => ({ name: a.left.text as string, value: short(a.right) }));
  const positional = args.filter((a) => !isKeyword(a));
  const calleeType = checker.getTypeAtLocation(call.expression);
  const signatures: TS[] = ts.isNewExpression(call) ? calleeType.getConstructSignatures() : calleeType.getCallSignatures();
  if (signatures.length === 0) return null;
  const callee = `${ts.isNewExpression(call) ? "new " : ""}${short(call.expression)}`;
  const fname = (call.expression.name?.text ?? (ts.isIdentifier(call.expression) ? call.expression.text : short(call.expression))) as string;
  const head = `hint: ${keywords.map((k) => `${k.name}=...`).join(", ")} ${keywords.length > 1 ? "are Python keyword arguments" : "is a Python keyword argument"}`;

  // the signature that takes the most of the keywords (the first of those): by name or as options
  let best: { score: number; render: string; unknown: string[] } | null = null;
  for (const sig of signatures) {
    const params: TS[] = sig.getParameters();
    // a long argument shows as its parameter's name
    const slots: (string | undefined)[] = positional.map((a) => (short(a) === "..." ? undefined : short(a)));
    const byPosition: string[] = [];
    const options: string[] = [];
    let optionsAt = -1;
    const unknown: string[] = [];
    let score = 0;
    for (const k of keywords) {
      const at = params.findIndex((p) => p.getName() === k.name);
      if (at >= 0 && at >= positional.length) {
        slots[at] = k.value;
        byPosition.push(k.name);
        score++;
        continue;
      }
      const opt = params.findIndex((p, i) => i >= positional.length && optionsTake(ts, checker, p, call, k.name));
      if (opt >= 0 && (optionsAt < 0 || optionsAt === opt)) {
        optionsAt = opt;
        options.push(`${k.name}: ${k.value}`);
        score++;
        continue;
      }
      unknown.push(k.name);
    }
    if (optionsAt >= 0) slots[optionsAt] = `{ ${options.join(", ")} }`;
    // the parameters before the last one given, by their names where the call gives nothing
    const rendered: string[] = [];
    for (let i = 0; i < slots.length; i++) rendered.push(slots[i] ?? displayName(params[i]));
    const takes = [
      ...(byPosition.length > 0 ? [`${byPosition.join(" and ")} by position`] : []),
      ...(options.length > 0 ? [`${keywords.filter((k) => !byPosition.includes(k.name) && !unknown.includes(k.name)).map((k) => k.name).join(" and ")} in one options object`] : []),
    ].join(", ");
    const render = `${fname} takes ${takes}: ${callee}(${rendered.join(", ")})`;
    if (best === null || score > best.score) best = { score, render, unknown };
  }
  if (best === null) return null;
  const none = best.unknown.length > 0
    ? `${best.unknown.join(", ")} ${best.unknown.length > 1 ? "are" : "is"} none of ${fname}'s parameters or options (Shift-Tab shows its signature)` : "";
  if (best.score === 0) return `${head}; ${none}`;
  return `${head}; ${best.render}${none ? `; ${none}` : ""}`;
}

/** Whether parameter `p` is an options object with a property `name`. */
function optionsTake(ts: TS, checker: TS, p: TS, at: TS, name: string): boolean {
  const type = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(p, at));
  const parts: TS[] = type.isUnion?.() ? type.types : [type];
  return parts.some((t: TS) => (t.flags & ts.TypeFlags.Object) !== 0 && checker.getPropertyOfType(t, name) !== undefined && t.getCallSignatures().length === 0);
}

/** A parameter's name for the rendered call (`__0`, a destructured one, as "options"). */
function displayName(p: TS): string {
  const n = p?.getName?.() as string | undefined;
  return n === undefined || /^__\d+$/.test(n) ? "..." : n;
}
