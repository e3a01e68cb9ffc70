// Worker thread entry of the ts-patch front end's transform pool (tspatch-workers.ts): runs the core's
// transformModule on the jobs the main thread posts (those it has not taken back), and sends each result (or the failure's message) on
// the port the pool pulls synchronously, then bumps the shared counter the main thread sleeps on.
import { workerData, parentPort, type MessagePort } from 'node:worker_threads';
import type { TransformOptions, TransformResult } from './core/types.js';
import { attempt } from './core/attempt.js';
import type { JobResult } from './tspatch-workers.js';

export interface WorkerInit {
  /** URL of the module whose `transformModule` runs the jobs (the core's by default) */
  core: string;
  /** where results go (the main thread reads it with receiveMessageOnPort) */
  port: MessagePort;
  /** [0]: results posted by all workers (Atomics.notify'd), [1 + slot]: id of the job this worker is on (0: none) */
  signal: Int32Array;
  slot: number;
}
/** `claims[claim]`: 0 while nobody runs the job; the worker or the main thread sets it before running it */
export interface WorkerJob { id: number; fileName: string; input: string; options: TransformOptions; claims: Int32Array; claim: number }
export type WorkerReply =
  | { id: number; result: JobResult }
  | { exited: number };

const { core, port, signal, slot } = workerData as WorkerInit;
const post = (reply: WorkerReply) => {
  try {
    port.postMessage(reply);
  } catch (err) {
    // (a result that cannot be cloned)
    port.postMessage({ id: 'id' in reply ? reply.id : 0, result: { ok: false, message: `its result could not be sent from the worker: ${String(err)}` } });
  }
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
};
// process.exit() inside the core (or an error outside a job): the main thread learns it at once instead of waiting
// (the job it was on, if any, is in the shared slot)
process.on('exit', (code) => post({ exited: code }));

type Core = { transformModule(code: string, fileName: string, options?: TransformOptions): TransformResult };
let transformModule: Core['transformModule'];
try {
  ({ transformModule } = (await import(core)) as Core);
} catch {
  // (no job can be on it yet: the main thread runs this worker's queue itself)
  process.exit(1);
}
parentPort!.on('message', (job: WorkerJob) => {
  if (Atomics.compareExchange(job.claims, job.claim, 0, 1) !== 0) return; // (the main thread took it)
  Atomics.store(signal, 1 + slot, job.id);
  const result = attempt(() => transformModule(job.input, job.fileName, job.options));
  Atomics.store(signal, 1 + slot, 0);
  post({ id: job.id, result });
});
