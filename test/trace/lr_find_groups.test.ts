/**
 * The range test with several param groups (a user's pass: `Adam([{ params: emb, lr: 1e-2 },
 * { params: rest }], { lr: 3e-3 })` under %lr_find). Every group was set to the same rate, so the
 * 10:3 the user configured was not what was tested, and the one suggestion named no group. Now
 * the groups keep the ratio of their rates (each group's lr = its lr × the swept rate / group 0's
 * lr; the rates tested and the x axis are group 0's), the text gives each group's suggestions and
 * says how the groups were swept, and everything is restored as before. One group: as before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { find, type FindOptions, type RangeTest } from "../../kernel/src/trace/index";
import { PLOT_MIME, type PlotPayload } from "../../kernel/src/plot/payload";
import { SVG_MIME, TEXT_MIME } from "../../kernel/src/plot/bundle";
import { fmt } from "../../kernel/src/plot/text";
import { KernelClient } from "../kernel/client";
import { loaderStep } from "./loader_step";

const nn = torch.nn;

class EmbNet extends nn.Module {
  emb = new nn.Linear(10, 32);
  head = new nn.Linear(32, 1);
  override forward(x: Tensor): Tensor {
    return this.head.forward(this.emb.forward(x).relu());
  }
}

interface Run {
  r: RangeTest;
  /** param_groups[j].lr at each step, as step_fn saw them (the rates the optimizer stepped with). */
  seen: number[][];
  opt: any;
  model: EmbNet;
}

/** The README's regression data, batches of 32 (as find_suggestions.test.ts), through `find` with the optimizer `makeOpt` builds. */
function run(makeOpt: (m: EmbNet) => any, o: FindOptions = {}): Run {
  torch.manual_seed(0);
  const X = torch.randn(256, 10);
  const Y = X.matmul(torch.randn(10, 1)).add(torch.randn(256, 1).mul(0.1));
  const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });
  torch.manual_seed(1);
  const model = new EmbNet();
  const opt = makeOpt(model);
  const loss_fn = new nn.MSELoss();
  const seen: number[][] = [];
  const step = loaderStep(loader, model, loss_fn, opt);
  const r = find(opt, () => {
    seen.push(opt.param_groups.map((g: { lr: number }) => g.lr));
    return step();
  }, { model, ...o });
  return { r, seen, opt, model };
}

const twoGroups = (m: EmbNet) => new torch.optim.Adam([{ params: Array.from(m.emb.parameters()), lr: 1e-2 }, { params: Array.from(m.head.parameters()) }], { lr: 3e-3 });

