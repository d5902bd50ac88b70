/**
 * The hint under a DataCloneError: `structuredClone(model.state_dict())` is how a PyTorch user
 * ports `best = copy.deepcopy(model.state_dict())` (early stopping that restores the best
 * weights), and it failed with Node's bare "DataCloneError: #<Object> could not be cloned." (a
 * porting user's pass): the state_dict is a Proxy (nn/state_dict_keys.ts), which structuredClone
 * refuses, and a Tensor it does copy comes back a plain object without its methods. A copy is
 * needed (the state_dict shares the parameters' storage, as PyTorch's: it follows `add_`), and
 * one expression makes it, each tensor cloned; the hint names it, and torch.save/torch.load for a
 * copy kept on disk.
 */

export const STATE_DICT_COPY = "Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.clone()]))";

/**
 * The hint for `err` when it is structuredClone's DataCloneError on a state_dict, else null: the
 * Proxy's message ("#<Object> could not be cloned."), or any DataCloneError on a line (`line`, the
 * cell line that threw) naming state_dict. A function's ("() => 1 could not be cloned.") says
 * what it is already.
 */
export function cloneHint(err: Error, line = ""): string | null {
  if (err?.name !== "DataCloneError") return null;
  if (!/^#<Object> could not be cloned/.test(String(err.message ?? "")) && !/state_dict/.test(line)) return null;
  return "hint: structuredClone cannot copy lrlab's objects (a state_dict is a Proxy; a Tensor comes back a plain object without its methods). "
    + `Python's copy.deepcopy(model.state_dict()) is here const best = ${STATE_DICT_COPY} (each tensor cloned, with sd = model.state_dict(); `
    + "a copy is needed: the state_dict shares the parameters' storage, as PyTorch's), restored with model.load_state_dict(best); "
    + "a copy on disk: torch.save(sd, path) and torch.load(path)";
}
