/**
 * The V8 code cache of TypeScript's compiler (kernel/src/kernel/code_cache.ts): written once a
 * kernel's warm-up has run the compiler, taken by the next kernel, never in the way.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCached } from "../../kernel/src/kernel/code_cache";
import { DIST } from "./dist";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "lrlab-cache-"));
  dirs.push(d);
  return d;
};
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function withEnv<T>(env: Record<string, string | undefined>, f: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  try {
    return f();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

describe("code cache", () => {
  it("is written on save() when there was none, taken next time, replaced when the key changes", () => {
    const dir = tempDir();
    const source = join(dir, "source.js");
    const text = "(function () { function square(x) { return x * x; } return square(7); })()";
    writeFileSync(source, text);
    withEnv({ LRLAB_CACHE_DIR: join(dir, "cache"), LRLAB_CODE_CACHE: undefined }, () => {
      const first = runCached(text, source, source, "demo", "k1");
      expect(first.value).toBe(49);
      expect(first.state).toBe("none");
      expect(first.save()).toBe(true);
      expect(first.state).toBe("written");
      expect(existsSync(first.file!)).toBe(true);
      expect(first.save()).toBe(false); // once

      const second = runCached(text, source, source, "demo", "k1");
      expect(second.state).toBe("accepted");
      expect(second.value).toBe(49);
      expect(second.file).toBe(first.file);

      // another key (another version): another file; the three newest of a name are kept
      const names = [first.file!];
      for (const key of ["k2", "k3", "k4"]) {
        const other = runCached(text, source, source, "demo", key);
        expect(other.state).toBe("none");
        expect(other.save()).toBe(true);
        names.push(other.file!);
      }
      expect(new Set(names).size).toBe(4);
      expect(readdirSync(join(dir, "cache")).length).toBe(3);
      expect(existsSync(names[3])).toBe(true);
    });
  });

  it("is off with LRLAB_CODE_CACHE=0, and a cache directory that cannot be written is no cache", () => {
    const dir = tempDir();
    const source = join(dir, "source.js");
    writeFileSync(source, "1 + 2");
    withEnv({ LRLAB_CACHE_DIR: join(dir, "cache"), LRLAB_CODE_CACHE: "0" }, () => {
      const r = runCached("1 + 2", source, source, "demo", "k");
      expect([r.value, r.state, r.save()]).toEqual([3, "off", false]);
    });
    writeFileSync(join(dir, "a-file"), "");
    withEnv({ LRLAB_CACHE_DIR: join(dir, "a-file", "cache"), LRLAB_CODE_CACHE: undefined }, () => {
      const r = runCached("1 + 2", source, source, "demo", "k");
      expect([r.value, r.state, r.save()]).toEqual([3, "none", false]);
    });
  });

  it("a kernel's warm-up writes TypeScript's cache, and the next kernel's compiler takes it", () => {
    const cacheDir = join(tempDir(), "cache");
    const script = `
      const { Engine } = require(${JSON.stringify(join(DIST, "kernel/engine.js"))});
      const { makePrelude } = require(${JSON.stringify(join(DIST, "kernel/prelude_source.js"))});
      const { typeScriptCodeCache } = require(${JSON.stringify(join(DIST, "kernel/tslab_typescript.js"))});
      const engine = new Engine(makePrelude(${JSON.stringify(DIST)}), require("os").tmpdir());
      engine.warm();
      const r = engine.run("const xs: number[] = [1, 2, 3]; xs.map((x) => x * x).join(' ')");
      console.log(JSON.stringify({ state: typeScriptCodeCache().state, value: r.value }));
      process.exit(0);`;
    const run = () => {
      const p = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, LRLAB_CACHE_DIR: cacheDir, LRLAB_CODE_CACHE: "1" }, encoding: "utf8" });
      expect(p.status, p.stderr).toBe(0);
      return JSON.parse(p.stdout.trim().split("\n").pop()!);
    };
    expect(run()).toEqual({ state: "written", value: "1 4 9" });
    expect(run()).toEqual({ state: "accepted", value: "1 4 9" });
  }, 60_000);
});
