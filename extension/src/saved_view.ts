/**
 * The view a user chose in a plot (metric, log y, lines switched off, parameter, band, zoom),
 * kept in the output's metadata so that it is saved with the notebook: a reader who opens it sees
 * the view its author chose ("the loss on a log axis from step 50"), not the payload's default.
 *
 * Stored as `metadata["application/vnd.lrlab.plot+json"].view`. The notebook file is untrusted,
 * so what is read back is checked field by field, and a field that is wrong or no longer fits
 * the payload (a metric it lacks) is dropped, never an error: the plot then shows its default.
 */
import { MARKER_KINDS, type Marker, type PlotPayload } from "./payload";
import type { ViewState } from "./state";

export const VIEW_KEY = "view";

/** The part of ViewState that is saved; each field is left out when it is the default. */
export interface SavedView {
  /** Only a metric the user picked: an unpicked one follows the payload's default. */
  metric?: string;
  log?: Record<string, boolean>;
  hiddenGroups?: number[];
  hiddenRuns?: string[];
  hiddenLines?: string[];
  hiddenMarkers?: Marker["kind"][];
  /** Only a parameter the user picked; "" for none (the group lines alone). */
  param?: string;
  /** Saved only when off (the default is on). */
  band?: false;
  xrange?: [number | null, number | null];
}

/** Longest list or name read back: a notebook with more is not one this extension wrote. */
const MAX_ITEMS = 10_000;
const MAX_TEXT = 10_000;

/** The saved form of a state, `{}` for the payload's own view. */
export function savedViewOf(s: ViewState): SavedView {
  const v: SavedView = {};
  if (s.metricChosen) v.metric = s.metric;
  if (Object.keys(s.log).length > 0) v.log = { ...s.log };
  if (s.hiddenGroups.length > 0) v.hiddenGroups = [...s.hiddenGroups];
  if (s.hiddenRuns.length > 0) v.hiddenRuns = [...s.hiddenRuns];
  if (s.hiddenLines.length > 0) v.hiddenLines = [...s.hiddenLines];
  if (s.hiddenMarkers.length > 0) v.hiddenMarkers = [...s.hiddenMarkers];
  if (s.paramChosen) v.param = s.param ?? "";
  if (!s.band) v.band = false;
  if (s.xrange) v.xrange = [s.xrange[0], s.xrange[1]];
  return v;
}

/** Whether two saved views are the same (fields in savedViewOf's order). */
export function sameView(a: SavedView, b: SavedView): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether a saved view is the payload's own view (nothing chosen). */
export function isDefaultView(v: SavedView): boolean {
  return Object.keys(v).length === 0;
}

/**
 * The view saved in an output's metadata for `mimeType`, checked; null when there is none (an
 * output as the kernel sent it). Wrong fields are left out.
 */
export function readSavedView(metadata: unknown, mimeType: string): SavedView | null {
  const ours = record(metadata) ? metadata[mimeType] : undefined;
  const raw = record(ours) ? ours[VIEW_KEY] : undefined;
  if (!record(raw)) return null;
  const v: SavedView = {};
  if (text(raw.metric)) v.metric = raw.metric;
  if (record(raw.log)) {
    const log: Record<string, boolean> = {};
    const keys = Object.keys(raw.log);
    // (defined, not assigned: a metric named "__proto__" is a key like any other)
    if (keys.length <= MAX_ITEMS) for (const k of keys) if (k.length <= MAX_TEXT && typeof raw.log[k] === "boolean") Object.defineProperty(log, k, { value: raw.log[k], enumerable: true, writable: true, configurable: true });
    if (Object.keys(log).length > 0) v.log = log;
  }
  const groups = list(raw.hiddenGroups, (g): g is number => Number.isInteger(g) && (g as number) >= 0);
  if (groups) v.hiddenGroups = groups;
  const runs = list(raw.hiddenRuns, text);
  if (runs) v.hiddenRuns = runs;
  const lines = list(raw.hiddenLines, text);
  if (lines) v.hiddenLines = lines;
  const markers = list(raw.hiddenMarkers, (k): k is Marker["kind"] => MARKER_KINDS.includes(k as Marker["kind"]));
  if (markers) v.hiddenMarkers = markers;
  if (text(raw.param)) v.param = raw.param;
  if (raw.band === false) v.band = false;
  if (Array.isArray(raw.xrange) && raw.xrange.length === 2 && raw.xrange.every((e) => e === null || (typeof e === "number" && Number.isFinite(e)))) {
    v.xrange = [raw.xrange[0] as number | null, raw.xrange[1] as number | null];
  }
  return v;
}

/**
 * The state with a saved view applied over the payload's: what the payload has no use for (a
 * metric or parameter it lacks, a log x range ≤ 0) is left at the default. The revision moves, so
 * plotly drops a zoom it remembers from before.
 */
export function applySavedView(s: ViewState, v: SavedView, p: PlotPayload): ViewState {
  const metricOk = v.metric !== undefined && p.metrics.some((m) => m.key === v.metric);
  const range = v.xrange && !v.xrange.some((e) => e !== null && p.x_log && e <= 0) && !(v.xrange[0] !== null && v.xrange[0] === v.xrange[1]) ? v.xrange : null;
  return {
    ...s,
    metric: metricOk ? (v.metric as string) : p.default_metric,
    metricChosen: metricOk,
    log: { ...(v.log ?? {}) },
    hiddenGroups: [...(v.hiddenGroups ?? [])],
    hiddenRuns: [...(v.hiddenRuns ?? [])],
    hiddenLines: [...(v.hiddenLines ?? [])],
    hiddenMarkers: [...(v.hiddenMarkers ?? [])],
    // (a parameter the payload lacks, or none saved: the selector's first, as a new plot opens)
    ...(v.param === "" ? { param: null, paramChosen: true }
      : v.param !== undefined && s.params.includes(v.param) ? { param: v.param, paramChosen: true }
      : { param: s.params[0] ?? null, paramChosen: false }),
    band: v.band !== false,
    xrange: range ? [range[0], range[1]] : null,
    revision: s.revision + 1,
  };
}

/** The output's metadata with `view` saved under `mimeType`, everything else kept. */
export function withSavedView(metadata: unknown, mimeType: string, view: SavedView): Record<string, unknown> {
  const base = record(metadata) ? metadata : {};
  const mine = base[mimeType];
  const ours: Record<string, unknown> = record(mine) ? mine : {};
  return { ...base, [mimeType]: { ...ours, [VIEW_KEY]: view } };
}

function record(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function text(v: unknown): v is string {
  return typeof v === "string" && v.length <= MAX_TEXT;
}

/** The array's items if every one passes `ok` (and there are not too many), else null; null for an empty one. */
function list<T>(v: unknown, ok: (e: unknown) => e is T): T[] | null {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_ITEMS || !v.every(ok)) return null;
  return [...new Set(v)];
}
