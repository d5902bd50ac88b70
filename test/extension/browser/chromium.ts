/**
 * Debian's chromium driven by playwright-core (Playwright's own browser download does not work
 * here): flags from /work/shared/RECIPES.md, a fresh profile folder per run.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

export async function launchChromium(executable = CHROMIUM): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(executable)) {
    throw new Error(`${executable} is missing: the browser tests need Debian's chromium; run \`npm run setup -- --for-tests\``);
  }
  const profile = mkdtempSync(join(tmpdir(), "lrlab-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: executable,
    headless: true,
    viewport: { width: 1280, height: 1000 },
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync",
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
