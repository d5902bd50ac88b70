/**
 * The Jupyter wire format (messaging protocol 5.4): how a message travels as ZeroMQ frames, and
 * how it is signed.
 *
 *   [ident..., "<IDS|MSG>", signature, header, parent_header, metadata, content, buffer...]
 *
 * signature = hex(HMAC_scheme(key, header ‖ parent_header ‖ metadata ‖ content)); buffers are not
 * signed. An empty key means "unsigned": the signature frame is empty and is not checked.
 */
import { createHmac, randomUUID, timingSafeEqual, getHashes } from "node:crypto";
import { readFileSync } from "node:fs";

export const DELIMITER = "<IDS|MSG>";
export const PROTOCOL_VERSION = "5.4";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  kernel_name?: string;
}

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [k: string]: unknown;
}

export interface Message {
  idents: Buffer[];
  header: Header;
  parent_header: Partial<Header> & Record<string, unknown>;
  metadata: Record<string, unknown>;
  content: Record<string, any>;
  buffers: Buffer[];
}

/** Reads and validates a connection file; bad files are an error naming the missing field. */
export function readConnectionFile(path: string): ConnectionInfo {
  let raw: any;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e: any) {
    throw new Error(`cannot read connection file ${path}: ${e.message}`);
  }
  for (const k of ["ip", "shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"]) {
    if (raw[k] === undefined) throw new Error(`connection file ${path} has no "${k}"`);
  }
  const transport = raw.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") {
    throw new Error(`connection file ${path}: transport must be "tcp" or "ipc", got ${JSON.stringify(transport)}`);
  }
  return { ...raw, transport, key: raw.key ?? "", signature_scheme: raw.signature_scheme ?? "hmac-sha256" };
}

/** The endpoint to bind for one channel: exactly the file's transport and ip (ipc: "ip-port"). */
export function endpoint(info: ConnectionInfo, port: number): string {
  return info.transport === "ipc" ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}

/**
 * Signs and checks frames. `signature_scheme` is "hmac-<hash>" with any hash Node's crypto knows
 * (hmac-sha256 is the default of every client).
 */
export class Signer {
  private readonly algorithm: string;
  constructor(private readonly key: string, scheme = "hmac-sha256") {
    const m = /^hmac-(.+)$/.exec(scheme);
    if (!m || !getHashes().includes(m[1])) {
      throw new Error(`unsupported signature_scheme ${JSON.stringify(scheme)}: expected "hmac-<hash>", e.g. "hmac-sha256"`);
    }
    this.algorithm = m[1];
  }
  get signed(): boolean {
    return this.key.length > 0;
  }
  sign(frames: (Buffer | string)[]): string {
    if (!this.signed) return "";
    const h = createHmac(this.algorithm, this.key);
    for (const f of frames) h.update(f);
    return h.digest("hex");
  }
  /** Constant-time comparison (timingSafeEqual over equal-length digests). */
  verify(signature: string, frames: (Buffer | string)[]): boolean {
    if (!this.signed) return true;
    const expected = Buffer.from(this.sign(frames), "utf8");
    const got = Buffer.from(signature, "utf8");
    if (got.length !== expected.length) {
      timingSafeEqual(expected, expected); // same work either way
      return false;
    }
    return timingSafeEqual(expected, got);
  }
}

/** Raised for frames that are not a valid signed Jupyter message; the caller drops and logs it. */
export class WireError extends Error {}

/** Frames → Message. Throws WireError on a missing delimiter, a bad signature or bad JSON. */
export function decode(frames: Buffer[], signer: Signer): Message {
  const i = frames.findIndex((f) => f.length === DELIMITER.length && f.toString() === DELIMITER);
  if (i < 0) throw new WireError("no <IDS|MSG> delimiter");
  if (frames.length < i + 6) throw new WireError(`too few frames (${frames.length})`);
  const signature = frames[i + 1].toString();
  const parts = frames.slice(i + 2, i + 6);
  if (!signer.verify(signature, parts)) throw new WireError("invalid HMAC signature");
  let json: any[];
  try {
    json = parts.map((p) => JSON.parse(p.toString("utf8")));
  } catch (e: any) {
    throw new WireError(`bad JSON in message: ${e.message}`);
  }
  const [header, , , content] = json;
  // header and content are JSON objects (messaging spec); a null or a list as content made a
  // handler throw on `content.restart`, which ended the control channel's loop for good. A null
  // parent_header or metadata is read as {} (ipykernel answers such requests).
  const parent_header = json[1] ?? {};
  const metadata = json[2] ?? {};
  const names = ["header", "parent_header", "metadata", "content"];
  [header, parent_header, metadata, content].forEach((part, k) => {
    if (typeof part !== "object" || part === null || Array.isArray(part)) {
      throw new WireError(`${names[k]} is ${part === null ? "null" : Array.isArray(part) ? "a list" : typeof part}, not a JSON object`);
    }
  });
  if (typeof header.msg_type !== "string") throw new WireError("header without msg_type");
  if (typeof header.msg_id !== "string") throw new WireError("header without msg_id");
  return { idents: frames.slice(0, i), header, parent_header, metadata, content, buffers: frames.slice(i + 6) };
}

/** Message parts → frames, signed. */
export function encode(signer: Signer, idents: Buffer[], header: Header, parent: object, metadata: object,
  content: object, buffers: Buffer[] = []): Buffer[] {
  const parts = [header, parent, metadata, content].map((o) => Buffer.from(JSON.stringify(o), "utf8"));
  return [...idents, Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts, ...buffers];
}

export function newHeader(msg_type: string, session: string, username = "lrlab"): Header {
  return { msg_id: randomUUID(), session, username, date: new Date().toISOString(), msg_type, version: PROTOCOL_VERSION };
}
