/**
 * `torch.device("cpu")`: PyTorch code names its device once (`const device = torch.device(...)`)
 * and moves models and tensors with `.to(device)`. lrlab runs on the CPU only, so the one device
 * is the CPU and `.to(device)` changes nothing; other device types are an error that says so,
 * rather than code that seems to run on a GPU.
 */

/** A device, as `torch.device`: `type` is always "cpu", `index` null (PyTorch's for the CPU). */
export class Device {
  readonly type = "cpu" as const;
  readonly index = null;
  /** Made once, here: torch.device("cpu") returns it. */
  constructor() {
    Object.freeze(this);
  }
  /** "cpu", as `str(torch.device("cpu"))`. */
  toString(): string {
    return this.type;
  }
  /** How Node's inspect and the kernel show it: PyTorch's repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "device(type='cpu')";
  }
}

const CPU = new Device();

/** `torch.device` as a type too (`let d: torch.device`), as in PyTorch where it is a class. */
export type device = Device;

/**
 * The device of type `type`; only "cpu" exists (lrlab runs on the CPU): `torch.device("cpu")`.
 * Called without `new`, as in Python.
 */
export function device(type: "cpu"): Device {
  if (type !== "cpu") {
    throw new RangeError(`torch.device(${JSON.stringify(type)}): lrlab runs on the CPU only; use torch.device("cpu") (or drop the device)`);
  }
  return CPU;
}
