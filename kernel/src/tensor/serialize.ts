/**
 * `torch.save(obj, f)` and `torch.load(f)`: checkpoints of tensors, Parameters, state_dicts
 * (a model's, an optimizer's, a scheduler's) and nested plain objects / arrays of them, written to
 * a file and read back exactly: dtypes, shapes, values bit for bit, `requires_grad` (PyTorch keeps
 * it; a loaded tensor is a leaf, without `.grad`), Parameters back as Parameters, tensors that
 * shared storage sharing it again, and the same object saved twice loaded as one object.
 *
 * The file format is lrlab's own, not PyTorch's zip/pickle: lrlab cannot read PyTorch's `.pt`
 * files and PyTorch cannot read lrlab's (a pickle holds Python code references; this format holds
 * data only). Layout, every integer little-endian:
 *
 *   bytes 0-7    the signature "LRLABSV\n" (4c 52 4c 41 42 53 56 0a)
 *   bytes 8-11   uint32 H, the byte length of the header
 *   bytes 12-    the header: H bytes of UTF-8 JSON (padded with spaces so the data starts at a
 *                multiple of 8):
 *                  { "format": "lrlab.save", "version": 1,
 *                    "storages": [{ "kind", "length", "offset" }, ...],
 *                    "tensors":  [{ "storage", "dtype", "shape", "requires_grad", "parameter" }, ...],
 *                    "root": <value> }
 *   then         the data section: each storage's elements as raw little-endian bytes, at
 *                `offset` bytes from the start of the section (each offset a multiple of 8).
 *
 * A storage's `kind` is a tensor dtype — "float32" (4-byte IEEE), "float64" (8-byte IEEE),
 * "int64" (8-byte two's complement), "int32" / "int16" / "int8" (4, 2, 1-byte two's complement),
 * "uint8" (1 byte), "bool" (1 byte, 0 or 1) — or a JS typed array's class name
 * ("Float32Array", "Int32Array", "BigInt64Array", ...: optimizers such as LBFGS keep some state in
 * typed arrays). `length` counts elements.
 *
 * A value in the header is JSON with tags, so every JS value that can be saved comes back as it was:
 *   null, true/false, strings, finite numbers        themselves
 *   NaN, Infinity, -Infinity, -0                     { "$num": "NaN" } (and so on)
 *   undefined                                        { "$undefined": true }
 *   an array / a plain object                        { "$list": [...] } / { "$dict": { key: value } }
 *   a tensor (Parameter: `parameter` true)           { "$tensor": index into "tensors" }
 *   a typed array                                    { "$typed": index into "storages" }
 *   an array or object seen before (shared, cyclic)  { "$ref": k }, the k-th $list/$dict in
 *                                                    depth-first order of first appearance
 * Anything else (a function, a Module or Optimizer instance, a Map, a class instance, a sparse
 * tensor, a symbol, a bigint) is refused by `save` with its path in the object (save a module's
 * or optimizer's `state_dict()` instead, as in PyTorch). The `version` is 1; `load` refuses newer ones.
 */
import { closeSync, openSync, readFileSync, statSync, writeSync, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DType, Storage, Tensor } from "./tensor";
import { Device } from "./device";
import { Parameter } from "../nn/parameter";

const MAGIC = Buffer.from("LRLABSV\n", "latin1");
const FORMAT = "lrlab.save";
const VERSION = 1;
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type TypedArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** Typed arrays a checkpoint can hold: class name -> [constructor, bytes per element]. */
const TYPED: Record<string, [new (n: number) => TypedArray, number]> = {
  Int8Array: [Int8Array, 1], Uint8Array: [Uint8Array, 1], Uint8ClampedArray: [Uint8ClampedArray, 1],
  Int16Array: [Int16Array, 2], Uint16Array: [Uint16Array, 2], Int32Array: [Int32Array, 4], Uint32Array: [Uint32Array, 4],
  Float32Array: [Float32Array, 4], Float64Array: [Float64Array, 8], BigInt64Array: [BigInt64Array, 8], BigUint64Array: [BigUint64Array, 8],
};
const DTYPE_BYTES: Record<DType, number> = { float32: 4, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };
/** The integer dtypes narrower than int64 are written as their own width (lrlab keeps them in a Float64Array). */
const SMALL_INT: Record<string, new (src: ArrayLike<number> | number) => Int32Array | Int16Array | Int8Array | Uint8Array> = {
  int32: Int32Array, int16: Int16Array, int8: Int8Array, uint8: Uint8Array,
};

