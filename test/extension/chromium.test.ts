import { describe, expect, it } from "vitest";
import { launchChromium } from "./browser/chromium";

describe("the browser for the browser tests", () => {
  it("a missing chromium is a failure that says how to install it, not a skip", async () => {
    await expect(launchChromium("/nonexistent/chromium")).rejects.toThrow(
      "/nonexistent/chromium is missing: the browser tests need Debian's chromium; run `npm run setup -- --for-tests`",
    );
  });
});
