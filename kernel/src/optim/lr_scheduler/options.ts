import { TypeError_ } from "./errors";
import { nearKey } from "../../close_matches";

/**
 * Python keyword arguments become one options object. Like Python, an unknown key or a missing
 * required one is an error that names the constructor, the key and what is accepted, instead of
 * being silently ignored (a typo such as `stepsize` would otherwise change the schedule).
 */
export function checkOptions(
  cls: string,
  options: unknown,
  required: readonly string[],
  optional: readonly string[],
): Record<string, any> {
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object" || Array.isArray(options)) {
    throw TypeError_(
      `${cls}.__init__() expects its keyword arguments as one options object, e.g. ` +
        `new ${cls}(optimizer, { ${[...required, ...optional].slice(0, 2).map((k) => `${k}: ...`).join(", ")} }), ` +
        `but got ${Array.isArray(options) ? "an array" : typeof options}`,
    );
  }
  const record = options as Record<string, any>;
  const allowed = [...required, ...optional];
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw TypeError_(
        `${cls}.__init__() got an unexpected keyword argument '${key}'; accepted: ${allowed.join(", ")}${nearKey(key, allowed)}`,
      );
    }
  }
  const missing = required.filter((key) => record[key] === undefined);
  if (missing.length > 0) {
    const names = missing.map((k) => `'${k}'`).join(" and ");
    throw TypeError_(
      `${cls}.__init__() missing ${missing.length} required argument${missing.length > 1 ? "s" : ""}: ${names}`,
    );
  }
  return record;
}

/** `options.key ?? fallback`, but `null` (Python's None) also falls back. */
export function opt<T>(options: Record<string, any>, key: string, fallback: T): T {
  const value = options[key];
  return value === undefined || value === null ? fallback : (value as T);
}
