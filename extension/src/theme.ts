/**
 * JupyterLab's theme, as the colours a figure needs.
 *
 * JupyterLab themes are CSS custom properties on the page (`--jp-layout-color0`, ...) plus the
 * `data-jp-theme-light` attribute on <body>. Plotly takes literal colours, so the renderer reads
 * the properties when it draws and again when the attribute changes (see `watchTheme`).
 */

export interface Theme {
  light: boolean;
  /** Page and plot background. */
  background: string;
  /** Main text (titles, tick labels, legend). */
  font: string;
  /** Secondary text (axis titles). */
  fontMuted: string;
  fontFamily: string;
  grid: string;
  /** Zero line and axis line. */
  axis: string;
  /** Line colours, in order; chosen per theme so lines stay readable on the background. */
  palette: readonly string[];
  /** Colour of divergence markers. */
  danger: string;
}

/** Tableau-like colours that read well on white. */
export const LIGHT_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"] as const;
/** Lighter, more saturated versions of the same hues, for dark backgrounds. */
export const DARK_PALETTE = ["#6cb6ff", "#ffa657", "#7ee787", "#ff7b72", "#d2a8ff", "#e0a98c", "#f778ba", "#c9d1d9", "#e3d26f", "#56d4dd"] as const;

const LIGHT_FALLBACK = { background: "#ffffff", font: "rgba(0, 0, 0, 0.87)", fontMuted: "rgba(0, 0, 0, 0.54)", grid: "#e0e0e0", axis: "#bdbdbd", danger: "#d32f2f" };
const DARK_FALLBACK = { background: "#111111", font: "rgba(255, 255, 255, 1)", fontMuted: "rgba(255, 255, 255, 0.7)", grid: "#424242", axis: "#616161", danger: "#ff7b72" };
const FONT_FALLBACK = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

/** A reader of CSS custom properties; `getComputedStyle` in the page, a map in tests. */
export type CssVars = (name: string) => string;

export function cssVarsOf(el: Element): CssVars {
  const style = getComputedStyle(el);
  return (name) => style.getPropertyValue(name).trim();
}

/** Whether JupyterLab says the current theme is light; true outside JupyterLab. */
export function isLightTheme(body: HTMLElement | null = typeof document === "undefined" ? null : document.body): boolean {
  const flag = body?.getAttribute("data-jp-theme-light");
  return flag === null || flag === undefined ? true : flag !== "false";
}

/**
 * Maps JupyterLab's CSS variables to figure colours; a variable that is missing (outside
 * JupyterLab, or a theme that does not define it) falls back to a value for the light or dark side.
 */
export function themeFrom(vars: CssVars, light: boolean): Theme {
  const fb = light ? LIGHT_FALLBACK : DARK_FALLBACK;
  const pick = (name: string, fallback: string) => vars(name) || fallback;
  return {
    light,
    background: pick("--jp-layout-color0", fb.background),
    font: pick("--jp-ui-font-color1", fb.font),
    fontMuted: pick("--jp-ui-font-color2", fb.fontMuted),
    fontFamily: pick("--jp-ui-font-family", FONT_FALLBACK),
    grid: pick("--jp-border-color2", fb.grid),
    axis: pick("--jp-border-color1", fb.axis),
    palette: light ? LIGHT_PALETTE : DARK_PALETTE,
    danger: pick("--jp-error-color1", fb.danger),
  };
}

/** The theme of the page `el` lives in. */
export function currentTheme(el: Element): Theme {
  return themeFrom(cssVarsOf(el), isLightTheme(el.ownerDocument?.body ?? null));
}

/**
 * Calls `onChange` when JupyterLab switches theme. JupyterLab sets `data-jp-theme-light` and
 * `data-jp-theme-name` on <body> once the new theme's CSS is loaded; the callback runs again a
 * moment later in case some variables settle after the attribute flips. Returns a disposer.
 */
export function watchTheme(body: HTMLElement, onChange: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const observer = new MutationObserver(() => {
    onChange();
    clearTimeout(timer);
    timer = setTimeout(onChange, 300);
  });
  observer.observe(body, { attributes: true, attributeFilter: ["data-jp-theme-light", "data-jp-theme-name"] });
  return () => {
    observer.disconnect();
    clearTimeout(timer);
  };
}
