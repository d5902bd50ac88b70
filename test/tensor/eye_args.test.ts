// torch.eye's errors for sizes that are not ints or are negative: PyTorch's type and message
// (test/fixtures/generate_eye_args.py), and PyTorch's result where it gives one.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../kernel/src/tensor/index";

const fx = JSON.parse(readFileSync(join(__dirname, "../fixtures/tensor/eye_args.json"), "utf8"));

interface Case {
  args: unknown[];
  type: "TypeError" | "RuntimeError" | null;
  message: string | null;
}

describe("torch.eye's arguments, as PyTorch's parser", () => {
  for (const c of fx.cases as Case[]) {
    it(`eye(${JSON.stringify(c.args).slice(1, -1)})`, () => {
      const call = () => (torch.eye as (...a: unknown[]) => torch.Tensor)(...c.args);
      if (c.message === null) {
        const [n, m] = c.args as [number, number | { m: number } | undefined];
        const cols = typeof m === "object" ? m.m : m ?? n;
        expect(call().shape).toEqual([n, cols]);
        return;
      }
      let error: Error | null = null;
      try {
        call();
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toBe(c.message);
      // Python's TypeError is a JS TypeError; a RuntimeError is named so
      if (c.type === "TypeError") expect(error).toBeInstanceOf(TypeError);
      else expect(error?.name).toBe("RuntimeError");
    });
  }
});
