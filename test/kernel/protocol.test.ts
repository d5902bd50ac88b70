/**
 * The kernel's protocol against a real client (test/kernel/client.ts speaks ZeroMQ with signed
 * messages): results, errors pointing at the user's line, survival of bad user code, stdin,
 * history, comms, pager, completion, inspection, stop_on_error, and a forged signature.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType, resultText } from "./client";
import * as zmq from "zeromq";
import { decode, encode, newHeader, Signer } from "../../kernel/src/kernel/wire";

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

describe("iopub", () => {
  it("welcomes each subscriber with iopub_welcome (JEP 65) on its own topic", async () => {
    // two more subscribers join the running kernel: one to everything, one to a topic
    for (const topic of ["", "kernel."]) {
      const sub = new zmq.Subscriber({ linger: 0 });
      sub.subscribe(topic);
      sub.connect(`tcp://${k.info.ip}:${k.info.iopub_port}`);
      try {
        const frames = await Promise.race([
          sub.receive(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no iopub_welcome in 5 s; kernel stderr:\n${k.stderr}`)), 5000)),
        ]);
        if (topic) expect(frames[0].toString()).toBe(topic);
        const m = decode(frames as Buffer[], k.signer);
        expect([m.header.msg_type, m.content]).toEqual(["iopub_welcome", { subscription: topic }]);
      } finally {
        sub.close();
      }
    }
  });
});

describe("execute", () => {
  it("returns the last expression as execute_result; tensors print like PyTorch", async () => {
    expect(resultText(await k.execute("const a = 20; a * 2 + 2"))).toBe("42");
    expect(resultText(await k.execute("torch.tensor([[0.1, 0.2]], { requires_grad: true })"))).toBe("tensor([[0.1000, 0.2000]], requires_grad=True)");
    const none = await k.execute("let unused = 1;");
    expect(ofType(none, "execute_result")).toHaveLength(0);
  });

  it("keeps declarations across cells, with types", async () => {
    await k.execute("function sq(x: number): number { return x * x; }\ninterface P { n: number }");
    expect(resultText(await k.execute("const p: P = { n: sq(3) }; p.n"))).toBe("9");
  });

  it("reports a type error with line:col and the source line", async () => {
    const r = await k.execute('const ok = 1;\nconst s: string = 5;');
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.ename).toBe("TSError");
    expect(r.reply.content.evalue).toContain("2:7");
    const err = ofType(r, "error")[0].content;
    expect(err.traceback.join("\n")).toContain("const s: string = 5;");
  });

  it("says what to write instead where PyTorch habits meet TypeScript, with short type names", async () => {
    const tb = async (code: string) => ofType(await k.execute(code), "error")[0].content.traceback.join("\n");
    const call = await tb("const hintNet = new torch.nn.Linear(2, 1);\nhintNet(torch.randn(3, 2))");
    expect(call).toContain("hint: a torch.nn module (or loss) is called through its forward method: hintNet.forward(...)");
    const plus = await tb("torch.randn(2) + torch.randn(2)");
    expect(plus).toContain("Operator '+' cannot be applied to types 'Tensor' and 'Tensor'"); // not import("/…/tensor").Tensor
    expect(plus).toContain("hint: tensors have no operators in JavaScript: a + b is a.add(b)");
    // a type error with no such habit behind it gets no hint
    expect(await tb("const hintS: string = 5;")).not.toContain("hint:");
  });

  it("points a runtime error at the user's line", async () => {
    const r = await k.execute("const before = 1;\nfunction boom(): never {\n  throw new RangeError('too big');\n}\nboom();");
    const e = ofType(r, "error")[0].content;
    expect(e.ename).toBe("RangeError");
    expect(e.evalue).toBe("too big");
    expect(e.traceback[0]).toContain("cell line 3");
    expect(e.traceback[0]).toContain("throw new RangeError");
    expect(resultText(await k.execute("before"))).toBe("1");
  });

  it("streams console output, including output written after the cell returned", async () => {
    const r = await k.execute("console.log('now'); setTimeout(() => console.log('later'), 100); 0");
    expect(r.stdout).toBe("now\n");
    const id = r.reply.parent_header.msg_id;
    const deadline = Date.now() + 3000;
    const late = () => k.iopubLog.find((m) => m.header.msg_type === "stream" && m.parent_header.msg_id === id && m.content.text.includes("later"));
    while (!late() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(late()).toBeDefined();
  });

  it("runs empty, comment-only and declaration-only cells", async () => {
    for (const code of ["", "   \n", "// just a comment", "type Alias = number;", "interface Shape { n: number }"]) {
      const r = await k.execute(code);
      expect(r.reply.content.status, code).toBe("ok");
      expect(ofType(r, "execute_result")).toHaveLength(0);
    }
    expect(resultText(await k.execute("const al: Alias = 3; al"))).toBe("3");
  });

  it("supports top-level await", async () => {
    const r = await k.execute("const v = await new Promise<number>((res) => setTimeout(() => res(7), 20)); v * 6");
    expect(resultText(r)).toBe("42");
  });

  it("silent runs without execute_input, result or history", async () => {
    const before = (await k.request("history_request", { hist_access_type: "tail", n: 1000, output: false, raw: true })).content.history.length;
    const r = await k.execute("123", { silent: true });
    expect(ofType(r, "execute_result")).toHaveLength(0);
    expect(k.iopubLog.some((m) => m.header.msg_type === "execute_input" && m.content.code === "123")).toBe(false);
    const after = (await k.request("history_request", { hist_access_type: "tail", n: 1000, output: false, raw: true })).content.history.length;
    expect(after).toBe(before);
  });

  it("evaluates user_expressions", async () => {
    const r = await k.execute("const ue = 5;", { user_expressions: { twice: "ue * 2", bad: "nope_undefined_name" } });
    expect(r.reply.content.user_expressions.twice).toEqual({ status: "ok", data: { "text/plain": "10" }, metadata: {} });
    expect(r.reply.content.user_expressions.bad.status).toBe("error");
  });

  it("stop_on_error aborts the queued cells; without it they run", async () => {
    const [a, b] = await Promise.all([k.execute("throw new Error('first')"), k.execute("globalThis.ranAfter = true")]);
    expect(a.reply.content.status).toBe("error");
    expect(b.reply.content.status).toBe("aborted");
    expect(resultText(await k.execute("(globalThis as any).ranAfter === true"))).toBe("false");
    const [c, d] = await Promise.all([k.execute("throw new Error('again')", { stop_on_error: false }), k.execute("3")]);
    expect(c.reply.content.status).toBe("error");
    expect(resultText(d)).toBe("3");
  });

  it("display with display_id, update_display_data and clear_output", async () => {
    const r = await k.execute('const dh = display("one", { display_id: "d1" });\ndh.update("two");\nclear_output({ wait: true });');
    const d = ofType(r, "display_data")[0].content;
    expect(d.data["text/plain"]).toBe("'one'");
    expect(d.transient.display_id).toBe("d1");
    const u = ofType(r, "update_display_data")[0].content;
    expect(u.data["text/plain"]).toBe("'two'");
    expect(u.transient.display_id).toBe("d1");
    expect(ofType(r, "clear_output")[0].content.wait).toBe(true);
  });

  it("re-running an unchanged cell reuses its type-check and still runs it anew", async () => {
    await k.execute("let runs = 0;");
    const cell = "runs += 1;\nconst label: string = `run ${runs}`;\nlabel";
    expect(resultText(await k.execute(cell))).toBe("'run 1'");
    expect(resultText(await k.execute(cell))).toBe("'run 2'");
    expect(resultText(await k.execute(cell))).toBe("'run 3'");
    // A type error is still reported on every run, cached or not.
    for (let i = 0; i < 2; i++) {
      const bad = await k.execute("const n: number = 'text';");
      expect(bad.reply.content.status).toBe("error");
    }
  });

  it("display(x) ending a cell adds no execute_result (IPython's display returns None), a display_id handle does", async () => {
    const plain = await k.execute('display("shown once")');
    expect(ofType(plain, "display_data")).toHaveLength(1);
    expect(ofType(plain, "execute_result")).toHaveLength(0);
    const withId = await k.execute('display("x", { display_id: "d2" })');
    expect(ofType(withId, "execute_result")[0].content.data["text/plain"]).toBe('DisplayHandle(display_id="d2")');
  });

  it("shows plot bundles for lrlab objects", async () => {
    const r = await k.execute("lrlab.preview((o) => new torch.optim.lr_scheduler.ExponentialLR(o, { gamma: 0.9 }), { steps: 20 })");
    const data = ofType(r, "execute_result")[0].content.data;
    for (const mime of ["application/vnd.lrlab.plot+json", "application/vnd.plotly.v1+json", "image/svg+xml", "text/plain"]) expect(data).toHaveProperty([mime]);
  });
});

describe("never dies from user code", () => {
  it("survives uncaught exceptions, unhandled rejections, stack overflows and failing displays", async () => {
    const late = await k.execute("setTimeout(() => { throw new Error('late boom'); }, 10); 1");
    expect(resultText(late)).toBe("1");
    await new Promise((r) => setTimeout(r, 300));
    expect(k.iopubLog.some((m) => m.header.msg_type === "error" && m.content.evalue === "late boom")).toBe(true);
    // Reported among the cell's own messages, before its idle: JupyterLab drops what comes after
    // (it used to come after the reply).
    const rejected = await k.execute("Promise.reject(new Error('nobody catches me')); 2");
    expect(ofType(rejected, "error").map((m) => m.content.evalue)).toEqual(["nobody catches me"]);
    const so = await k.execute("function down(n: number): number { return down(n + 1) + 1; }\ndown(0)");
    expect(so.reply.content.ename).toBe("RangeError");
    const bad = await k.execute("({ _repr_mimebundle_() { throw new Error('cannot draw'); } })");
    expect(bad.reply.content.status).toBe("error");
    expect(bad.reply.content.evalue).toBe("cannot draw");
    const exit = await k.execute("process.exit(3)");
    expect(exit.reply.content.evalue).toContain("disabled");
    const thrownValue = await k.execute("throw 42");
    expect(thrownValue.reply.content.evalue).toBe("42");
    expect((await k.execute("throw 42n")).reply.content.evalue).toBe("42n");
    expect(k.alive).toBe(true);
    expect(resultText(await k.execute("'still here'"))).toBe("'still here'");
  });
});

describe("stdin", () => {
  it("an input_reply whose value cannot be read as text is dropped, and the next one answers the prompt", async () => {
    // {"toString": 1} threw in the stdin loop and ended it: every later prompt() waited forever.
    k.stdinHandler = (m) => {
      void k.stdin.send(encode(k.signer, [], newHeader("input_reply", k.session), m.header, {}, { value: { toString: 1 } }));
      setTimeout(() => void k.stdin.send(encode(k.signer, [], newHeader("input_reply", k.session), m.header, {}, { value: "second" })), 200);
    };
    const r = await k.execute('prompt("again?")', { allow_stdin: true });
    expect(resultText(r)).toBe("'second'");
    k.stdinHandler = null;
  });

  it("prompt() sends input_request and returns the reply", async () => {
    k.stdinHandler = (m) => {
      expect(m.header.msg_type).toBe("input_request");
      expect(m.content.prompt).toBe("your name?");
      void k.stdin.send(encode(k.signer, [], newHeader("input_reply", k.session), m.header, {}, { value: "Ada" }));
    };
    const r = await k.execute('const nm = prompt("your name?"); "hello " + nm', { allow_stdin: true });
    expect(resultText(r)).toBe("'hello Ada'");
    k.stdinHandler = null;
  });

  it("an interrupt while prompt() waits ends the cell with KeyboardInterrupt", async () => {
    let asked = false;
    k.stdinHandler = () => { asked = true; };
    const p = k.execute('const never = prompt("waiting");', { allow_stdin: true });
    const deadline = Date.now() + 5000;
    while (!asked && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(asked).toBe(true);
    await k.interruptByMessage();
    const r = await p;
    expect(r.reply.content.ename).toBe("KeyboardInterrupt");
    k.stdinHandler = null;
    expect(resultText(await k.execute("'after'"))).toBe("'after'");
  });

  it("prompt() without allow_stdin is a clear error", async () => {
    const r = await k.execute('prompt("x")', { allow_stdin: false });
    expect(r.reply.content.evalue).toContain("allow_stdin");
  });
});

describe("other requests", () => {
  it("kernel_info has status, TypeScript language_info, banner, help_links", async () => {
    const c = (await k.request("kernel_info_request", {})).content;
    expect(c.status).toBe("ok");
    expect(c.protocol_version).toBe("5.4");
    expect(c.language_info.name).toBe("typescript");
    expect(c.language_info.file_extension).toBe(".ts");
    expect(c.banner).toContain("lrlab");
    expect(c.help_links.length).toBeGreaterThan(0);
    // every link is a real, public address: no made-up project URL (it pointed at github.com/lrlab/lrlab)
    expect(c.help_links.map((l: { url: string }) => new URL(l.url).host)).toEqual(["www.typescriptlang.org", "pytorch.org"]);
    const viaControl = (await k.request("kernel_info_request", {}, { channel: "control" })).content;
    expect(viaControl.implementation).toBe("lrlab");
  });

  it("history: tail, range, search with output", async () => {
    await k.execute("'hist-marker-1'");
    await k.execute("'hist-marker-2'");
    const tail = (await k.request("history_request", { hist_access_type: "tail", n: 2, output: true, raw: true })).content.history;
    expect(tail.map((h: any) => h[2][0])).toEqual(["'hist-marker-1'", "'hist-marker-2'"]);
    expect(tail[1][2][1]).toBe("'hist-marker-2'");
    const [session, line] = tail[0];
    const range = (await k.request("history_request", { hist_access_type: "range", session, start: line, stop: line + 1, output: false, raw: true })).content.history;
    expect(range).toEqual([[session, line, "'hist-marker-1'"]]);
    const search = (await k.request("history_request", { hist_access_type: "search", pattern: "*hist-marker-?*", n: 10, unique: true, output: false, raw: true })).content.history;
    expect(search.map((h: any) => h[2])).toEqual(["'hist-marker-1'", "'hist-marker-2'"]);
  });

  it("comm_info lists no comms; a comm_open to an unknown target is closed", async () => {
    const info = await k.request("comm_info_request", {});
    expect(info.content).toEqual({ status: "ok", comms: {} });
    const header = k.header("comm_open");
    await k.sendRaw(encode(k.signer, [], header, {}, {}, { comm_id: "c-1", target_name: "nobody", data: {} }));
    const deadline = Date.now() + 5000;
    while (!k.iopubLog.some((m) => m.header.msg_type === "comm_close" && m.content.comm_id === "c-1") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(k.iopubLog.some((m) => m.header.msg_type === "comm_close" && m.content.comm_id === "c-1")).toBe(true);
  });

  it("is_complete: complete, incomplete with indent, invalid", async () => {
    const ask = async (code: string) => (await k.request("is_complete_request", { code })).content;
    expect((await ask("let x = 1")).status).toBe("complete");
    expect(await ask("for (let i = 0; i < 3; i++) {")).toEqual({ status: "incomplete", indent: "  " });
    expect((await ask("let = ;")).status).toBe("invalid");
  });

  it("complete and inspect use the TypeScript checker; Shift-Tab on torch.optim.Adam shows its docs", async () => {
    const c = (await k.request("complete_request", { code: "torch.optim.lr_scheduler.Step", cursor_pos: 29 })).content;
    expect(c.matches).toContain("StepLR");
    expect(c.cursor_start).toBe(25);
    const m = (await k.request("complete_request", { code: "%lr_s", cursor_pos: 5 })).content;
    expect(m.matches).toEqual(expect.arrayContaining(["%lr_schedule", "%lr_scale"]));
    const i = (await k.request("inspect_request", { code: "torch.optim.Adam", cursor_pos: 16, detail_level: 0 })).content;
    expect(i.found).toBe(true);
    expect(i.data["text/plain"]).toContain("Adam");
    // The doc comment (from the declaration, or else the declaring file's header), not only the signature.
    expect(i.data["text/plain"].split("\n").length).toBeGreaterThan(3);
    // a name that resolves to nothing is not found (it was found, with "any" as its docs)
    const none = (await k.request("inspect_request", { code: "no_such_name_here", cursor_pos: 5, detail_level: 0 })).content;
    expect(none).toMatchObject({ status: "ok", found: false, data: {} });
    // the learning rate of a param group is typed (Tab offers it; Shift-Tab says what it is)
    const pg = "new torch.optim.SGD([], { lr: 0.1 }).param_groups[0].";
    expect((await k.request("complete_request", { code: pg, cursor_pos: pg.length })).content.matches).toContain("lr");
    const lrDoc = (await k.request("inspect_request", { code: pg + "lr", cursor_pos: pg.length + 2, detail_level: 0 })).content;
    expect(lrDoc.data["text/plain"]).toMatch(/lr: number[\s\S]*configured learning rate/);
    const src = "new torch.optim.Adam([], { ";
    const opts = (await k.request("complete_request", { code: src, cursor_pos: src.length })).content;
    expect(opts.matches).toEqual(expect.arrayContaining(["lr", "betas", "eps", "weight_decay", "amsgrad"]));
  });

  it("expr? pages documentation", async () => {
    const r = await k.execute("torch.optim.SGD?");
    expect(r.reply.content.payload[0].source).toBe("page");
    expect(r.reply.content.payload[0].data["text/plain"]).toContain("SGD");
    const missing = await k.execute("no_such_thing?");
    expect(missing.reply.content.status).toBe("error");
    // on the last line of a cell, after code (IPython's habit): the code runs, then the help shows
    const after = await k.execute("const helpNet = new torch.nn.Linear(2, 1);\nhelpNet?\n");
    expect(after.reply.content.status).toBe("ok");
    expect(after.reply.content.payload[0].data["text/plain"]).toContain("Linear");
    expect(resultText(await k.execute("helpNet.in_features"))).toBe("2");
  });
});

describe("security", () => {
  it("drops a message with a bad signature and never runs it", async () => {
    const forged = new Signer("not-the-key");
    await k.sendRaw(encode(forged, [], k.header("execute_request"), {}, {},
      { code: "(globalThis as any).pwned = true", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }));
    const unsigned = encode(new Signer(""), [], k.header("execute_request"), {}, {},
      { code: "(globalThis as any).pwned = true", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    await k.sendRaw(unsigned);
    await new Promise((r) => setTimeout(r, 500));
    const check = await k.execute("(globalThis as any).pwned === undefined");
    expect(resultText(check), JSON.stringify(check.reply.content)).toBe("true");
    expect(k.stderr).toContain("invalid HMAC signature");
  });

  it("drops a message whose content is not a JSON object, on control too, and control keeps serving", async () => {
    // A shutdown_request with content `null` threw in the control thread's loop and ended it: no
    // interrupt, kernel_info or shutdown on control answered again.
    const signer = k.signer;
    for (const content of [null, [1, 2], "text"]) {
      const parts = [k.header("shutdown_request"), {}, {}, content].map((o) => Buffer.from(JSON.stringify(o)));
      await k.sendRaw([Buffer.from("<IDS|MSG>"), Buffer.from(signer.sign(parts)), ...parts], "control");
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(k.stderr).toMatch(/dropped a control message: content is null, not a JSON object/);
    expect(k.stderr).toMatch(/content is a list, not a JSON object/);
    const info = await k.request("kernel_info_request", {}, { channel: "control", timeout: 5000 });
    expect(info.content.implementation).toBe("lrlab");
    expect(k.alive).toBe(true);
  });

  it("drops a header without msg_id; answers a request it cannot serve with an error reply, not silence", async () => {
    const signer = k.signer;
    const header: Record<string, unknown> = { ...k.header("execute_request") };
    delete header.msg_id;
    const parts = [header, {}, {}, { code: "(globalThis as any).noMsgId = true", silent: false }].map((o) => Buffer.from(JSON.stringify(o)));
    await k.sendRaw([Buffer.from("<IDS|MSG>"), Buffer.from(signer.sign(parts)), ...parts]);
    await new Promise((r) => setTimeout(r, 300));
    expect(k.stderr).toMatch(/header without msg_id/);
    expect(resultText(await k.execute("(globalThis as any).noMsgId === undefined"))).toBe("true");
    // a null parent_header or metadata is answered, as ipykernel does
    const nullParts = [k.header("kernel_info_request"), null, null, {}].map((o) => Buffer.from(JSON.stringify(o)));
    const before = k.iopubLog.length;
    await k.sendRaw([Buffer.from("<IDS|MSG>"), Buffer.from(signer.sign(nullParts)), ...nullParts]);
    await expect.poll(() => k.iopubLog.slice(before).some((m) => m.parent_header.msg_id === JSON.parse(nullParts[0].toString()).msg_id), { timeout: 5000 }).toBe(true);
    // complete_request without code: the handler threw and no reply came
    const r = await k.request("complete_request", { cursor_pos: 0 }, { timeout: 5000 });
    expect(r.content).toMatchObject({ status: "error", ename: "TypeError", evalue: "complete_request: content.code must be a string, got nothing" });
  });

  it("reports a promise a user expression rejected within its request, before idle", async () => {
    const r = await k.execute("1", { user_expressions: { p: "Promise.reject(new Error('expr rejected'))" } });
    expect(ofType(r, "error").map((m) => m.content.evalue)).toEqual(["expr rejected"]);
  });

  it("skips user_expressions after a failed cell, as ipykernel does (they ran, with their effects)", async () => {
    const failed = await k.execute("throw new Error('cell fails')", { user_expressions: { x: "(globalThis as any).exprRan = true" } });
    expect(failed.reply.content.status).toBe("error");
    expect(resultText(await k.execute("(globalThis as any).exprRan === undefined"))).toBe("true");
  });
});
