import { describe, expect, it } from "vitest";
import { LIMITS, PayloadError, validatePayload } from "../../extension/src/payload";
import { clone, fixture } from "./fixtures";

function rejects(mutate: (p: any) => void, path: string, problem: RegExp) {
  const p = clone(fixture("trace_two_groups")) as any;
  mutate(p);
  let err: unknown;
  try {
    validatePayload(p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PayloadError);
  expect((err as PayloadError).path).toBe(path);
  expect((err as PayloadError).problem).toMatch(problem);
}

describe("validatePayload", () => {
  it("accepts every fixture and returns the same content", () => {
    for (const name of ["trace_two_groups", "compare", "range_test"] as const) {
      const p = fixture(name);
      const v = validatePayload(p);
      expect(v.series.length).toBe(p.series.length);
      expect(v.series.map((s) => s.mean)).toEqual(p.series.map((s) => s.mean));
      expect(v.markers).toEqual(p.markers.map((m) => ({ ...m })));
      expect(v.kind).toBe(p.kind);
    }
  });

  it("drops unknown fields (a clean copy, not the input)", () => {
    const p = clone(fixture("compare")) as any;
    p.extra = "<script>";
    p.series[0].onclick = "x";
    const v = validatePayload(p) as any;
    expect(v.extra).toBeUndefined();
    expect(v.series[0].onclick).toBeUndefined();
    expect(v).not.toBe(p);
  });

  it("rejects what is not an object", () => {
    for (const bad of [null, 3, "payload", [1]]) {
      expect(() => validatePayload(bad)).toThrow(/payload: expected an object/);
    }
  });

  it("names the wrong field and what is allowed", () => {
    rejects((p) => (p.version = 2), "payload.version", /renders version 1, got number 2/);
    rejects((p) => (p.kind = "pie"), "payload.kind", /one of "trace", "compare", "schedule", "range_test"/);
    rejects((p) => (p.title = 5), "payload.title", /expected a string/);
    rejects((p) => (p.x_log = "yes"), "payload.x_log", /true or false/);
    rejects((p) => p.metrics.push({ ...p.metrics[0] }), "payload.metrics", /distinct/);
    rejects((p) => (p.default_metric = "nope"), "payload.default_metric", /"nope" is not one of the payload's metrics/);
    rejects((p) => (p.series[1].metric = "zz"), "payload.series[1].metric", /not one of the payload's metrics/);
    rejects((p) => (p.series[2].group = -1), "payload.series[2].group", /integer >= 0/);
    rejects((p) => (p.series[0].x[3] = "4"), "payload.series[0].x[3]", /finite number, got string/);
    rejects((p) => (p.series[0].mean[1] = Number.NaN), "payload.series[0].mean[1]", /finite number, got NaN/);
    rejects((p) => p.series[0].mean.pop(), "payload.series[0].mean", /has 11 values but x has 12/);
    rejects((p) => (p.series[0].min = [1]), "payload.series[0].min", /has 1 values but x has 12/);
    rejects((p) => (p.markers = [{ kind: "boom", name: "a", x: 1, y: null, label: "" }]), "payload.markers[0].kind", /"divergence", "suggestion"/);
    rejects((p) => (p.markers = [{ kind: "divergence", name: "a", x: 1, y: "2", label: "" }]), "payload.markers[0].y", /finite number/);
    rejects((p) => (p.live = undefined), "payload.live", /true or false, got nothing \(the field is missing\)$/);
    rejects((p) => delete p.version, "payload.version", /got nothing \(the field is missing\)$/);
    rejects((p) => (p.series = {}), "payload.series", /expected an array, got an object/);
  });

  it("accepts an empty payload (a live plot before its first step)", () => {
    const p = clone(fixture("trace_two_groups")) as any;
    p.metrics = [];
    p.series = [];
    p.default_metric = "lr_projected";
    expect(validatePayload(p).series).toEqual([]);
    p.series = [clone(fixture("trace_two_groups")).series[0]];
    expect(() => validatePayload(p)).toThrow(/payload.series\[0\].metric: "lr" is not one of the payload's metrics/);
  });

  it("keeps gaps as null and accepts a missing band", () => {
    const p = clone(fixture("trace_two_groups")) as any;
    p.series[0].mean[2] = null;
    delete p.series[0].min;
    delete p.series[0].max;
    const v = validatePayload(p);
    expect(v.series[0].mean[2]).toBeNull();
    expect(v.series[0].min).toBeUndefined();
  });

  it("bounds the size of what it accepts", () => {
    rejects((p) => (p.title = "x".repeat(LIMITS.text + 1)), "payload.title", /longer than/);
    rejects((p) => (p.series = new Array(LIMITS.series + 1).fill(p.series[0])), "payload.series", /more than 2000 entries/);
  });
});
