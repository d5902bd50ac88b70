// The tracer section in a process of its own (bench/run.mjs runs this file as a child): the rows
// measure the tracer, not what the training section left in the bench's process. Run after the
// training section in the same process, the MLP row read 20-30% where the section alone read 4-12%
// (session 25: heap and threads of the earlier workloads, TF.js's wasm backend among them).
//
//   node bench/lib/tracer_child.mjs [--quick]    → the section's results as JSON on stdout
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runTracer } from "./tracer.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const quick = process.argv.includes("--quick");
const out = runTracer(root, { quick, log: (msg) => process.stderr.write(`[bench] ${msg}\n`) });
process.stdout.write(JSON.stringify(out));
