// Worker-thread backend: a piscina pool whose workers run runtime/worker.js. A task that an idle
// worker takes at once is posted as objects (one structured clone); one that waits in piscina's
// queue is frozen to bytes first. Piscina replaces a worker that dies; this class turns its
// failures into WorkerErrors that say what happened.
import { Piscina } from 'piscina';
import { WorkerError, causeText as text } from '../errors.js';
import { freeze, share, type FnRef, type Reply, type Task } from '../protocol.js';
import type { Backend, BackendOptions } from './types.js';

const WORKER_URL = new URL('../worker.js', import.meta.url).href;
const NO_OPTIONS = Object.freeze({});

export class ThreadsBackend implements Backend {
  readonly #piscina: Piscina<Task, Reply>;
  readonly #shared = new WeakMap<FnRef, Uint8Array>();
  #fnBytes = 0;
  #terminated = false;
  #broken: WorkerError | undefined;
  /** rejecters of the tasks in flight: if the pool breaks, they all fail (no per-task race on a never-settling promise) */
  readonly #pending = new Set<(error: unknown) => void>();
  /** set by the load balancer when piscina hands the task being submitted to a worker right away */
  #posted = false;

  constructor(readonly options: BackendOptions) {
    this.#piscina = new Piscina<Task, Reply>({
      filename: WORKER_URL,
      minThreads: options.idleTimeout === undefined ? options.size : 0,
      maxThreads: options.size,
      ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
      // 'disabled' (the default): tasks arrive as plain 'message' events, so an idle worker's event
      // loop keeps running (timers and I/O a task or `setup` left behind are not frozen, as they
      // are with 'sync', where an idle worker blocks in Atomics.wait: less CPU per round trip, the
      // user's choice). 'async' (Atomics.waitAsync) keeps the loop running too but wakes the
      // worker twice per task (the port's event and the wait's promise): piscina round trips
      // measured ~10% slower than with 'disabled', and ~4% more instructions per pool.run
      // (bench: latency); it is not offered.
      atomics: options.atomics,
      recordTiming: false, // piscina's histograms: nobody reads them, every task would pay for them
      workerData: options.init,
      // piscina's default choice (the first idle worker; one task per worker), noting that the
      // task was posted synchronously: see exec
      loadBalancer: (_task, workers) => {
        for (const worker of workers) {
          if (worker.currentUsage === 0) {
            this.#posted = true;
            return worker;
          }
        }
        return null;
      },
    });
    // piscina emits 'error' for a worker that fails with no task running; with no listener that
    // would crash this process. If workers die while starting, piscina stops respawning and
    // queued tasks would wait forever: detect that and fail everything instead.
    this.#piscina.on('error', (error: unknown) => this.#onWorkerFailure(error));
  }

  exec(task: Task, signal?: AbortSignal): Promise<Reply> {
    if (this.#broken) return Promise.reject(this.#broken);
    if (task.fn?.bytes) {
      // every message of the call points at one shared copy of the function's bytes (sealed
      // bytes already are shared: the Pool decides when their buffer may be reused, see
      // seal-buffers.ts; a worker reads them only until it replies)
      let shared = this.#shared.get(task.fn);
      if (!shared) {
        this.#shared.set(task.fn, (shared = share(task.fn.bytes)));
        this.#fnBytes += shared.byteLength; // shared memory: every worker reads the same copy
      }
      task = { ...task, fn: { key: task.fn.key, shared } };
    } else task = { ...task };
    this.#posted = false;
    const run = this.#piscina.run(task, signal ? { signal } : NO_OPTIONS);
    // Not posted yet: piscina keeps `task` in its queue and posts it later, when the caller may
    // have changed objects the payload shares with its values: freeze it now, in place.
    if (!this.#posted) task.payload = freeze(task.payload);
    // one promise per task: settled by piscina, or failed with every other in-flight task if the pool breaks
    return new Promise<Reply>((resolve, reject) => {
      this.#pending.add(reject);
      run.then(
        (reply) => {
          this.#pending.delete(reject);
          resolve(reply);
        },
        (cause: unknown) => {
          this.#pending.delete(reject);
          reject(this.#explain(cause, signal));
        },
      );
    });
  }

  /** What a rejection from piscina means for the caller. */
  #explain(cause: unknown, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return signal.reason;
    if (cause instanceof WorkerError) return cause;
    if ((cause as Error | null)?.name === 'DataCloneError') return new TypeError(`teleport: internal error: a pickled payload could not be posted (${text(cause)})`, { cause });
    if (this.#terminated) return new WorkerError('teleport: the pool was terminated while the task was running', { cause });
    return new WorkerError(describeFailure(cause, this.options), { cause });
  }

  fnBytesPosted(): number {
    return this.#fnBytes;
  }

  async close(): Promise<void> {
    await this.#piscina.close();
  }

  async terminate(): Promise<void> {
    this.#terminated = true;
    await this.#piscina.destroy();
  }

  #onWorkerFailure(error: unknown): void {
    if (this.#broken) return;
    if (this.#piscina.threads.length > 0) {
      process.emitWarning(`teleport: a worker thread failed outside any task and was replaced: ${text(error)}`, { type: 'TeleportWarning' });
      return;
    }
    this.#broken = new WorkerError(`teleport: worker threads cannot start (${WORKER_URL}): ${text(error)}`, { cause: error });
    for (const fail of this.#pending) fail(this.#broken);
  }
}

function describeFailure(cause: unknown, options: BackendOptions): string {
  const code = (cause as { code?: string } | null)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    const limit = options.resourceLimits?.maxOldGenerationSizeMb;
    return `teleport: the worker thread ran out of memory${limit ? ` (resourceLimits.maxOldGenerationSizeMb = ${limit})` : ''} while running the task; it was replaced`;
  }
  const m = /worker exited with code: (-?\d+)/i.exec(cause instanceof Error ? cause.message : String(cause));
  if (m) return `teleport: the worker thread exited with code ${m[1]} while running the task (process.exit?); it was replaced`;
  if (cause instanceof Error && /terminat/i.test(cause.message)) return `teleport: the worker thread was terminated while running the task (${cause.message})`;
  return `teleport: the worker thread crashed while running the task: ${text(cause)} (an uncaught exception, e.g. thrown from a timer); it was replaced`;
}