describe("lrlab.find with several param groups", () => {
  it("sweeps the groups at the ratio of their rates: group 0 over start_lr..end_lr, group 1 at 3/10 of it", () => {
    const { r, seen } = run(twoGroups, { num_iter: 60 });
    expect(seen.length).toBe(r.lrs.length);
    seen.forEach(([a, b], i) => {
      expect(a).toBe(r.lrs[i]);
      expect(b / a).toBeCloseTo(0.3, 12);
    });
    expect(seen[0][0]).toBe(1e-7);
    expect(seen[0][1]).toBeCloseTo(3e-8, 20);
    expect(r.lrs_of(1)).toEqual(seen.map((s) => s[1]));
    expect(r.groups.map((g) => [g.lr, g.ratio])).toEqual([[1e-2, 1], [3e-3, 3e-3 / 1e-2]]);
    expect(r.reference_group).toBe(0);
  });

  it("gives each group's suggestions (group 0's times the ratio), in the summary, the plot's labels and its caption", () => {
    const { r } = run(twoGroups, { num_iter: 60 });
    const s0 = r.suggestions;
    const s1 = r.suggestions_for(1);
    expect(s0.steepest, r.toString()).not.toBeNull();
    expect(s0.valley).not.toBeNull();
    for (const k of ["steepest", "valley", "minimum/10"] as const) {
      if (s0[k] === null) continue;
      expect(s1[k]! / s0[k]!).toBeCloseTo(0.3, 12);
      expect(r.suggestion(k, 1)).toBe(s1[k]);
      expect(r.suggestion(k)).toBe(s0[k]);
    }
    expect(r.suggestions_for(0)).toEqual(s0);
    const text = r.summary();
    expect(text[0]).toBe(`lr range test: ${r.lrs.length} rates from 1e-7 to ${fmt(r.lrs[r.lrs.length - 1])} of group 0`
      + `${r.diverged_at !== null ? ` (stopped: loss diverged at lr ${fmt(r.lrs[r.diverged_at])})` : ""}`);
    // the recommended one (valley) first, naming the groups, then the others by rate (find_order.ts)
    const part = (k: "steepest" | "minimum/10") => (s0[k] === null ? `${k} —` : `${k} ${fmt(s0[k])} for group 0, ${fmt(s1[k])} for group 1`);
    const rest = s0["minimum/10"] !== null && s0["minimum/10"] < s0.steepest! ? ["minimum/10", "steepest"] as const : ["steepest", "minimum/10"] as const;
    expect(text[1]).toBe(`  suggestions: valley ${fmt(s0.valley)} for group 0 (emb), ${fmt(s1.valley)} for group 1 (head) (recommended); `
      + rest.map(part).join("; "));
    expect(text[2]).toBe("  the 2 param groups were swept together keeping the ratio of their lrs (each group's lr = its lr × the swept rate / 0.01): "
      + "group 0 (emb) lr 0.01, group 1 (head) lr 0.003; the rates tested, the x axis and the plot's suggestions are group 0's");
    const b = r._repr_mimebundle_();
    const labels = (b[PLOT_MIME] as PlotPayload).markers.filter((m) => m.kind === "suggestion").map((m) => m.label);
    expect(labels.find((l) => l.startsWith("steepest "))).toBe(`steepest ${fmt(s0.steepest)} for group 0 (group 1: ${fmt(s1.steepest)})`);
    expect(b[TEXT_MIME]).toContain(text[2].trim());
    // the static picture's caption carries the groups' line (wrapped; its start is on one line)
    expect(b[SVG_MIME] as string).toContain("the 2 param groups were swept together");
    expect(() => r.suggestions_for(2)).toThrow(/group must be an integer index of the optimizer's param groups \(0\.\.1\), got 2/);
  });

  it("restores every group's rate, the parameters and the optimizer's state afterwards", () => {
    const { r, opt, model } = run((m) => {
      const o = twoGroups(m);
      // trained a little first: Adam's moments must come back as they were
      const x = torch.randn(8, 10);
      for (let i = 0; i < 3; i++) {
        o.zero_grad();
        m.forward(x).pow(2).mean().backward();
        o.step();
      }
      (m as any).before = {
        params: Array.from(m.parameters()).map((p) => Array.from(p.data)),
        state: JSON.stringify(o.state_dict(), (_k, v) => (v instanceof Tensor ? Array.from(v.data) : v)),
      };
      return o;
    }, { num_iter: 40 });
    expect(r.lrs.length).toBeGreaterThan(10);
    expect(opt.param_groups.map((g: { lr: number }) => g.lr)).toEqual([1e-2, 3e-3]);
    const before = (model as any).before;
    expect(Array.from(model.parameters()).map((p) => Array.from(p.data))).toEqual(before.params);
    expect(JSON.stringify(opt.state_dict(), (_k, v) => (v instanceof Tensor ? Array.from(v.data) : v))).toBe(before.state);
  });

  it("keeps a Tensor lr's ratio and gives the same tensor back", () => {
    let lr0: Tensor | null = null;
    const { seen, opt } = run((m) => {
      lr0 = torch.tensor(0.02, { dtype: torch.float64 });
      return new torch.optim.SGD([{ params: Array.from(m.emb.parameters()), lr: lr0 }, { params: Array.from(m.head.parameters()), lr: 0.005 }], { lr: 0.1 });
    }, { num_iter: 20, end_lr: 1 });
    seen.forEach(([a, b]) => expect(b / a).toBeCloseTo(0.25, 12));
    expect(opt.param_groups[0].lr).toBe(lr0);
    expect(opt.param_groups[1].lr).toBe(0.005);
  });

  it("names a group by its name key, and leaves a group at lr 0 at 0 (frozen)", () => {
    const { r, seen } = run((m) => new torch.optim.SGD([
      { params: Array.from(m.emb.parameters()), lr: 0, name: "embedding" },
      { params: [m.head.weight], lr: 0.01 },
      { params: [m.head.bias], lr: 0.02, name: "bias" },
    ] as any, { lr: 0.1 }), { num_iter: 30, end_lr: 1 });
    // group 0 at lr 0 gives no ratio: the reference is group 1, the first with a rate
    expect(r.reference_group).toBe(1);
    seen.forEach(([a, b, c], i) => {
      expect(a).toBe(0);
      expect(b).toBe(r.lrs[i]);
      expect(c / b).toBeCloseTo(2, 12);
    });
    const text = r.summary().join("\n");
    expect(text).toContain("rates from 1e-7 to 1 of group 1");
    expect(text).toContain("group 0 (embedding) lr 0, group 1 (head.weight) lr 0.01, group 2 (bias) lr 0.02; "
      + "the rates tested, the x axis and the plot's suggestions are group 1's; group 0 at lr 0 stayed at 0");
    expect(r.suggestion("valley", 0)).toBe(r.suggestions.valley === null ? null : 0);
  });

  it("names a group by its parameters: their module, else up to two names, else their modules and count", () => {
    torch.manual_seed(0);
    const seq = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 4), new nn.Linear(4, 1));
    const [w0, b0, w2, b2, w3, b3] = Array.from(seq.parameters());
    const opt = new torch.optim.SGD([{ params: [w0, b0], lr: 0.1 }, { params: [w2, b2, w3, b3] }, { params: [], lr: 0.5 }], { lr: 0.01 });
    const x = torch.randn(8, 3);
    const r = find(opt, () => {
      opt.zero_grad();
      const l = seq.forward(x).pow(2).mean();
      l.backward();
      return l;
    }, { model: seq, num_iter: 10, end_lr: 1 });
    // Sequential's "0" alone says little: the names; group 2 holds nothing to name
    expect(r.groups.map((g) => g.label)).toEqual(["0.weight, 0.bias", "2, 3: 4 tensors", null]);
    [1, 0.1, 5].forEach((v, j) => expect(r.groups[j].ratio).toBeCloseTo(v, 14));
  });

  it("one group: the same sweep and the same text as before (no group named)", () => {
    const one = run((m) => new torch.optim.Adam(m.parameters(), { lr: 1e-2 }), { num_iter: 60 });
    expect(one.r.groups).toEqual([]);
    expect(one.seen.every(([a], i) => a === one.r.lrs[i])).toBe(true);
    const text = one.r.summary();
    expect(text[0]).toMatch(/^lr range test: \d+ rates from 1e-7 to \S+( \(stopped: loss diverged at lr \S+\))?$/);
    expect(text[1]).toMatch(/^ {2}suggestions: valley \S+ \(recommended\), (steepest \S+, minimum\/10 \S+|minimum\/10 \S+, steepest \S+)$/);
    expect(text.join("\n")).not.toContain("group");
    const labels = (one.r._repr_mimebundle_()[PLOT_MIME] as PlotPayload).markers.map((m) => m.label);
    expect(labels.filter((l) => l.includes("group"))).toEqual([]);
    // two groups at one rate: the same sweep and numbers as one group, and a line saying so
    const same = run((m) => new torch.optim.Adam([{ params: Array.from(m.emb.parameters()) }, { params: Array.from(m.head.parameters()) }], { lr: 1e-2 }), { num_iter: 60 });
    expect(same.r.losses).toEqual(one.r.losses);
    expect(same.r.suggestions).toEqual(one.r.suggestions);
    expect(same.r.summary()).toEqual([text[0], text[1], "  the 2 param groups had the same lr (0.01) and were swept together: each suggestion is for every group", ...text.slice(2)]);
  });
});

