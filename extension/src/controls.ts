/**
 * The toolbar above a plot: metric, log axis, spread band, parameter groups, runs (compare view),
 * step range, reset zoom, reset. Plain DOM styled with JupyterLab's CSS variables
 * (style/index.css). Labels from the payload are set with textContent only.
 *
 * `update` brings the controls in line with a payload and state without rebuilding what did not
 * change, so a live update does not steal focus or flicker.
 */
import { metricHelp } from "./metric_help";
import type { PlotPayload } from "./payload";
import { type ControlEvent, groupsOf, hasBand, isLogY, paramsOf, rangeText, runsOf, type ViewState } from "./state";

export const CONTROLS_CLASS = "lrlab-Controls";
/** The span holding the reset-zoom and reset buttons, which wrap together. */
export const BUTTONS_CLASS = "lrlab-Controls-buttons";

export class Controls {
  readonly node: HTMLElement;
  private readonly doc: Document;
  private readonly metric: HTMLSelectElement;
  private readonly log: HTMLInputElement;
  private readonly band: HTMLInputElement;
  private readonly groups: HTMLElement;
  private readonly runs: HTMLElement;
  private readonly param: HTMLSelectElement;
  private readonly paramLabel: HTMLElement;
  private readonly paramNote: HTMLElement;
  private readonly rangeLabel: HTMLElement;
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;
  private signature = "";
  /** The parameter selector's options by parameter, kept across updates (see updateParams). */
  private readonly paramOptions = new Map<string, HTMLOptionElement>();
  private readonly paramNone: HTMLOptionElement;
  /** Typed into the range inputs since the last commit: updates leave them alone meanwhile. */
  private typed = false;
  /** A range was just committed: the next update writes the inputs, focused or not, so they
   * show what the plot shows (sorted, completed, or put back when invalid). */
  private committed = false;

