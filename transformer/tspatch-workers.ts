// The ts-patch front end's transform pool: worker threads (tspatch-worker.ts) that run the core on the JS files
// tsc hands to the emit hook while tsc goes on emitting. tsc's emit is synchronous, so the results are pulled
// synchronously at its end (receiveMessageOnPort), the main thread sleeping on a shared counter the workers bump
// (Atomics.wait). While it waits, the main thread runs jobs no worker has started yet, from the back of the queues
// (the tail of the emit; all of them if a worker never starts). A job whose worker dies, or stalls, becomes a
// failure of that file; jobs queued behind it run in this thread. Workers are unref'd: they never keep the process alive.
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { TransformOptions, TransformResult } from './core/types.js';
import type { TransformFailure } from './core/attempt.js';
import type { WorkerInit, WorkerJob, WorkerReply } from './tspatch-worker.js';

/** The core's result for a job, or why it failed (see core/attempt.ts). */
/** `transient`: the worker failed (exited, stalled), not the core: the next program transforms the file again. */
export type JobResult = ({ ok: true } & TransformResult) | (TransformFailure & { transient?: true });
export interface PoolJob { fileName: string; input: string; options: TransformOptions }

/** Workers used by default: one per spare core, at most 2 (none on a single core: the transform runs in tsc's thread). */
export function defaultWorkerCount(): number {
  return Math.max(0, Math.min(2, availableParallelism() - 1));
}

const MAX_WORKERS = 16;
const CLAIMS = 1024; // claim flags per shared buffer (a new one when they are used up)

interface Pending { job: PoolJob; claims: Int32Array; claim: number }

interface Slot {
  index: number;
  worker: Worker;
  port: MessagePort;
  pending: Map<number, Pending>;
  /** characters of input queued on it (jobs go to the least loaded worker) */
  load: number;
}

export class TransformPool {
  private readonly signal = new Int32Array(new SharedArrayBuffer(4 * (1 + MAX_WORKERS)));
  private readonly slots: (Slot | undefined)[] = [];
  private readonly done = new Map<number, JobResult>();
  private nextId = 1;
  private claims = new Int32Array(new SharedArrayBuffer(4 * CLAIMS));
  private nextClaim = 0;

  /**
   * `entry`: the worker module; `core`: URL of the module whose transformModule the workers run; `stallMs`: how long
   * a worker with jobs may send nothing before it is taken for dead (a thread that died without a word); `takeBack`:
   * whether collect runs jobs no worker has started.
   */
  constructor(count: number, private readonly entry: URL, private readonly core: string, private readonly stallMs = 60_000, private readonly takeBack = true) {
    for (let i = 0; i < Math.min(Math.max(1, count), MAX_WORKERS); i++) this.slots.push(this.spawn(i));
  }

  private spawn(index: number): Slot {
    const { port1, port2 } = new MessageChannel();
    Atomics.store(this.signal, 1 + index, 0);
    const init: WorkerInit = { core: this.core, port: port2, signal: this.signal, slot: index };
    const worker = new Worker(this.entry, { workerData: init, transferList: [port2] });
    worker.on('error', () => {}); // (reported through the exit message or the stall timeout, synchronously)
    worker.unref();
    port1.unref();
    return { index, worker, port: port1, pending: new Map(), load: 0 };
  }

  /** Posts a job to the least loaded worker; its id. */
  submit(job: PoolJob): number {
    for (let i = 0; i < this.slots.length; i++) this.slots[i] ??= this.spawn(i);
    const slot = (this.slots as Slot[]).reduce((a, b) => (b.load < a.load ? b : a));
    const id = this.nextId++;
    if (this.nextClaim === CLAIMS) {
      this.claims = new Int32Array(new SharedArrayBuffer(4 * CLAIMS));
      this.nextClaim = 0;
    }
    const pending: Pending = { job, claims: this.claims, claim: this.nextClaim++ };
    slot.pending.set(id, pending);
    slot.load += job.input.length;
    slot.worker.postMessage({ id, ...job, claims: pending.claims, claim: pending.claim } satisfies WorkerJob);
    return id;
  }

  /** Waits, asleep, for every job submitted so far; their results by id. `inThread` runs a job here. */
  collect(inThread: (job: PoolJob) => JobResult): Map<number, JobResult> {
    let lastProgress = Date.now();
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      let progress = false;
      let pending = false;
      for (const slot of this.slots) {
        if (!slot) continue;
        for (let m = receiveMessageOnPort(slot.port); m && this.slots[slot.index] === slot; m = receiveMessageOnPort(slot.port)) {
          progress = true;
          this.receive(slot, m.message as WorkerReply, inThread);
        }
        if (this.slots[slot.index] === slot && slot.pending.size > 0) pending = true;
      }
      if (!pending) break;
      if (!progress && this.takeBack) progress = this.runUnstarted(inThread);
      if (progress) lastProgress = Date.now();
      else if (Date.now() - lastProgress >= this.stallMs) {
        for (const slot of this.slots) if (slot && slot.pending.size > 0) this.drop(slot, `sent nothing for ${Math.round(this.stallMs / 1000)} s`, inThread);
      } else Atomics.wait(this.signal, 0, seen, Math.min(1000, this.stallMs));
    }
    const out = new Map(this.done);
    this.done.clear();
    return out;
  }

  /** Runs here the last job of a queue that its worker has not started, if there is one. */
  private runUnstarted(inThread: (job: PoolJob) => JobResult): boolean {
    for (const slot of this.slots) {
      const last = slot && [...slot.pending].at(-1);
      if (!slot || !last) continue;
      const [id, p] = last;
      if (Atomics.compareExchange(p.claims, p.claim, 0, 2) !== 0) continue; // (its worker is on it, or done)
      slot.pending.delete(id);
      slot.load -= p.job.input.length;
      this.done.set(id, inThread(p.job));
      return true;
    }
    return false;
  }

  private receive(slot: Slot, reply: WorkerReply, inThread: (job: PoolJob) => JobResult): void {
    if ('exited' in reply) {
      this.drop(slot, `exited (code ${reply.exited})`, inThread);
      return;
    }
    const p = slot.pending.get(reply.id);
    if (!p) return;
    slot.pending.delete(reply.id);
    slot.load -= p.job.input.length;
    this.done.set(reply.id, reply.result);
  }

  /** A worker that died or stalls: its current job fails, the ones queued behind it run here; a new one replaces it. */
  private drop(slot: Slot, why: string, inThread: (job: PoolJob) => JobResult, current = Atomics.load(this.signal, 1 + slot.index)): void {
    this.slots[slot.index] = undefined; // (respawned by the next submit)
    slot.port.close();
    void slot.worker.terminate().catch(() => {});
    for (const [id, p] of slot.pending) {
      const free = id !== current && Atomics.compareExchange(p.claims, p.claim, 0, 2) === 0;
      this.done.set(id, free ? inThread(p.job) : { ok: false, message: `the transform worker ${why} while transforming this file`, transient: true });
    }
    slot.pending.clear();
  }
}