describe("%lr_find with several param groups", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
    const setup = await k.execute(`
torch.manual_seed(0);
const X = torch.randn(256, 10);
const Y = X.matmul(torch.randn(10, 1)).add(torch.randn(256, 1).mul(0.1));
const dl = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });
torch.manual_seed(1);
class Net extends torch.nn.Module {
  emb = new torch.nn.Linear(10, 32);
  head = new torch.nn.Linear(32, 1);
  forward(x: torch.Tensor) { return this.head.forward(this.emb.forward(x).relu()); }
}
const m = new Net();
const lossf = new torch.nn.MSELoss();
const opt = new torch.optim.Adam([{ params: Array.from(m.emb.parameters()), lr: 1e-2 }, { params: Array.from(m.head.parameters()) }], { lr: 3e-3 });`);
    expect(setup.reply.content.status, JSON.stringify(setup.reply.content)).toBe("ok");
  }, 120_000);
  afterAll(async () => {
    await k?.shutdown();
  });

  it("prints each group's suggestions and how the groups were swept, and restores their rates", async () => {
    const r = await k.execute("%lr_find model=m loss=lossf data=dl optimizer=opt --num-iter 60");
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
    const [first, second] = r.stdout.split("\n");
    const s = /^suggested lr: valley (\S+) for group 0 \(emb\), (\S+) for group 1 \(head\) \(recommended\); .*steepest (\S+) for group 0, (\S+) for group 1.* \(with Adam, optimizer=opt\)$/.exec(first);
    expect(s, r.stdout).not.toBeNull();
    expect(Number(s![2]) / Number(s![1])).toBeCloseTo(0.3, 2);
    expect(Number(s![4]) / Number(s![3])).toBeCloseTo(0.3, 2);
    expect(second).toBe("  the 2 param groups were swept together keeping the ratio of their lrs (each group's lr = its lr × the swept rate / 0.01): "
      + "group 0 (emb) lr 0.01, group 1 (head) lr 0.003; the rates tested, the x axis and the plot's suggestions are group 0's");
    const lrs = await k.execute("opt.param_groups.map((g) => g.lr).join(' ')");
    expect(lrs.outputs.find((o) => o.header.msg_type === "execute_result")?.content.data["text/plain"]).toContain("0.01 0.003");
  }, 120_000);
});
