/** The `lrlab` CLI: install / uninstall into a prefix, usage errors. */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, lstatSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./client";

const BIN = join(ROOT, "kernel", "bin", "lrlab.js");
const lrlab = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, JUPYTER_DATA_DIR: join(tmpdir(), "lrlab-no-user") } });

describe("lrlab CLI", () => {
  it("install --prefix writes the kernelspec with logos and the labextension; uninstall removes them", () => {
    const prefix = mkdtempSync(join(tmpdir(), "lrlab-prefix-"));
    const r = lrlab("install", "--prefix", prefix);
    expect(r.status, r.stderr).toBe(0);
    const kdir = join(prefix, "share", "jupyter", "kernels", "lrlab");
    const spec = JSON.parse(readFileSync(join(kdir, "kernel.json"), "utf8"));
    expect(spec.display_name).toBe("TypeScript (lrlab)");
    expect(spec.language).toBe("typescript");
    expect(spec.interrupt_mode).toBe("message");
    expect(spec.argv[0]).toBe(process.execPath);
    expect(spec.argv[1]).toBe(BIN);
    expect(spec.argv.slice(2)).toEqual(["kernel", "--connection-file", "{connection_file}"]);
    for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
      const png = readFileSync(join(kdir, logo));
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      const size = Number(logo.match(/(\d+)x/)![1]);
      expect(png.readUInt32BE(16)).toBe(size); // IHDR width
    }
    const ext = join(prefix, "share", "jupyter", "labextensions", "lrlab-jupyterlab");
    if (existsSync(join(ROOT, "extension", "labextension", "package.json"))) {
      expect(existsSync(join(ext, "package.json"))).toBe(true);
    } else {
      expect(r.stdout).toContain("labextension not built");
    }
    const u = lrlab("uninstall", "--prefix", prefix);
    expect(u.status).toBe(0);
    expect(existsSync(kdir)).toBe(false);
    expect(() => lstatSync(ext)).toThrow();
  });

  it("--user honours JUPYTER_DATA_DIR; --quiet prints nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "lrlab-user-"));
    const r = spawnSync(process.execPath, [BIN, "install", "--user", "--quiet"], { encoding: "utf8", env: { ...process.env, JUPYTER_DATA_DIR: dir } });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(existsSync(join(dir, "kernels", "lrlab", "kernel.json"))).toBe(true);
  });

  it("bad usage exits 2 with the usage", () => {
    for (const args of [["install", "--prefix"], ["install", "--user", "--prefix", "/tmp/x"], ["frobnicate"], ["kernel"], ["install", "--bogus"]]) {
      const r = lrlab(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("usage:");
    }
  });

  it("kernel with a missing connection file fails with a clear message", () => {
    const r = lrlab("kernel", "--connection-file", "/nonexistent/conn.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot read connection file /nonexistent/conn.json");
  });
});