interface StorageEntry { kind: string; length: number; offset: number }
interface TensorEntry { storage: number; dtype: DType; shape: number[]; requires_grad: boolean; parameter: boolean }
interface Header { format: string; version: number; storages: StorageEntry[]; tensors: TensorEntry[]; root: unknown }

/** `torch.save`'s keyword arguments: none here (PyTorch's pickle_module, pickle_protocol and zip switches have no meaning in lrlab's format). */
export type SaveOptions = Record<string, never>;
export interface LoadOptions {
  /** Where storages go: lrlab's tensors all live on the CPU, so "cpu", `torch.device("cpu")`, `{ cpu: "cpu" }` or `(storage, location) => storage` (called per storage; null keeps it). */
  map_location?: string | Device | Record<string, string | Device> | ((storage: Tensor, location: string) => Tensor | null | undefined) | null;
  /** Accepted (true or false) with no effect: lrlab's format holds data only, never code, so every load is as safe as PyTorch's weights_only=True. */
  weights_only?: boolean | null;
}

type PathLike = string | URL;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return `an instance of ${(v as object).constructor?.name ?? "object"}`;
  return `a ${typeof v}`;
}

function path_of(f: unknown, op: string): string {
  if (typeof f === "string") return f;
  if (f instanceof URL) return fileURLToPath(f);
  throw new TypeError(`${op}(): argument 'f' must be a file path (a string or a file: URL), not ${describe(f)}`);
}

function check_keys(options: object, allowed: readonly string[], op: string): void {
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) {
      const what = allowed.length > 0 ? `it takes ${allowed.map((a) => `'${a}'`).join(", ")}` : "it takes no options: lrlab's format has no pickle or zip settings";
      throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (${what})`);
    }
  }
}

/** A plain object of any realm (a notebook's cells may run in another context): prototype Object.prototype or null. */
function is_plain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function typed_name(v: unknown): string | null {
  if (!ArrayBuffer.isView(v)) return null;
  const tag = Object.prototype.toString.call(v).slice(8, -1);
  return tag in TYPED ? tag : null;
}

function set_own(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** The path of a value inside the saved object, for errors: `obj.state[0].exp_avg`. */
function child_path(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

// ------------------------------------------------------------------------------------- save

class Encoder {
  storages: StorageEntry[] = [];
  tensors: TensorEntry[] = [];
  buffers: Uint8Array[] = [];
  private size = 0;
  private storage_ids = new Map<object, Map<string, number>>();
  private tensor_ids = new Map<Tensor, number>();
  private containers = new Map<object, number>();

  private storage(data: TypedArray, kind: string): number {
    let by_kind = this.storage_ids.get(data);
    if (by_kind === undefined) this.storage_ids.set(data, (by_kind = new Map()));
    const known = by_kind.get(kind);
    if (known !== undefined) return known;
    const bytes = encode_storage(data, kind);
    const id = this.storages.length;
    this.storages.push({ kind, length: data.length, offset: this.size });
    this.buffers.push(bytes);
    this.size += align8(bytes.length);
    by_kind.set(kind, id);
    return id;
  }

  value(v: unknown, path: string): unknown {
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (v === undefined) return { $undefined: true };
    if (typeof v === "number") {
      if (Number.isNaN(v)) return { $num: "NaN" };
      if (v === Infinity) return { $num: "Infinity" };
      if (v === -Infinity) return { $num: "-Infinity" };
      if (Object.is(v, -0)) return { $num: "-0" };
      return v;
    }
    if (typeof v === "function") {
      throw new TypeError(`torch.save: cannot save a function (at ${path}): lrlab's format holds data only (tensors, numbers, strings, booleans, null, arrays and plain objects)`);
    }
    if (typeof v !== "object") {
      throw new TypeError(`torch.save: cannot save a ${typeof v} (at ${path}): lrlab's format holds tensors, numbers, strings, booleans, null, arrays and plain objects`);
    }
    if (v instanceof Tensor) return { $tensor: this.tensor(v, path) };
    const typed = typed_name(v);
    if (typed !== null) return { $typed: this.storage(v as TypedArray, typed) };
    const seen = this.containers.get(v);
    if (seen !== undefined) return { $ref: seen };
    if (Array.isArray(v)) {
      this.containers.set(v, this.containers.size);
      return { $list: v.map((x, i) => this.value(x, child_path(path, i))) };
    }
    if (!is_plain(v)) {
      const name = (v as object).constructor?.name ?? "object";
      throw new TypeError(
        `torch.save: cannot save an instance of ${name} (at ${path}): lrlab's format holds tensors, Parameters, numbers, strings, ` +
          "booleans, null, arrays and plain objects (for a model, optimizer or scheduler, save its state_dict())",
      );
    }
    this.containers.set(v, this.containers.size);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) set_own(out, k, this.value(x, child_path(path, k)));
    return { $dict: out };
  }

  private tensor(t: Tensor, path: string): number {
    const known = this.tensor_ids.get(t);
    if (known !== undefined) return known;
    if (t.is_sparse) {
      throw new TypeError(`torch.save: cannot save a sparse tensor (at ${path}): lrlab's format holds dense tensors; save t.to_dense(), or t._indices() and t._values()`);
    }
    const storage = this.storage(t.data, t.dtype);
    const id = this.tensors.length;
    this.tensors.push({ storage, dtype: t.dtype, shape: [...t.shape], requires_grad: t.requires_grad, parameter: t instanceof Parameter });
    this.tensor_ids.set(t, id);
    return id;
  }

  data_size(): number {
    return this.size;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** A storage's elements as little-endian bytes (`kind`: a dtype or a typed array's name). */
