/**
 * What the kernel loads before it can answer kernel_info: its own modules and the engine, not the
 * training library (~150 more modules, ~100 ms of every start on an idle machine). The library
 * comes with the warm-up after the reply (Engine.warm) or the first run (Engine.loadPrelude).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { DIST } from "./dist";

it("building the kernel's engine loads none of the library; its first run does", () => {
  const script = `
const dist = ${JSON.stringify(DIST)};
require(dist + "/kernel/kernel.js");
const { Engine } = require(dist + "/kernel/engine.js");
const { makePrelude } = require(dist + "/kernel/prelude_source.js");
const loaded = () => Object.keys(require.cache).filter((k) => k.startsWith(dist + "/") && !k.startsWith(dist + "/kernel/") && !k.startsWith(dist + "/magics/"));
const engine = new Engine(makePrelude(), require("node:os").tmpdir());
const before = loaded();
const value = engine.run("torch.tensor([1, 2, 3]).sum().item()").value;
console.log(JSON.stringify({ before, after: loaded().length, value }));
process.exit(0);`;
  const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000 }));
  // the kernel's own modules may use a few small library modules (grad mode, scoped modes), not its entry points
  expect(out.before.filter((k: string) => /\/(index|tools)\.js$/.test(k) && !k.includes("/kernel/")).map((k: string) => k.slice(DIST.length))).toEqual([]);
  expect(out.before.length).toBeLessThan(30);
  expect(out.after).toBeGreaterThan(100);
  expect(out.value).toBe(6);
});
