/**
 * SIGINT with the watchdog held between cells (kernel/src/kernel/sigint.ts): a synchronous cell is
 * still stopped, an awaiting one too (no listener hears the signal then: the engine polls), a
 * SIGINT while idle harms nothing and does not stop the next cell, and a cell that listens to
 * SIGINT itself neither kills the kernel nor loses interrupts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

let k: KernelClient;
// LRLAB_KERNEL_DEBUG: the kernel says on stderr that it dropped an idle SIGINT (signalWhileIdle
// waits for that line); without it the line goes to the log file only (sigint_quiet.test.ts)
beforeAll(async () => { k = await KernelClient.start({ env: { LRLAB_KERNEL_DEBUG: "1" } }); });
afterAll(async () => { await k?.shutdown(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SIGINT with the watchdog held", () => {
  it("the kernel holds the watchdog (so a cell does not start and join a thread)", async () => {
    const r = await k.execute(`require(${JSON.stringify(require.resolve("../../kernel/dist/kernel/sigint.js"))}).sigintWatchdogHeld()`);
    expect(resultText(r)).toBe("true");
  });

  it("SIGINT stops a cell awaiting a promise within seconds (it waited 60)", async () => {
    const p = k.execute(`await new Promise((r) => setTimeout(r, 60000));`);
    await k.started();
    await sleep(500);
    const t0 = Date.now();
    k.interruptBySignal();
    // Seen once, in a loaded run of four kernel test files (session 17), never reproduced: the
    // cell went on awaiting. What the kernel logged then is part of the failure, and the cell is
    // stopped by message so that the next cases run.
    const r = await Promise.race([p, sleep(15_000).then(() => null)]);
    if (r === null) await k.interruptByMessage().then(() => p);
    expect(r, `no reply 15 s after the SIGINT; the kernel's stderr:\n${k.stderr}`).not.toBeNull();
    // ~100 ms on a quiet machine; 1.1-1.3 s with four times more runnable threads than cores
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r!.reply.content.ename, JSON.stringify(r!.reply.content)).toBe("KeyboardInterrupt");
  });

  // The kernel logs (stderr) each SIGINT it dropped as idle. Waiting for that line, not a fixed
  // time: on a loaded machine (a CI run) the watchdog's thread recorded a SIGINT sent while idle
  // only after the next cell had started, which it then stopped, as any SIGINT during a cell.
  const DROPPED = /a SIGINT (that came while the kernel was idle|recorded as the last request ended) was dropped/g;
  async function signalWhileIdle(): Promise<void> {
    const before = k.stderr.match(DROPPED)?.length ?? 0;
    k.interruptBySignal();
    const end = Date.now() + 20_000;
    while ((k.stderr.match(DROPPED)?.length ?? 0) === before && Date.now() < end) await sleep(20);
    expect(k.stderr.match(DROPPED)?.length ?? 0, k.stderr).toBe(before + 1);
  }

  it("SIGINT while idle: the kernel lives, drops it, and the next cells (synchronous and awaiting) run to the end", async () => {
    await signalWhileIdle();
    expect(k.alive).toBe(true);
    const sync = await k.execute(`let spins = 0; { const t = Date.now(); while (Date.now() - t < 300) spins++; } spins > 0`);
    expect(resultText(sync), JSON.stringify(sync.reply.content)).toBe("true");
    await signalWhileIdle();
    const awaiting = await k.execute(`await new Promise((r) => setTimeout(() => r("waited"), 300))`);
    expect(awaiting.reply.content.status, JSON.stringify(awaiting.reply.content)).toBe("ok");
    expect(resultText(awaiting)).toBe("'waited'");
  });

  it("a cell's own SIGINT listener hears a SIGINT while idle; interrupts still stop cells; the kernel lives", async () => {
    await k.execute(`let heard = 0; const onInt = () => { heard++; }; process.on("SIGINT", onInt);`);
    k.interruptBySignal();
    await sleep(300);
    expect(k.alive).toBe(true);
    expect(resultText(await k.execute("heard"))).toBe("1");
    for (const how of ["signal", "message"] as const) {
      const p = k.execute(`for (;;) {}`);
      await k.started();
      await sleep(500);
      if (how === "signal") k.interruptBySignal(); else await k.interruptByMessage();
      const r = await p;
      expect(r.reply.content.ename, `${how}: ${JSON.stringify(r.reply.content)}`).toBe("KeyboardInterrupt");
      expect(k.alive).toBe(true);
    }
    // Once nobody listens, the watchdog is held again, and a loop is still stopped by SIGINT.
    // (Removed from a timer: during a cell's run Node's vm has taken the listeners off and puts
    // them back after it, so a removal inside the cell's own code does nothing.)
    await k.execute(`setTimeout(() => process.removeListener("SIGINT", onInt), 0); await new Promise((r) => setTimeout(r, 50));`);
    await k.execute(`1`);
    const held = await k.execute(`require(${JSON.stringify(require.resolve("../../kernel/dist/kernel/sigint.js"))}).sigintWatchdogHeld()`);
    expect(resultText(held)).toBe("true");
    const p = k.execute(`for (;;) {}`);
    await k.started();
    await sleep(500);
    k.interruptBySignal();
    expect((await p).reply.content.ename).toBe("KeyboardInterrupt");
    expect(resultText(await k.execute("1 + 1"))).toBe("2");
  });
});

describe("an interrupt while the main thread is busy before the cell runs", () => {
  // 90 s: the check of this cell cannot stop early (no function in it) and took over 30 s with
  // the full suite beside three users' passes (session 17)
  it("stops a cell that was still being compiled instead of letting it run to its end", { timeout: 90_000 }, async () => {
    // The first cell after a restart waits seconds for TypeScript (seen in JupyterLab: the stop
    // button did nothing, the loop ran its whole time): an interrupt then found no script to stop
    // and was lost. A cell of a few thousand typed lines takes as long to check; the interrupt
    // comes while it is checked.
    const lines = Array.from({ length: 4000 }, (_, i) => `const busy_${i}: number = ${i} * 2;`).join("\n");
    // The loop would run 16 s, and a cell that ran it would end "ok" (it is interrupted once,
    // during the check) with spins_c defined. Its time is not a test: the check of this cell,
    // which has no function where the check could stop early, takes ~1 s here, 9.6 s and 18 s
    // seen on loaded 2-core machines.
    const p = k.execute(`${lines}\nlet spins_c = 0; const t_c = Date.now(); while (Date.now() - t_c < 16000) spins_c++; spins_c`);
    await k.started(); // (client.ts; a loaded run of session 17: the interrupt came first, the loop ran its 16 s)
    await sleep(200);
    await k.interruptByMessage();
    const r = await p;
    expect(r.reply.content.ename, JSON.stringify(r.reply.content)).toBe("KeyboardInterrupt");
    // nothing of it ran, and the interrupt is not left over for the next cell
    const after = await k.execute("spins_c");
    expect(JSON.stringify(after.reply.content)).toMatch(/Cannot find name 'spins_c'/);
    expect(resultText(await k.execute("1 + 1"))).toBe("2");
  });

  it("ends the type check of a large cell early (it waited for the whole check), and later cells check as before", { timeout: 90_000 }, async () => {
    // TypeScript asks the interrupt at every function it checks (decl_diagnostics.ts).
    const fns = (tag: string) => Array.from({ length: 4000 }, (_, i) => `function ${tag}_${i}(x: number): number { return x * ${i} + ${i}; }`).join("\n");
    await k.execute(`${fns("warm")}\n0`); // the first large check is slower (the checker's code)
    const timed = async (code: string) => {
      const t = Date.now();
      const r = await k.execute(code);
      return { r, ms: Date.now() - t };
    };
    const before = await timed(`${fns("whole")}\n1`);
    expect(resultText(before.r)).toBe("1");
    const t = Date.now();
    const p = k.execute(`${fns("cut")}\nconst ran_cut = true; ran_cut`);
    await k.started();
    await sleep(Math.min(300, before.ms / 4));
    await k.interruptByMessage();
    const r = await p;
    const cut = Date.now() - t;
    // the whole check timed before and after the interrupted one: a loaded machine slows any of
    // the three (one run of 3000 functions: 1.66 s whole, then 1.31 s interrupted)
    const after = await timed(`${fns("whole_after")}\n2`);
    const full = Math.max(before.ms, after.ms);
    expect(r.reply.content.ename, JSON.stringify(r.reply.content)).toBe("KeyboardInterrupt");
    expect(cut, `interrupted after ${cut} ms, the whole check took ${before.ms} and ${after.ms} ms`).toBeLessThan(full * 0.75);
    // nothing of it ran or was declared; the earlier cells' names still check (a new checker)
    expect(JSON.stringify((await k.execute("ran_cut")).reply.content)).toMatch(/Cannot find name 'ran_cut'/);
    expect(resultText(await k.execute("whole_7(2)"))).toBe("21");
    expect(JSON.stringify((await k.execute("const bad: string = whole_7(2)")).reply.content)).toMatch(/Type 'number' is not assignable to type 'string'/);
  });
});