function encode_storage(data: TypedArray, kind: string): Uint8Array {
  const n = data.length;
  if (Object.prototype.hasOwnProperty.call(SMALL_INT, kind)) data = new SMALL_INT[kind](data as Float64Array);
  if (kind === "int64" || kind === "bool") {
    const src = data as Float64Array;
    if (kind === "bool") {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
      return out;
    }
    const out = new Uint8Array(n * 8);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < n; i++) dv.setBigInt64(i * 8, BigInt(src[i]), true);
    return out;
  }
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const width = data.BYTES_PER_ELEMENT;
  if (LE || width === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j];
  return out;
}

/**
 * `torch.save(obj, f)`: writes `obj` — a tensor, a state_dict, or nested plain objects and arrays of
 * tensors, numbers, strings, booleans and null — to the file `f` in lrlab's format (see the file's header).
 */
export function save(obj: unknown, f: PathLike, options: SaveOptions = {}): void {
  const file = path_of(f, "save");
  if (options === null || typeof options !== "object") throw new TypeError(`save(): options must be an object, got ${describe(options)}`);
  check_keys(options, [], "save");
  const enc = new Encoder();
  const root = enc.value(obj, "obj");
  const header: Header = { format: FORMAT, version: VERSION, storages: enc.storages, tensors: enc.tensors, root };
  let json = Buffer.from(JSON.stringify(header), "utf8");
  const pad = align8(12 + json.length) - (12 + json.length);
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const parent = dirname(resolve(file));
  if (!existsSync(parent)) throw new Error(`Parent directory ${parent} does not exist.`);
  const head = Buffer.alloc(12);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(json.length, 8);
  let fd: number;
  try {
    fd = openSync(file, "w");
  } catch (e) {
    throw os_error(e, file);
  }
  try {
    writeSync(fd, head);
    writeSync(fd, json);
    const zeros = new Uint8Array(8);
    for (const b of enc.buffers) {
      let off = 0;
      while (off < b.length) off += writeSync(fd, b, off, b.length - off);
      if (align8(b.length) > b.length) writeSync(fd, zeros, 0, align8(b.length) - b.length);
    }
  } finally {
    closeSync(fd);
  }
}

