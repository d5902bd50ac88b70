// How a trace group's SeriesSet's narrow store grows (series.ts FIRST_GROW): past its first 32 rows
// it takes a default trace's room (2000 rows) at once rather than doubling, because each new store costs tens
// of µs in a training loop (PERF.md session 28). What must hold: few allocations over a default
// trace, the room capped by the capacity, doubling past 2000 rows and for wide stores (from_json),
// a stopped trace's stores compacted, a per_param trace's parameter sets still doubling, and the
// values the same as before (series_set.test.ts).
import { describe, expect, it } from "vitest";
import { BoundedSeries, DEFAULT_CAPACITY, FIRST_GROW, SeriesSet } from "../../kernel/src/trace/series";
import { trace } from "../../kernel/src/trace/index";
import * as torch from "../../kernel/src/index";

/** The distinct stores `set` used while `steps` steps were pushed into it, and its last room (rows). */
function storesOver(set: SeriesSet, steps: number): { stores: number; room: number } {
  const seen = new Set<Float64Array>([set.rows]);
  for (let s = 0; s < steps; s++) {
    const o = set.openNarrow(s);
    if (o < 0) set.begin(s);
    else for (let c = 0; c < set.k; c++) set.rows[o + 1 + c] = s + c;
    seen.add(set.rows);
  }
  return { stores: seen.size, room: set.rows.length / set.stride };
}

/** A set as the trace makes a group's: it takes FIRST_GROW rows at its first grow. */
function groupSet(capacity: number, k: number): SeriesSet {
  const set = new SeriesSet(capacity, k);
  set.firstGrow = FIRST_GROW;
  return set;
}

describe("SeriesSet growth", () => {
  it("a default-capacity trace of 2000 steps allocates its narrow store twice (doubling took 7)", () => {
    const { stores, room } = storesOver(groupSet(DEFAULT_CAPACITY, 18), DEFAULT_CAPACITY);
    expect(stores).toBe(2);
    expect(room).toBe(DEFAULT_CAPACITY);
  });

  it("the first 32 steps stay in the small store; step 33 takes the default room at once", () => {
    expect(storesOver(groupSet(DEFAULT_CAPACITY, 18), 32)).toEqual({ stores: 1, room: 32 });
    expect(storesOver(groupSet(DEFAULT_CAPACITY, 18), 33)).toEqual({ stores: 2, room: DEFAULT_CAPACITY });
  });

  it("the room never exceeds the capacity, and doubles past the default room", () => {
    expect(storesOver(groupSet(100, 3), 100)).toEqual({ stores: 2, room: 100 });
    expect(storesOver(groupSet(10, 3), 10)).toEqual({ stores: 1, room: 10 });
    // a large capacity: 32, then 2000, then 4000 (not the whole capacity at once)
    expect(storesOver(groupSet(100000, 3), 2001)).toEqual({ stores: 3, room: 4000 });
  });

  it("wide stores (a series read from JSON) still double", () => {
    const s = new BoundedSeries(100000);
    for (let i = 0; i < 40; i++) s.push(i, i * 0.5);
    const back = BoundedSeries.from_json(s.to_json());
    const set = (back as unknown as { set: SeriesSet }).set;
    expect(set.wide).toBe(true);
    expect(set.rows.length / set.stride).toBe(64);
    expect(back.to_json()).toEqual(s.to_json());
  });

  it("a set not made eager (a parameter's) doubles, from 32 rows", () => {
    expect(storesOver(new SeriesSet(DEFAULT_CAPACITY, 18), 33)).toEqual({ stores: 2, room: 64 });
  });

  it("a per_param trace: the group's set jumps, its parameters' sets double", () => {
    const model = new torch.nn.Linear(3, 1);
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const tr = trace(opt, { name: "growth", per_param: true });
    const x = torch.randn(4, 3), y = torch.randn(4, 1);
    for (let s = 0; s < 40; s++) {
      opt.zero_grad();
      torch.nn.functional.mse_loss(model.forward(x), y).backward();
      opt.step();
    }
    const room = (s: BoundedSeries) => { const set = (s as unknown as { set: SeriesSet }).set; return set.rows.length / set.stride; };
    expect(room(tr.series("lr") as BoundedSeries)).toBe(DEFAULT_CAPACITY);
    const names = tr.param_names();
    expect(names.length).toBe(2);
    for (const p of names) expect(room(tr.series("lr", 0, p) as BoundedSeries)).toBe(64);
    tr.stop();
  });

  it("a stopped trace keeps only the rows it filled", () => {
    const model = new torch.nn.Linear(3, 1);
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const tr = trace(opt, { name: "growth" });
    const x = torch.randn(4, 3), y = torch.randn(4, 1);
    for (let s = 0; s < 40; s++) {
      opt.zero_grad();
      torch.nn.functional.mse_loss(model.forward(x), y).backward();
      opt.step();
    }
    const lr = tr.series("lr") as BoundedSeries;
    const set = (lr as unknown as { set: SeriesSet }).set;
    expect(set.rows.length / set.stride).toBe(DEFAULT_CAPACITY);
    tr.stop();
    expect(set.rows.length / set.stride).toBe(40);
    expect(lr.length).toBe(40);
  });
});
