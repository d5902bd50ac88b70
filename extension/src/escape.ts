/**
 * Plotly draws titles, legend names and hover text through its own small HTML-like markup
 * (`<b>`, `<br>`, `<a href>`, `<img>`-looking text, entities). Strings from a payload are user
 * text, so each one goes through `escapeText` before it reaches plotly: `&`, `<` and `>` become
 * entities, which plotly decodes back to the literal characters when it writes SVG text. The
 * result is that `<b>x</b>` shows as those eight characters, not as bold text, and a tag can never
 * become an element.
 */
export function escapeText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