/** Node's file errors in Python's words: `[Errno 2] No such file or directory: 'x.pt'`. */
function os_error(e: unknown, file: string): Error {
  const code = (e as { code?: string }).code;
  const words: Record<string, [number, string]> = {
    ENOENT: [2, "No such file or directory"], EACCES: [13, "Permission denied"], EISDIR: [21, "Is a directory"], ENOTDIR: [20, "Not a directory"],
  };
  const w = code !== undefined ? words[code] : undefined;
  if (w === undefined) return e as Error;
  const err = new Error(`[Errno ${w[0]}] ${w[1]}: '${file}'`);
  (err as { code?: string }).code = code;
  return err;
}

// ------------------------------------------------------------------------------------- load

function corrupt(file: string, why: string): Error {
  return new Error(`torch.load: '${file}' is truncated or corrupt (${why})`);
}

/** Elements of one storage, decoded from little-endian bytes into lrlab's storage for a dtype or into its typed array. */
function decode_storage(bytes: Uint8Array, entry: StorageEntry, file: string): TypedArray {
  const { kind, length: n } = entry;
  const width = kind in TYPED ? TYPED[kind][1] : DTYPE_BYTES[kind as DType];
  if (width === undefined) throw corrupt(file, `unknown storage kind ${JSON.stringify(kind)}`);
  if (bytes.length < n * width) throw corrupt(file, `a storage of ${n} ${kind} elements is cut short`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n * width);
  if (kind === "int64") {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, true));
    return out;
  }
  if (kind === "bool") {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = bytes[i] !== 0 ? 1 : 0;
    return out;
  }
  if (Object.prototype.hasOwnProperty.call(SMALL_INT, kind)) {
    const raw = new SMALL_INT[kind](n);
    const dst = new Uint8Array(raw.buffer);
    if (LE || width === 1) dst.set(bytes.subarray(0, n * width));
    else for (let i = 0; i < n * width; i += width) for (let j = 0; j < width; j++) dst[i + j] = bytes[i + width - 1 - j];
    return Float64Array.from(raw);
  }
  const ctor = kind === "float32" ? Float32Array : kind === "float64" ? Float64Array : TYPED[kind][0];
  const out = new ctor(n);
  const dst = new Uint8Array(out.buffer);
  if (LE || width === 1) dst.set(bytes.subarray(0, n * width));
  else for (let i = 0; i < n * width; i += width) for (let j = 0; j < width; j++) dst[i + j] = bytes[i + width - 1 - j];
  return out;
}

/** Applies `map_location` to one loaded storage (everything is on the CPU, the one location). */
function place(t: Tensor, map_location: LoadOptions["map_location"]): Tensor {
  if (typeof map_location !== "function") return t;
  const r = map_location(t, "cpu");
  if (r === null || r === undefined) return t;
  if (!(r instanceof Tensor) || r.dtype !== t.dtype || r.numel() !== t.numel()) {
    throw new TypeError(`torch.load: map_location(storage, location) must return the storage (a ${t.dtype} tensor of ${t.numel()} elements), null or undefined; got ${describe(r)}`);
  }
  return r;
}

const CUDA_ERROR =
  "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you are running on a CPU-only machine, " +
  "please use torch.load with map_location=torch.device('cpu') to map your storages to the CPU.";

function check_device(d: unknown, what: string): void {
  if (d instanceof Device || d === "cpu") return;
  if (typeof d === "string" && /^(cuda|mps|xpu|meta)/.test(d)) throw new Error(CUDA_ERROR.replace("a CUDA device", `device ${JSON.stringify(d)}`).replace("torch.cuda.is_available() is False", "lrlab runs on the CPU only"));
  throw new TypeError(`torch.load: ${what} must be "cpu", torch.device("cpu"), a { from: to } object or a function (storage, location) => storage; got ${describe(d)}${typeof d === "string" ? ` ${JSON.stringify(d)}` : ""}`);
}

