/**
 * `model.state_dict()["fc.wieght"]`: PyTorch's state_dict is an OrderedDict and raises
 * `KeyError: 'fc.wieght'`; lrlab's is a plain object, where a missing key read as `undefined` and
 * failed later and elsewhere (`undefined.shape`), or not at all (`copy_(undefined)` in a loop
 * guarded by `if (t)`). So `Module.state_dict()` returns its object behind a Proxy whose main trap
 * is `get`: reading a key that is not there throws a KeyError naming the closest keys.
 *
 * Key order: an OrderedDict lists its keys in insertion order, an object lists integer-like keys
 * ("0", "2": a ParameterList's entries, `register_parameter("0", p)` on the top module) first. When
 * a state_dict has such keys, the Proxy's `ownKeys` trap lists them in the module's order (so
 * Object.keys/entries, for...in and JSON.stringify see PyTorch's order), and `deleteProperty`
 * forgets a deleted key's place, so one set again comes last, as in a dict. A spread copy
 * (`{ ...sd }`) and `util.inspect` see the plain object's own order.
 *
 * Everything else is the plain object's: `Object.keys/entries/values`, spread (`{ ...sd }` is a
 * plain object again), `for ... in`, `k in sd`, `JSON.stringify`, assignment and `delete`,
 * `util.inspect` (Node shows a Proxy's target without running its traps), torch.save and
 * load_state_dict. Present keys cost one extra property read.
 *
 * Not every missing name is a user's key: code that does not know what it holds probes it
 * (`await` and Promise.resolve read `then`, JSON.stringify `toJSON`, the kernel's display
 * `_repr_mimebundle_`, test frameworks' printers `$$typeof`, `@@__IMMUTABLE_ITERABLE__@@`,
 * `nodeType`, `asymmetricMatch`). Those read `undefined` as before: symbols, the names in PROBES,
 * and names beginning with `_`, `$` or `@` (a state_dict key begins with a field's name, and a
 * missing `_private.weight` is the price of letting every `_repr_*_`-style probe through).
 */
import { closeMatches } from "../close_matches";
import { KeyError } from "../errors";

/** Names generic code reads on any object to learn what it is; a miss is not a user's typo. */
const PROBES = new Set(["then", "toJSON", "asymmetricMatch", "nodeType", "inspect", "constructor", "length"]);

/** Python dict methods a PyTorch user reaches for, and what they are on a plain object. */
const DICT_METHODS = new Set(["keys", "values", "items", "get", "pop", "update", "copy", "setdefault", "clear", "popitem"]);

function isProbe(key: string): boolean {
  return PROBES.has(key) || key.startsWith("_") || key.startsWith("$") || key.startsWith("@");
}

/** The key order of state_dicts whose object would list them otherwise (some key is integer-like). */
const KEY_ORDER = new WeakMap<object, string[]>();

const handler: ProxyHandler<Record<string, unknown>> = {
  get(target, key, receiver) {
    const value = Reflect.get(target, key, receiver);
    if (value !== undefined || typeof key !== "string" || key in target || isProbe(key)) return value;
    throw missingKey(key, Object.keys(target));
  },
  ownKeys(target) {
    const keys = Reflect.ownKeys(target);
    const order = KEY_ORDER.get(target);
    if (order === undefined) return keys;
    // the recorded keys still there, in their order, then keys added since (in the object's order)
    const present = new Set(keys);
    const listed = order.filter((k) => present.has(k));
    const seen = new Set<string | symbol>(listed);
    return [...listed, ...keys.filter((k) => !seen.has(k))];
  },
  deleteProperty(target, key) {
    const order = KEY_ORDER.get(target);
    const i = order && typeof key === "string" ? order.indexOf(key) : -1;
    if (i >= 0) order!.splice(i, 1);
    return Reflect.deleteProperty(target, key);
  },
};

/** The error for a key that is not in a state_dict: PyTorch's `KeyError: 'key'`, and what is there. */
function missingKey(key: string, keys: string[]): Error {
  const shown = `'${key}'`;
  if (DICT_METHODS.has(key)) {
    return KeyError(
      `${shown}: a state_dict is a plain object (parameter name → tensor), not a Python dict: Object.keys(sd) is .keys(), `
      + `Object.entries(sd) is .items(), Object.values(sd) is .values(), name in sd ? sd[name] : d is .get(name, d)`,
    );
  }
  // `if (sd[k])` was JavaScript's test for a key, and now throws: the message gives the one that works
  const what = `${shown}: not a key of this state_dict (${JSON.stringify(key)} in sd tests for a key)`;
  const near = closeMatches(key, keys);
  if (near.length > 0) return KeyError(`${what}; did you mean ${near.map((k) => `'${k}'`).join(" or ")}?`);
  const listed = keys.slice(0, 10).map((k) => `'${k}'`).join(", ");
  const more = keys.length > 10 ? `, ... (${keys.length} in all)` : "";
  return KeyError(`${what}; its keys: ${keys.length === 0 ? "none" : listed + more}`);
}

/**
 * The entries as a state_dict object behind the Proxy that makes a missing key a KeyError and
 * lists the keys in the entries' order.
 */
export function keyedStateDict<V>(entries: [string, V][]): Record<string, V> {
  const sd: Record<string, V> = {};
  for (const [k, v] of entries) sd[k] = v;
  const keys = Object.keys(sd);
  if (keys.some((k, i) => k !== entries[i][0])) KEY_ORDER.set(sd, entries.map(([k]) => k));
  return new Proxy(sd, handler as ProxyHandler<Record<string, V>>);
}
