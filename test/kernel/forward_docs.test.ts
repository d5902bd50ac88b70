/**
 * Shift-Tab on a module's `.forward(`, through the real kernel: each torch.nn module's forward has
 * its own doc comment saying what it takes and returns, with shapes (kernel/src/nn/modules/*.ts),
 * rather than Module's generic "The computation; subclasses override it". Layers that inherit
 * their computation (Conv2d from _ConvNd, BatchNorm2d from BatchNorm1d, ModuleDict from Module)
 * have a thin documented override, so the popup is labelled with the class the user wrote.
 */
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";
import { DIST } from "./dist";

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

const inspect = async (code: string) => {
  const c = (await k.request("inspect_request", { code, cursor_pos: [...code].length, detail_level: 0 })).content;
  // the doc is wrapped over lines: compare it as one line
  return { found: c.found as boolean, text: String(c.data?.["text/plain"] ?? "").replace(/\s+/g, " ") };
};

const GENERIC = "The computation; subclasses override it";

/** [expression, the class the popup must name, what its doc must say] */
const CASES: [string, string, RegExp][] = [
  ["new torch.nn.MSELoss()", "MSELoss", /input \[\*\] and target \[\*\] of the same shape → a scalar, or \[\*\] with reduction "none"/],
  ["new torch.nn.CrossEntropyLoss()", "CrossEntropyLoss", /logits \[N, C\].*class indices \[N\].*class probabilities/],
  ["new torch.nn.CTCLoss()", "CTCLoss", /log_probs \[T, N, C\] \(or unbatched \[T, C\]\): log-softmax.*targets \[N, S\].*concatenated.*input_lengths \[N\].*target_lengths \[N\].*a scalar.*\[N\] with reduction "none"/s],
  ["new torch.nn.KLDivLoss()", "KLDivLoss", /input log-probabilities.*target probabilities.*log_target/s],
  ["new torch.nn.Conv2d(1, 2, 3)", "Conv2d", /\[N, C_in, H, W\].*→ \[N, C_out, H_out, W_out\]/s],
  ["new torch.nn.Conv1d(1, 2, 3)", "Conv1d", /\[N, C_in, L\].*→ \[N, C_out, L_out\]/s],
  ["new torch.nn.GroupNorm(2, 4)", "GroupNorm", /num_groups.*\[N, C, \*\] → the same shape/s],
  ["new torch.nn.BatchNorm2d(4)", "BatchNorm2d", /\[N, C, H, W\] → the same shape/],
  ["new torch.nn.ReLU()", "ReLU", /max\(0, x\).*Shape kept/],
  ["new torch.nn.Linear(3, 2)", "Linear", /\[\*, in_features\].*→ \[\*, out_features\]/s],
  ["new torch.nn.Sequential(new torch.nn.ReLU())", "Sequential", /each child in turn/],
  ["new torch.nn.ModuleDict()", "ModuleDict", /Not callable/],
  ["new torch.nn.ReflectionPad2d(1)", "ReflectionPad2d", /\[N, C, H, W\].*H \+ top \+ bottom/s],
  ["new torch.nn.MaxPool2d(2)", "MaxPool2d", /\[N, C, H_out, W_out\].*return_indices/s],
];

describe("Shift-Tab on a module's forward(", () => {
  it("shows that module's own doc, with what it takes and returns", async () => {
    for (const [expr, cls, doc] of CASES) {
      const { found, text } = await inspect(`${expr}.forward(`);
      expect(found, expr).toBe(true);
      expect(text, expr).toMatch(new RegExp(`\\(method\\) ${cls}(<[^>]*>)?\\.forward\\(`)); // ModuleDict<Module>.forward(
      expect(text, expr).not.toContain(GENERIC);
      expect(text, expr).toMatch(doc);
    }
  }, 120_000);
});

describe("every torch.nn module class", () => {
  it("declares a documented forward of its own (so Shift-Tab names it and shows its doc)", () => {
    const index = join(DIST, "nn/index.d.ts");
    const program = ts.createProgram([index], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true });
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
    const missing: string[] = [];
    let checked = 0;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const sym = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!(sym.flags & ts.SymbolFlags.Class) || exported.name === "Module") continue;
      // abstract bases (RNNBase, RNNCellBase) are never constructed: their subclasses' forwards count
      const decl = sym.declarations?.find(ts.isClassDeclaration);
      if (decl && ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Abstract) continue;
      const instance = checker.getDeclaredTypeOfSymbol(sym);
      const forward = checker.getPropertyOfType(instance, "forward");
      // only Modules (a forward inherited from Module); Parameter and the like have none
      if (!forward) continue;
      checked++;
      const owner = forward.declarations?.[0]?.parent;
      const ownerName = owner && ts.isClassDeclaration(owner) ? owner.name?.text : undefined;
      const doc = ts.displayPartsToString(forward.getDocumentationComment(checker));
      if (ownerName !== sym.name) missing.push(`${exported.name}: forward inherited from ${ownerName}`);
      else if (!doc || doc.includes(GENERIC)) missing.push(`${exported.name}: forward has no doc of its own`);
    }
    expect(checked).toBeGreaterThan(90);
    expect(missing).toEqual([]);
  }, 60_000);
});
