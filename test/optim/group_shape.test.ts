/**
 * A param group is built key by key (optimizer.ts copyGroupKeys), not by an object spread, so that
 * the groups of one optimizer class given the same keys share one V8 map (hidden class): with the
 * spread, every group from a process's fifth optimizer on had a map of its own, and every read of
 * a group's property in a step was a megamorphic load. What a user sees must be what the spread
 * gave (PyTorch's order: the given keys in their order, then the missing defaults in the defaults'
 * order): the keys, their order, symbol keys, an own `__proto__` key, a getter read once.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test, vi, type MockInstance } from "vitest";
import * as optim from "../../kernel/src/optim/index";
import { tensorOf } from "./helpers";

const param = () => tensorOf([1, 2, 3, 4], [2, 2], "float32", true);

describe("a group's keys are the given ones in their order, then the missing defaults", () => {
  let warn: MockInstance;
  beforeEach(() => {
    warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterEach(() => warn.mockRestore());

  test("lr before params, an extra key, then SGD's other defaults in their order", () => {
    const opt = new optim.SGD([{ lr: 0.5, params: [param()], name: "head" }], { lr: 0.1 });
    const g = opt.param_groups[0];
    expect(Object.keys(g)).toEqual(["lr", "params", "name", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "differentiable", "fused"]);
    expect(g.lr).toBe(0.5);
    expect(g.name).toBe("head");
    // (state_dict packs params last, as PyTorch's does)
    expect(Object.keys(opt.state_dict().param_groups[0])).toEqual([...Object.keys(g).filter((k) => k !== "params"), "params"]);
  });

  test("a key given as undefined keeps its place and takes the default", () => {
    const g = new optim.Adam([{ params: [param()], eps: undefined, lr: 0.01 }]).param_groups[0];
    expect(Object.keys(g).slice(0, 4)).toEqual(["params", "eps", "lr", "betas"]);
    expect(g.eps).toBe(1e-8);
  });

  test("symbol keys are kept, an own __proto__ key stays an own key, a getter is read once", () => {
    const sym = Symbol("mine");
    let reads = 0;
    const input = JSON.parse('{"__proto__": 3}') as Record<string, unknown>;
    Object.defineProperty(input, "params", { value: [param()], enumerable: true });
    Object.defineProperty(input, "momentum", { get: () => (reads++, 0.9), enumerable: true });
    Object.defineProperty(input, "hidden", { value: 1, enumerable: false });
    (input as Record<symbol, unknown>)[sym] = "kept";
    const g = new optim.SGD([input as unknown as optim.ParamGroupInput], { lr: 0.1 }).param_groups[0];
    expect(reads).toBe(1);
    expect(Object.getPrototypeOf(g)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(g, "__proto__")).toBe(true);
    expect(Object.keys(g).slice(0, 4)).toEqual(["__proto__", "params", "momentum", "lr"]);
    expect(g.momentum).toBe(0.9);
    expect("hidden" in g).toBe(false);
    expect((g as unknown as Record<symbol, unknown>)[sym]).toBe("kept");
  });
});

describe("groups of one optimizer class share one V8 map", () => {
  test("ten Adam optimizers' groups (params alone, or params and lr): one map (%HaveSameMap)", () => {
    const dist = join(__dirname, "../../kernel/dist/index.js");
    const code = `
      const torch = require(${JSON.stringify(dist)});
      const groups = [];
      for (let i = 0; i < 10; i++) {
        const m = new torch.nn.Linear(3, 1);
        const params = i % 2 ? m.parameters() : [{ params: m.parameters(), lr: 0.01 }];
        groups.push(new torch.optim.Adam(params, { lr: 0.001 }).param_groups[0]);
      }
      console.log(groups.map((g) => (%HaveSameMap(g, groups[0]) ? 1 : 0)).join(""), %HasFastProperties(groups[9]));`;
    const r = spawnSync(process.execPath, ["--allow-natives-syntax", "-e", code], { encoding: "utf8", timeout: 20_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("1111111111 true");
  });
});
