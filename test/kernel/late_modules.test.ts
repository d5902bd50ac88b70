// A kernel run from a folder with a node_modules (a project's root): what TypeScript watches there,
// and a package installed while the kernel runs (kernel/src/kernel/watch_host.ts, late_modules.ts).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";
import { LateModules, packageOf } from "../../kernel/src/kernel/late_modules";
import { cellCompilerOptions } from "../../kernel/src/kernel/watch_host";

/** The inotify watches process `pid` holds (Linux: one "inotify wd:" line per watch in fdinfo). */
function inotifyWatches(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (!readlinkSync(`/proc/${pid}/fd/${fd}`).includes("inotify")) continue;
      n += readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8").split("\n").filter((l) => l.startsWith("inotify wd:")).length;
    } catch {
      // a descriptor closed meanwhile
    }
  }
  return n;
}

function install(dir: string, name: string, value: number): void {
  mkdirSync(join(dir, "node_modules", name), { recursive: true });
  writeFileSync(join(dir, "node_modules", name, "index.js"), `exports.answer = ${value};\n`);
  writeFileSync(join(dir, "node_modules", name, "index.d.ts"), "export declare const answer: number;\n");
}

describe("a kernel in a folder with node_modules", () => {
  let dir: string;
  let k: KernelClient;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lrlab-late-"));
    // 400 packages of three nested folders: a project's node_modules in small
    for (let i = 0; i < 400; i++) mkdirSync(join(dir, "node_modules", `pkg${i}`, "lib", "deep"), { recursive: true });
    mkdirSync(join(dir, "node_modules", "@types", "somelib"), { recursive: true });
    // a global-declaring @types package: TypeScript took every @types package in (watch_host.ts 1.)
    writeFileSync(join(dir, "node_modules", "@types", "somelib", "index.d.ts"), "declare const somelibGlobal: number;\n");
    k = await KernelClient.start({ cwd: dir });
  }, 60_000);
  afterAll(async () => {
    await k?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("does not watch every folder of node_modules (each one was an inotify watch)", async () => {
    expect(resultText(await k.execute("1 + 1"))).toBe("2");
    const pid = Number(resultText(await k.execute("process.pid")));
    // Node's @types and lrlab's own .d.ts files are watched one by one (~160-400); the 1,200
    // folders here were watched as well, each one (1,600+ in all)
    expect(inotifyWatches(pid)).toBeLessThan(800);
  }, 60_000);

  it("a cell does not see the globals of other @types packages; Node's are there", async () => {
    const r = await k.execute("somelibGlobal");
    expect(r.reply.content.status).toBe("error");
    expect(String(r.reply.content.evalue)).toMatch(/Cannot find name 'somelibGlobal'/);
    expect(resultText(await k.execute("typeof process.versions.node"))).toBe("'string'");
  }, 60_000);

  it("a package installed after a cell failed to import it is found when the cell runs again", async () => {
    const first = await k.execute('import * as late from "late_pkg";\nlate.answer');
    expect(String(first.reply.content.evalue)).toMatch(/Cannot find module 'late_pkg'/);
    install(dir, "late_pkg", 42);
    expect(resultText(await k.execute('import * as late from "late_pkg";\nlate.answer'))).toBe("42");
    // a scoped one too
    const scoped = await k.execute('import * as s from "@scope/late";\ns.answer');
    expect(String(scoped.reply.content.evalue)).toMatch(/Cannot find module '@scope\/late'/);
    install(dir, "@scope/late", 7);
    expect(resultText(await k.execute('import * as s from "@scope/late";\ns.answer'))).toBe("7");
    // the cells before still stand: the new converter carries the earlier declarations
    expect(resultText(await k.execute("late.answer + s.answer"))).toBe("49");
  }, 90_000);
});

describe("LateModules", () => {
  const notFound = (name: string) => ({ code: 2307, messageText: `Cannot find module '${name}' or its corresponding type declarations.` });

  it("names the package of a bare specifier, nothing for a path", () => {
    expect(packageOf("lodash/fp")).toBe("lodash");
    expect(packageOf("@scope/pkg/sub")).toBe("@scope/pkg");
    expect(packageOf("./local")).toBeNull();
    expect(packageOf("/abs/x")).toBeNull();
    expect(packageOf("node:fs")).toBeNull();
    expect(packageOf("@scope")).toBeNull();
  });

  it("answers a package once it is on disk, and once per state of its folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "lrlab-late-unit-"));
    try {
      const late = new LateModules();
      expect(late.installedSince([notFound("foo")], dir)).toEqual([]);
      install(dir, "foo", 1);
      expect(late.installedSince([notFound("foo"), notFound("foo/sub")], dir)).toEqual(["foo"]);
      // the same folder again: no second restart for a package that still cannot be found
      expect(late.installedSince([notFound("foo")], dir)).toEqual([]);
      // types installed for it: its @types folder is new
      mkdirSync(join(dir, "node_modules", "@types", "foo"), { recursive: true });
      expect(late.installedSince([notFound("foo")], dir)).toEqual(["foo"]);
      // other errors are not looked at
      expect(late.installedSince([{ code: 2304, messageText: "Cannot find name 'foo'." }], dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("cellCompilerOptions (watch_host.ts)", () => {
  it("limits the global @types to Node's when a type root holds them, else leaves the options as they are", () => {
    const dir = mkdtempSync(join(tmpdir(), "lrlab-roots-"));
    try {
      const withNode = join(dir, "a"), without = join(dir, "b");
      mkdirSync(join(withNode, "node"), { recursive: true });
      writeFileSync(join(withNode, "node", "package.json"), "{}");
      mkdirSync(join(without, "chai"), { recursive: true });
      expect(cellCompilerOptions({ typeRoots: [without, withNode], strict: false })).toEqual({ typeRoots: [without, withNode], strict: false, types: ["node"] });
      // no Node types anywhere: `types: ["node"]` would be an error on every cell
      const bare = { typeRoots: [without] };
      expect(cellCompilerOptions(bare)).toBe(bare);
      // types the caller chose stay
      const chosen = { typeRoots: [withNode], types: [] };
      expect(cellCompilerOptions(chosen)).toBe(chosen);
      // lrlab's declaration bundle (dts_bundle.ts): its root added, and its package to Node's
      const bundle = join(dir, "types");
      expect(cellCompilerOptions({ typeRoots: [without, withNode] }, bundle)).toEqual({ typeRoots: [without, withNode, bundle], types: ["node", "lrlab-kernel"] });
      // (without Node's, every package of every root is taken in: the bundle's too)
      expect(cellCompilerOptions(bare, bundle)).toEqual({ typeRoots: [without, bundle] });
      expect(cellCompilerOptions(chosen, bundle)).toEqual({ typeRoots: [withNode, bundle], types: ["lrlab-kernel"] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
