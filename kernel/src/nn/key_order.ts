/**
 * The order of a module's own fields, as PyTorch's OrderedDicts (`_parameters`, `_buffers`,
 * `_modules`) keep it: registration order.
 *
 * lrlab's parameters, buffers and children are the module's own fields, but `Object.keys` lists
 * integer-like keys ("0", "2") first, in numeric order, before the other keys (in creation order).
 * So `Sequential({ fc, act })` then `append(m)` (child "2") ran "2" first, and the optimizer's
 * parameter indices, state_dict keys and the printout followed the same wrong order.
 *
 * A module therefore remembers, in a hidden list, the order in which its keys were registered
 * (register_parameter / register_buffer / add_module, which every container uses). Fields that
 * were created by plain assignment (class fields, `this.fc = ...`) are folded in, in creation order,
 * whenever the list is brought up to date; a key no longer on the module (`delete m.fc`, PyTorch's
 * `delattr`) leaves it, so adding it again puts it last, as in PyTorch. Reassigning a key that is
 * still there keeps its place, as in PyTorch.
 *
 * When no own key is integer-like (nearly every model), `Object.keys` already is that order and is
 * returned directly: a Sequential's forward reads its children on every call.
 */

/** A canonical array index ("0", "12", not "01" or "-1"): the keys `Object.keys` lists first. */
function isIndexKey(k: string): boolean {
  return /^(0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;
}

/** Brings `order` up to date with `obj`'s own enumerable keys (drops deleted ones, appends new ones), in place. */
function sync(obj: object, order: string[]): string[] {
  const keys = Object.keys(obj);
  const present = new Set(keys);
  let j = 0;
  for (const k of order) if (present.has(k)) order[j++] = k;
  order.length = j;
  // A non-index key deleted and assigned again (`delete m.fc; m.fc = ...`, PyTorch's delattr then
  // setattr) moved to the end of Object.keys: it goes last here too, where that shows, i.e. when it
  // now comes after a non-index key it preceded. (One that still comes after every other non-index
  // key cannot be told from one that stayed, and keeps its place.)
  const pos = new Map(order.map((k, i) => [k, i]));
  let latest = -1;
  const moved = new Set<string>();
  for (const k of keys) {
    const i = isIndexKey(k) ? undefined : pos.get(k);
    if (i === undefined) continue;
    if (i < latest) moved.add(k);
    else latest = i;
  }
  if (moved.size > 0) {
    j = 0;
    for (const k of order) if (!moved.has(k)) order[j++] = k;
    order.length = j;
  }
  // new keys (and moved ones) last, in Object.keys order: non-index keys in creation order; index
  // keys created by plain assignment (never registered) have no known place and come first
  const known = new Set(order);
  for (const k of keys) if (!known.has(k)) order.push(k);
  return order;
}

/**
 * Records that `obj[name]` is about to be set by a registration: the keys already there keep their
 * places, and `name`, if new, goes last. Call `assign` to set it.
 */
export function registerKey(obj: object, order: string[], name: string, assign: () => void): void {
  last.delete(order);
  sync(obj, order);
  assign();
  if (!order.includes(name) && Object.prototype.hasOwnProperty.call(obj, name)) order.push(name);
}

/**
 * The last answer per module while its keys stay the same: a Sequential's forward reads its
 * children on every call, and their keys are integer-like, so each call went through sync (Sets
 * and a Map) for the same answer.
 */
const last = new WeakMap<string[], { keys: string[]; ordered: string[] }>();

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `obj`'s own enumerable keys in registration order. */
export function orderedKeys(obj: object, order: string[]): string[] {
  const keys = Object.keys(obj);
  if (keys.length === 0 || !isIndexKey(keys[0])) return keys;
  // the same own keys in the same Object.keys order: nothing was added, deleted or re-added since
  const seen = last.get(order);
  if (seen !== undefined && sameKeys(seen.keys, keys)) return seen.ordered.slice();
  const ordered = sync(obj, order).slice();
  last.set(order, { keys, ordered });
  return ordered.slice();
}
