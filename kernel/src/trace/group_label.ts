/**
 * What a parameter group is called in text: its `name` key (PyTorch users write one for their
 * loggers: `{ params, weight_decay: 0, name: "no_decay" }`), else what its parameters' names say:
 * the module they all belong to ("emb" for emb.weight and emb.bias), else up to two names as they
 * are, more as their top-level modules and their count ("lstm, fc: 6 tensors"). Shared by the
 * range test (find.ts) and the trace's summary (trace.ts), where "group 0" and "group 1" alone left
 * a reader to remember which was the no-decay one (a porter's pass).
 */

/** The dotted module path all the names start with ("encoder.layer" for encoder.layer.weight, encoder.layer.bias); "" when none. */
export function commonPath(names: readonly string[]): string {
  const parts = names.map((k) => k.split("."));
  const out: string[] = [];
  for (let i = 0; i < parts[0].length - 1 && parts.every((p) => p.length - 1 > i && p[i] === parts[0][i]); i++) out.push(parts[0][i]);
  return out.join(".");
}

/** The label of a group with `name` (its name key) and parameter names `own` (empty: unknown); null when there is nothing to say. */
export function groupLabel(name: unknown, own: readonly string[]): string | null {
  if (typeof name === "string" && name !== "") return name;
  const common = own.length > 1 ? commonPath(own) : "";
  // (unless that module is only a number: Sequential's "0")
  if (common !== "" && !/^\d+$/.test(common.split(".").pop()!)) return common;
  if (own.length > 0 && own.length <= 2) return own.join(", ");
  if (own.length > 2) {
    const tops = [...new Set(own.map((k) => k.split(".")[0]))];
    return `${tops.slice(0, 3).join(", ")}${tops.length > 3 ? ", …" : ""}: ${own.length} tensors`;
  }
  return null;
}
