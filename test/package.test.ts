// The package as a user imports it: from the repository root after set-up, through node's own
// module resolution (the `lrlab` workspace link and package.json "exports"), not vitest's.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..");
const node = (code: string) => execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, encoding: "utf8" }).trim();

describe("the lrlab package", () => {
  it("imports as `import * as torch from 'lrlab'` and prints a tensor like PyTorch", () => {
    expect(node("import * as torch from 'lrlab'; console.log(String(torch.tensor([1, 2])))")).toBe("tensor([1., 2.])");
  });
  it("exposes the tools as 'lrlab/tools'", () => {
    expect(node("import * as lrlab from 'lrlab/tools'; console.log([typeof lrlab.trace, typeof lrlab.preview, typeof lrlab.find, typeof lrlab.scale].join())"))
      .toBe("function,function,function,function");
  });
});
