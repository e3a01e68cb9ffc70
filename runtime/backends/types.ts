// The interface the Pool front end drives; one implementation per kind of worker.
import type { Reply, Task } from '../protocol.js';

export interface BackendOptions {
  size: number;
  /** threads: how an idle worker waits for a task (piscina's option; see PoolOptions.atomics) */
  atomics: 'disabled' | 'sync';
  /** stop a worker that has been idle this long (ms); a new one (with a fresh setup) starts on demand */
  idleTimeout?: number;
  /** memory limits per worker (threads: worker_threads resourceLimits; processes: --max-old-space-size) */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; stackSizeMb?: number };
  /** encoded once by the Pool: main script URL and the pickled setup function */
  init: { main?: string; setup?: Uint8Array };
}

export interface Backend {
  /**
   * Runs one task on some worker. Resolves with the worker's reply (task errors are replies;
   * never a `missing` reply: a backend that omits a call's function bytes resends them itself).
   * Rejects with a WorkerError when the worker died (the backend replaces it), with the
   * signal's reason when `signal` aborts (a running task's worker is stopped and replaced).
   */
  exec(task: Task, signal?: AbortSignal): Promise<Reply>;
  /** Waits for running tasks, then stops all workers. */
  close(): Promise<void>;
  /** Stops all workers now; running tasks reject with a WorkerError. */
  terminate(): Promise<void>;
  /** bytes of call functions this backend sent to workers (it decides when a worker needs them) */
  fnBytesPosted?(): number;
}