  constructor(doc: Document, private readonly emit: (e: ControlEvent) => void) {
    this.doc = doc;
    this.node = this.el("div", CONTROLS_CLASS);
    this.metric = this.el("select");
    this.metric.dataset.control = "metric";
    this.metric.addEventListener("change", () => emit({ type: "metric", metric: this.metric.value }));
    this.log = this.checkbox("log", "log y", (on) => emit({ type: "log", on }));
    this.band = this.checkbox("band", "spread band", (on) => emit({ type: "band", on }));
    this.groups = this.el("span", "lrlab-Controls-set");
    this.groups.dataset.control = "groups";
    this.runs = this.el("span", "lrlab-Controls-set");
    this.runs.dataset.control = "runs";
    // Per-parameter traces: one parameter's own lines next to its group's.
    this.param = this.el("select");
    this.param.dataset.control = "param";
    this.param.addEventListener("change", () => emit({ type: "param", param: this.param.value === "" ? null : this.param.value }));
    this.paramNone = this.doc.createElement("option");
    this.paramNone.value = "";
    this.paramNone.textContent = "none (group lines only)";
    this.param.append(this.paramNone);
    this.paramNote = this.el("span", "lrlab-Controls-note");
    this.paramNote.dataset.control = "param-note";
    this.paramLabel = this.el("label");
    // (named for what it draws: "parameter" over "4 of 4, by …" left a user guessing)
    this.paramLabel.append("per-parameter lines ", this.param, " ", this.paramNote);
    this.from = this.number("from");
    this.to = this.number("to");
    // The range is committed as a whole: on Enter, or when focus leaves the pair of inputs.
    // Committing each input on its own change reordered "from" past "to" while the user was
    // still on the way to type "to", and wrote the reordered value over what was typed.
    const pair = (el: unknown) => el === this.from || el === this.to;
    for (const input of [this.from, this.to]) {
      input.addEventListener("input", () => (this.typed = true));
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") this.commitRange();
      });
      input.addEventListener("focusout", (e) => {
        // The window losing focus leaves the input the active element: that is not leaving the pair.
        if (this.typed && !pair(e.relatedTarget) && !pair(this.doc.activeElement)) this.commitRange();
      });
      input.addEventListener("change", () => {
        // Still in the pair: Enter (keydown commits) or a spinner; leaving the pair commits later.
        if (pair(this.doc.activeElement)) return;
        // Set from a script, without typing: commit now.
        if (!this.typed) {
          this.commitRange();
          return;
        }
        // Typed, and focus seems gone: Chromium fires the change of a focus move before focus
        // lands (activeElement is <body>, even when "from" hands over to "to"), so committing here
        // committed "from" alone on the way to "to", and the redraw wrote the data's end into "to"
        // under the user's typing. Focusout decides for a focus move; this catches typing into
        // an input that never had focus (a script), once focus has settled.
        setTimeout(() => {
          if (this.typed && !pair(this.doc.activeElement)) this.commitRange();
        });
      });
    }
    this.rangeLabel = this.el("span");
    const range = this.el("span", "lrlab-Controls-range");
    const dash = this.el("span");
    dash.textContent = "–";
    range.append(this.rangeLabel, this.from, dash, this.to);
    const metricLabel = this.el("label");
    metricLabel.append("metric ", this.metric);
    // The two buttons wrap as one (style/index.css .lrlab-Controls-buttons): with the parameter
    // selector and its note the toolbar wrapped between them, "reset" alone on a second line at
    // 1400 px (a user's pass).
    const buttons = this.el("span", BUTTONS_CLASS);
    buttons.append(
      this.button("reset-zoom", "reset zoom", () => emit({ type: "reset-zoom" })),
      this.button("reset", "reset", () => emit({ type: "reset" })),
    );
    this.node.append(metricLabel, this.log.parentElement!, this.band.parentElement!, this.groups, this.runs, this.paramLabel, range, buttons);
  }

  update(p: PlotPayload, s: ViewState): void {
    const groups = groupsOf(p);
    const runs = runsOf(p);
    const sig = JSON.stringify([p.metrics, groups, runs, p.x_label]);
    if (sig !== this.signature) {
      this.signature = sig;
      this.metric.replaceChildren(...p.metrics.map((m) => {
        const o = this.doc.createElement("option");
        o.value = m.key;
        o.textContent = m.label;
        // what the metric is, one line (metric_help.ts): its label's symbols were unexplained
        o.title = metricHelp(m.key);
        return o;
      }));
      this.fillSet(this.groups, "groups", groups.length > 1 ? groups.map((g) => [String(g), `group ${g}`]) : [], (id, on) =>
        this.emit({ type: "group", group: Number(id), on }));
      this.fillSet(this.runs, "runs", runs.length > 1 ? runs.map((r) => [r, r]) : [], (id, on) => this.emit({ type: "run", name: id, on }));
      this.rangeLabel.textContent = `${p.x_label} `;
    }
    this.updateParams(p, s);
    this.param.value = s.param ?? "";
    this.metric.value = s.metric;
    this.metric.title = metricHelp(s.metric);
    this.log.checked = isLogY(s, p);
    this.band.disabled = !hasBand(p, s.metric);
    // Unchecked while it does not apply: a checked greyed box read as "the band is on" over
    // lines without one (a user's pass). The state keeps the choice for the metrics that have one.
    this.band.checked = s.band && !this.band.disabled;
    // Greyed with its label (index.css): a disabled checkbox alone looked enabled in the dark
    // theme (a teacher's pass), and the label says why it is off.
    this.band.parentElement?.classList.toggle("lrlab-mod-disabled", this.band.disabled);
    if (this.band.parentElement) this.band.parentElement.title = this.band.disabled ? "this metric's lines carry no band (each point is one step, or a value set, not measured)" : "";
    for (const box of this.groups.querySelectorAll<HTMLInputElement>("input")) box.checked = !s.hiddenGroups.includes(Number(box.dataset.id));
    for (const box of this.runs.querySelectorAll<HTMLInputElement>("input")) box.checked = !s.hiddenRuns.includes(box.dataset.id ?? "");
    // An empty end stays empty (null in the state): it follows the data's end (state.ts xRangeOf).
    for (const [input, i] of [[this.from, 0], [this.to, 1]] as const) {
      // Typed since the last commit: left alone, focused or not, committed just before or not.
      // Whole steps after a drag-zoom (state.ts rangeText).
      if (!this.typed && (this.committed || this.doc.activeElement !== input)) input.value = s.xrange ? rangeText(s.xrange[i], i, p.x_log) : "";
    }
    this.committed = false;
  }

  /**
   * The parameter selector: its entries in the state's order (state.ts paramOrder: held while a
   * run is live), one the payload does not carry disabled in its place. The options are updated
   * in place, not rebuilt: a live update changes nothing in the list (nor in an open drop-down)
   * unless a parameter comes or goes, and a new one is appended.
   */
  private updateParams(p: PlotPayload, s: ViewState): void {
    const carried = new Set(paramsOf(p));
    const options = s.params.map((name) => {
      let o = this.paramOptions.get(name);
      if (!o) {
        o = this.doc.createElement("option");
        o.value = name;
        this.paramOptions.set(name, o);
      }
      const text = carried.has(name) ? name : `${name} (not in this update)`;
      if (o.textContent !== text) o.textContent = text;
      const off = !carried.has(name);
      if (o.disabled !== off) o.disabled = off;
      return o;
    });
    for (const [name, o] of this.paramOptions) {
      if (!s.params.includes(name)) {
        o.remove();
        this.paramOptions.delete(name);
      }
    }
    const now = [...this.param.options].slice(1);
    if (options.some((o, i) => now[i] !== o)) {
      // Appended entries only (a live run): the others stay where they are.
      if (now.every((o, i) => options[i] === o)) this.param.append(...options.slice(now.length));
      else this.param.replaceChildren(this.paramNone, ...options);
    }
    this.paramLabel.hidden = s.params.length === 0;
    // In plain words: what the choice draws, and how many parameters the list holds ("4 of 4, by
    // mean update ratio …" said neither what a parameter's lines are nor where); their order in
    // the tooltip (in the toolbar it took three lines, and the buttons a row of their own).
    const info = p.param_info;
    const order = !info ? "" : p.live
      ? `listed as they came while the run is live (by ${info.criterion} once it ends)`
      : `listed by ${info.criterion}`;
    const what = s.param !== null ? "drawn beside its group's line" : "choose one to draw its own lines beside its group's";
    const note = info
      ? `${what} (${carried.size} of ${info.total} tensors)${info.omitted > 0 ? `; ${info.omitted} more: trace.bundle({ params: [name] })` : ""}`
      : "";
    if (this.paramNote.title !== order) this.paramNote.title = this.param.title = order;
    if (this.paramNote.textContent !== note) this.paramNote.textContent = note;
  }

  /** Both ends empty: no zoom; one end empty: from or to the end of the data. */
  private commitRange(): void {
    const end = (v: string) => (v.trim() === "" ? null : Number(v));
    const a = end(this.from.value);
    const b = end(this.to.value);
    this.typed = false;
    this.committed = true;
    this.emit({ type: "range", range: a === null && b === null ? null : [a, b] });
  }

  /** One checkbox per item; hidden when there is nothing to choose between. */
  private fillSet(set: HTMLElement, title: string, items: [string, string][], on: (id: string, on: boolean) => void): void {
    set.replaceChildren();
    set.hidden = items.length === 0;
    if (items.length === 0) return;
    const head = this.el("span");
    head.textContent = `${title}:`;
    set.append(head);
    for (const [id, label] of items) {
      const box = this.checkbox(title, label, (checked) => on(id, checked));
      box.dataset.id = id;
      set.append(box.parentElement!);
    }
  }

  private el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
    const e = this.doc.createElement(tag);
    if (className) e.className = className;
    return e;
  }

  private checkbox(control: string, label: string, onChange: (on: boolean) => void): HTMLInputElement {
    const box = this.el("input");
    box.type = "checkbox";
    box.dataset.control = control;
    box.addEventListener("change", () => onChange(box.checked));
    const wrap = this.el("label");
    wrap.append(box, ` ${label}`);
    return box;
  }

  private number(control: string): HTMLInputElement {
    const input = this.el("input");
    input.type = "number";
    input.step = "any";
    input.dataset.control = control;
    input.placeholder = control;
    return input;
  }

  private button(control: string, label: string, onClick: () => void): HTMLButtonElement {
    const b = this.el("button");
    b.type = "button";
    b.dataset.control = control;
    b.textContent = label;
    b.className = "lrlab-Controls-button";
    b.addEventListener("click", onClick);
    return b;
  }
}
