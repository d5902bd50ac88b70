/** Helpers for the PyTorch fixtures in test/fixtures/random (values stored as hex bit patterns). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "../../kernel/src/tensor/tensor";

export function loadFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "random", name), "utf8")) as T;
}

/** Hex bit patterns of the tensor's elements (float32: 8 digits, float64: 16), ints as numbers. */
export function toHex(t: Tensor): (string | number)[] {
  if (t.dtype === "float32") {
    const v = new DataView(new ArrayBuffer(4));
    return Array.from(t.data, (x) => {
      v.setFloat32(0, x);
      return v.getUint32(0).toString(16).padStart(8, "0");
    });
  }
  if (t.dtype === "float64") {
    const v = new DataView(new ArrayBuffer(8));
    return Array.from(t.data, (x) => {
      v.setFloat64(0, x);
      return v.getBigUint64(0).toString(16).padStart(16, "0");
    });
  }
  return Array.from(t.data);
}

/** The double a 16-digit hex bit pattern stands for. */
export function hexToDouble(h: string): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, BigInt("0x" + h));
  return v.getFloat64(0);
}

/** Distance in units in the last place between two float64 bit patterns of the same sign. */
export function ulpDistance(a: string, b: string): number {
  return Number(BigInt("0x" + a) - BigInt("0x" + b));
}

export function b64bytes(s: string): number[] {
  return Array.from(Buffer.from(s, "base64"));
}

/** A tensor from hex bit patterns (float32: 8 hex digits, float64: 16), as the fixtures store them. */
export function hexToTensor(hex: string[], dtype: "float32" | "float64", shape: number[] = [hex.length]): Tensor {
  const v = new DataView(new ArrayBuffer(8));
  const data = dtype === "float32" ? new Float32Array(hex.length) : new Float64Array(hex.length);
  hex.forEach((h, i) => {
    if (dtype === "float32") {
      v.setUint32(0, parseInt(h, 16));
      data[i] = v.getFloat32(0);
    } else {
      v.setBigUint64(0, BigInt("0x" + h));
      data[i] = v.getFloat64(0);
    }
  });
  return new Tensor(data, shape, dtype);
}
