/**
 * The note of a plot whose run was interrupted (`%%lr_trace` cell stopped by the kernel's
 * interrupt): "interrupted at step 2727". Without it, the final plot of a 15,000-step run stopped
 * at step 2,727 looked like a finished run of 2,728 steps; only the KeyboardInterrupt under it
 * said otherwise, and an export's picture (nbconvert, GitHub) had nothing at all (a tester's pass).
 * The note goes over every metric's view (the extension's notes, the SVG's first panel) and into
 * the text summary.
 */
import type { FigureSource } from "./figure";
import type { PlotNote } from "./payload";

/** The last step any line of `src` reaches, null when it has none. */
function lastStep(src: FigureSource): number | null {
  let last: number | null = null;
  for (const s of src.series) {
    const b = s.buckets[s.buckets.length - 1];
    if (b !== undefined && (last === null || b.last_step > last)) last = b.last_step;
  }
  return last;
}

/**
 * The sources with the note added to the first: "interrupted at step N" (N: the last step traced),
 * prefixed by the run's name when the plot has several runs. Sources without steps are left as
 * they are.
 */
export function withInterruptedNote(sources: readonly FigureSource[]): FigureSource[] {
  const parts: string[] = [];
  for (const src of sources) {
    const last = lastStep(src);
    if (last !== null) parts.push(`${sources.length > 1 ? `${src.name} ` : ""}interrupted at step ${last}`);
  }
  if (parts.length === 0) return [...sources];
  const text = parts.join("; ");
  const metrics = [...new Set(sources.flatMap((src) => src.series.map((s) => s.metric)))];
  const note: PlotNote = { metrics, text };
  const [first, ...rest] = sources;
  return [{ ...first, notes: [...(first.notes ?? []), note], summary: [...(first.summary ?? []), `note: ${text}`] }, ...rest];
}
