/**
 * An interrupt that comes while a magic evaluates one of its options' expressions stops the cell
 * with KeyboardInterrupt, as anywhere else. Before, the magic wrapped it as a bad option:
 * "UsageError: model=...: Script execution was interrupted by `SIGINT`" (seen in a loaded run of
 * live.test.ts's %lr_find case, whose interrupt came while the magic was still evaluating).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); await k.execute("1"); }, 120_000);
afterAll(async () => { await k?.shutdown(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// an option whose expression holds the kernel for 30 s before it gives its value
const slow = (value: string) => `(() => { const t = Date.now(); while (Date.now() - t < 30000) {} return ${value}; })()`;

describe("an interrupt while a magic evaluates an option", () => {
  const cases: [string, string][] = [
    ["%lr_find model=", `%lr_find model=${slow("net_i")} loss=loss_i data=[x_i,y_i]`],
    ["%lr_schedule lr_lambda=", `%lr_schedule LambdaLR lr_lambda=${slow("(e: number) => 1")} --steps 5`],
  ];
  for (const [what, line] of cases) {
    for (const how of ["interrupt_request", "SIGINT"] as const) {
      it(`${what}, by ${how}: KeyboardInterrupt, not a UsageError; the kernel and the magic go on`, async () => {
        await k.execute("const net_i = new torch.nn.Linear(2, 1); const loss_i = new torch.nn.MSELoss(); const x_i = torch.randn(8, 2), y_i = torch.randn(8, 1);");
        const p = k.execute(line);
        await k.started();
        await sleep(1500);
        if (how === "SIGINT") k.interruptBySignal(); else await k.interruptByMessage();
        const r = await p;
        expect(r.reply.content.ename, JSON.stringify(r.reply.content)).toBe("KeyboardInterrupt");
        expect(resultText(await k.execute("1 + 1"))).toBe("2");
      });
    }
  }
});
