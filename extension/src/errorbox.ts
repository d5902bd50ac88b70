/**
 * The box shown in place of a plot whose payload is malformed or could not be drawn. Built with
 * textContent only: the message may quote payload strings.
 */
import { PayloadError } from "./payload";

export const ERROR_CLASS = "lrlab-PlotError";

export function errorMessage(err: unknown): string {
  if (err instanceof PayloadError) return `invalid lrlab plot payload: ${err.message}`;
  const msg = err instanceof Error ? err.message : String(err);
  return `could not draw this lrlab plot: ${msg}`;
}

export function createErrorBox(doc: Document, err: unknown): HTMLElement {
  const box = doc.createElement("div");
  box.className = ERROR_CLASS;
  box.setAttribute("role", "alert");
  const head = doc.createElement("strong");
  head.textContent = "lrlab plot error";
  const body = doc.createElement("pre");
  body.textContent = errorMessage(err);
  box.append(head, body);
  return box;
}