/**
 * `torch.load(f, { map_location, weights_only })`: reads a file written by `torch.save` and returns
 * the saved object (tensors as leaves with the saved dtype, shape, values and requires_grad).
 */
export function load(f: PathLike, options: LoadOptions = {}): any {
  const file = path_of(f, "load");
  if (options === null || typeof options !== "object") throw new TypeError(`load(): options must be an object, got ${describe(options)}`);
  check_keys(options, ["map_location", "weights_only"], "load");
  const { map_location, weights_only } = options;
  if (weights_only !== undefined && weights_only !== null && typeof weights_only !== "boolean") {
    throw new TypeError(`load(): weights_only must be a boolean, got ${describe(weights_only)}`);
  }
  if (map_location !== undefined && map_location !== null && typeof map_location !== "function") {
    if (typeof map_location === "object" && !(map_location instanceof Device)) {
      for (const [from, to] of Object.entries(map_location)) if (from === "cpu") check_device(to, `map_location["cpu"]`);
    } else check_device(map_location, "map_location");
  }
  let buf: Buffer;
  try {
    if (statSync(file).isDirectory()) throw Object.assign(new Error("dir"), { code: "EISDIR" });
    buf = readFileSync(file);
  } catch (e) {
    throw os_error(e, file);
  }
  if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC)) {
    if (buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 3 && buf[3] === 4) {
      throw new Error(`torch.load: '${file}' is a PyTorch checkpoint (zip/pickle), which lrlab cannot read: lrlab reads only files written by its own torch.save (format "${FORMAT}")`);
    }
    throw new Error(`torch.load: '${file}' is not a file written by lrlab's torch.save (it does not begin with lrlab's signature "LRLABSV")`);
  }
  const h = buf.readUInt32LE(8);
  if (12 + h > buf.length) throw corrupt(file, "the header is cut short");
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(12, 12 + h).toString("utf8")) as Header;
  } catch (e) {
    throw corrupt(file, `its header is not JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== "object" || header.format !== FORMAT || typeof header.version !== "number") throw corrupt(file, "its header has no format and version");
  if (header.version > VERSION) {
    throw new Error(`torch.load: '${file}' was written by a newer lrlab (format version ${header.version}); this lrlab reads version ${VERSION} and older`);
  }
  const data_start = align8(12 + h);
  const storages: TypedArray[] = header.storages.map((s) => {
    const at = data_start + s.offset;
    if (at > buf.length) throw corrupt(file, "the data section is cut short");
    return decode_storage(buf.subarray(at), s, file);
  });
  const placed = new Map<number, Storage>(); // map_location is applied once per storage
  const tensors: Tensor[] = header.tensors.map((e) => {
    let data = placed.get(e.storage);
    if (data === undefined) {
      const raw = storages[e.storage] as Storage;
      data = place(new Tensor(raw, [raw.length], e.dtype), map_location).data;
      placed.set(e.storage, data);
    }
    const t = new Tensor(data, e.shape, e.dtype, false);
    return e.parameter ? new Parameter(t, e.requires_grad) : new Tensor(t.data, t.shape, t.dtype, e.requires_grad);
  });
  const containers: unknown[] = [];
  const decode = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    if ("$list" in o) {
      const out: unknown[] = [];
      containers.push(out);
      for (const x of o.$list as unknown[]) out.push(decode(x));
      return out;
    }
    if ("$dict" in o) {
      const out: Record<string, unknown> = {};
      containers.push(out);
      for (const [k, x] of Object.entries(o.$dict as object)) set_own(out, k, decode(x));
      return out;
    }
    if ("$tensor" in o) return tensors[o.$tensor as number];
    if ("$typed" in o) return storages[o.$typed as number];
    if ("$ref" in o) return containers[o.$ref as number];
    if ("$num" in o) return Number(o.$num === "-0" ? "-0" : o.$num);
    if ("$undefined" in o) return undefined;
    throw corrupt(file, `unknown value ${JSON.stringify(v).slice(0, 80)}`);
  };
  return decode(header.root);
}
