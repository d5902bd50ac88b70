// The one markdown table of the bench: rows of {area, measure, lrlab, peers, ratio, target, meets}.

export const COLUMNS = ["area", "measure", "lrlab", "peers (same run)", "speed lrlab ÷ peer (>1: lrlab faster)", "target", "meets"];

const esc = (s) => String(s ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");

/** meets: true / false / null (not measurable) -> "yes" / "**no**" / "–". */
function fmtMeets(m) {
  return m === true ? "yes" : m === false ? "**no**" : "–";
}

export function renderTable(rows) {
  const lines = [
    `| ${COLUMNS.join(" | ")} |`,
    `|${COLUMNS.map(() => "---").join("|")}|`,
  ];
  for (const r of rows) {
    lines.push(`| ${[r.area, r.measure, r.lrlab, r.peers, r.ratio, r.target, fmtMeets(r.meets)].map(esc).join(" | ")} |`);
  }
  return lines.join("\n");
}
