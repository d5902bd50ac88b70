/**
 * What a copy of the whole plot puts on the clipboard.
 *
 * JupyterLab's "Copy Output to Clipboard" (notebook-extension) selects the contents of the
 * output's `.jp-OutputArea-output` node (our renderer's node), runs `document.execCommand("copy")`
 * and puts the old selection back. The browser's default copy is then the rendered DOM's text:
 * for a plot, the toolbar's labels ("metric", "log y", "reset" …) and nothing of the plot
 * (plotly's SVG text is `user-select: none`). A `copy` listener on the renderer's node replaces
 * that, when the selection covers the whole plot, with the output's own representations:
 * text/plain the bundle's summary (kernel/src/plot/text.ts: the run, its steps, the last lr
 * values), text/html the bundle's SVG as a picture, which pastes into a rich text editor as the
 * plot (the SVG draws the same summary as its caption, kernel/src/plot/svg.ts; it is also the
 * picture's alt text, not written a second time beside it). Any other selection (a label
 * selected by hand, a drag across a few words) is left to the browser, so Ctrl+C still copies
 * what the user selected.
 *
 * The picture is the kernel's static SVG: the plot's default view, the one nbviewer and GitHub
 * show, not the metric or zoom chosen on screen (plotly's own export, the camera button, gives
 * that). A live run's updates carry no SVG; its copy is the summary alone. The SVG comes from the
 * notebook (untrusted), so it only ever goes into an <img> as a base64 data URL, where it cannot
 * run script or break out of the attribute; the summary is escaped.
 */
import { escapeText } from "./escape";

export interface CopyContent {
  text: string;
  /** Absent when there is no picture: the paste is then the text alone. */
  html?: string;
}

/** A bundle's string (nbformat allows a string or a list of lines); undefined when it is neither. */
function bundleString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v.join("");
  return undefined;
}

/** A string's UTF-8 bytes in base64 (btoa alone takes Latin-1 only). */
export function base64Utf8(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  // in chunks: String.fromCharCode's arguments are limited in number
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Text for an HTML element or a double-quoted attribute. */
function escapeHtml(s: string): string {
  return escapeText(s).replace(/"/g, "&quot;");
}

/**
 * The clipboard's content for an output bundle: its text/plain summary (the plot's title when a
 * bundle has none, as one written by another tool may), and its SVG as an HTML picture when it
 * has one.
 */
export function copyContent(data: Readonly<Record<string, unknown>>, title: string): CopyContent {
  const summary = bundleString(data["text/plain"])?.trim();
  const text = summary || title;
  const svg = bundleString(data["image/svg+xml"])?.trim();
  if (!svg || !/^(<\?xml[^>]*>\s*)?<svg[\s>]/.test(svg)) return { text };
  return { text, html: `<img alt="${escapeHtml(text)}" src="data:image/svg+xml;base64,${base64Utf8(svg)}">` };
}

/**
 * Whether `selection` is a selection of the whole of `node`: one of its ranges covers the node's
 * contents, with no text selected outside it. "Copy Output to Clipboard" selects exactly the
 * node's contents; a user's drag from above the plot to below it, over nothing else, counts too.
 */
export function selectsWhole(selection: Selection | null, node: Node): boolean {
  if (!selection || selection.rangeCount !== 1) return false;
  const sel = selection.getRangeAt(0);
  const doc = node.ownerDocument!;
  const whole = doc.createRange();
  whole.selectNodeContents(node);
  if (sel.compareBoundaryPoints(Range.START_TO_START, whole) > 0 || sel.compareBoundaryPoints(Range.END_TO_END, whole) < 0) return false;
  const before = doc.createRange();
  before.setStart(sel.startContainer, sel.startOffset);
  before.setEnd(whole.startContainer, whole.startOffset);
  const after = doc.createRange();
  after.setStart(whole.endContainer, whole.endOffset);
  after.setEnd(sel.endContainer, sel.endOffset);
  return before.toString().trim() === "" && after.toString().trim() === "";
}

/**
 * Puts `content()` on the clipboard for copies of the whole of `node` (see the header); a null
 * content (no plot drawn: an error box) leaves the copy to the browser. Returns the remover.
 */
export function watchCopy(node: HTMLElement, content: () => CopyContent | null): () => void {
  const onCopy = (ev: ClipboardEvent): void => {
    if (!ev.clipboardData || !selectsWhole(node.ownerDocument.getSelection(), node)) return;
    const c = content();
    if (!c) return;
    ev.clipboardData.setData("text/plain", c.text);
    if (c.html) ev.clipboardData.setData("text/html", c.html);
    ev.preventDefault();
  };
  node.addEventListener("copy", onCopy);
  return () => node.removeEventListener("copy", onCopy);
}
