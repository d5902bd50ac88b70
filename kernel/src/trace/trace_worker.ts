/**
 * The tracer's worker thread (offload.ts starts it): measures the jobs it is sent (step_job.ts)
 * on the traces' shared memories and replies on its port, noting the job's number and bumping a
 * shared counter per reply so the main thread, which may be blocked in a training loop, wakes up.
 */
import { workerData } from "node:worker_threads";
import { runJob, type StepJob } from "./step_job";
import type { JobReply } from "./offload";
import { sumsOn, WORKER_OUT, type SumsModule } from "./wasm_sums";
import type { WasmMemory } from "../wasm_host";

interface Port {
  on(event: "message", f: (m: Message) => void): void;
  postMessage(m: JobReply): void;
}
type Message = { forget: number } | { seq: number; id: number; memory?: WasmMemory; job: StepJob };

const { port, ctrl } = workerData as { port: Port; ctrl: Int32Array };
/** Each trace's module instance on its memory, by the trace's id. */
const modules = new Map<number, SumsModule>();

port.on("message", (m) => {
  if ("forget" in m) {
    modules.delete(m.forget);
    return;
  }
  let reply: JobReply;
  try {
    if (m.memory !== undefined) {
      const mod = sumsOn(m.memory);
      if (mod === null) throw new Error("the trace's memory cannot be used here");
      modules.set(m.id, mod);
    }
    const mod = modules.get(m.id);
    if (mod === undefined) throw new Error(`no memory for trace ${m.id}`);
    reply = { seq: m.seq, results: runJob(mod, m.job, WORKER_OUT) };
  } catch (e) {
    reply = { seq: m.seq, error: `trace worker: ${e instanceof Error ? e.message : String(e)}` };
  }
  port.postMessage(reply);
  Atomics.store(ctrl, 2, m.seq); // REPLIED (offload.ts): after the post, so the reply is on the port
  Atomics.add(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
});
Atomics.store(ctrl, 0, 1);
