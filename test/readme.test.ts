// The README's tables of optimizers and schedulers, and its paragraph of layers, must list exactly
// what the library exports.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "../kernel/src/index";

const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");

/** Names in the first column of the markdown table under `heading`. */
function tableNames(heading: string): string[] {
  const start = readme.indexOf(heading);
  expect(start, `README has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const rest = readme.slice(start + heading.length).split("\n");
  const names: string[] = [];
  let inTable = false;
  for (const line of rest) {
    if (line.startsWith("|")) {
      inTable = true;
      const m = /^\|\s*`(\w+)`\s*\|/.exec(line);
      if (m) names.push(m[1]);
    } else if (inTable) break;
  }
  return names.sort();
}

describe("README", () => {
  it("lists every optimizer torch.optim exports, and no other", () => {
    const exported = Object.entries(torch.optim)
      .filter(([name, v]) => typeof v === "function" && v.prototype instanceof torch.optim.Optimizer && name !== "Optimizer")
      .map(([name]) => name)
      .sort();
    expect(exported.length).toBeGreaterThanOrEqual(14);
    expect(tableNames("### Optimizers")).toEqual(exported);
  });

  it("lists every scheduler torch.optim.lr_scheduler exports, and no other", () => {
    // the scheduler classes the namespace exports, as for the optimizers (the base class and its
    // deprecated alias _LRScheduler have no schedule of their own)
    const base = torch.optim.lr_scheduler.LRScheduler;
    const exported = Object.entries(torch.optim.lr_scheduler)
      .filter(([name, v]) => typeof v === "function" && v.prototype instanceof base && name !== "_LRScheduler")
      .map(([name]) => name)
      .sort();
    expect(exported.length).toBeGreaterThanOrEqual(15);
    expect(tableNames("### Schedulers")).toEqual(exported);
  });

  it("names every module class torch.nn exports (layers, containers, losses), and no other", () => {
    const exported = Object.entries(torch.nn)
      .filter(([name, v]) => typeof v === "function" && v.prototype instanceof torch.nn.Module && !name.startsWith("_"))
      .map(([name]) => name)
      .sort();
    expect(exported).toContain("Conv2d");
    const heading = "### Layers and losses (`torch.nn`)";
    const start = readme.indexOf(heading);
    expect(start, `README has a "${heading}" section`).toBeGreaterThanOrEqual(0);
    const paragraph = readme.slice(start + heading.length).split("\n\n")[1];
    const named = [...paragraph.matchAll(/`([A-Z]\w*)`/g)].map((m) => m[1]);
    expect([...new Set(named)].sort()).toEqual(exported);
  });
});
