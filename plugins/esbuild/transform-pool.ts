// The esbuild plugin's pool of worker threads (piscina) that run the transform core
// (transform-worker.ts), so that modules are transformed in parallel and off esbuild's JS thread.
// Started on the first task; `destroy` ends the threads (the plugin calls it in onDispose).
import os from 'node:os';
import { Piscina } from 'piscina';
import type { TransformOutcome, TransformTask } from './transform-worker.js';

/**
 * The default thread count: one per core but one (esbuild's JS thread keeps busy with its own
 * work), at most 4; none on one or two cores, where the threads' extra CPU (each loads and warms
 * up the core on its own) cost more than they saved in our measurements (README, Build cost).
 */
export function defaultWorkers(cores = os.availableParallelism()): number {
  return cores > 2 ? Math.min(4, cores - 1) : 0;
}

export class TransformPool {
  #pool: Piscina | undefined;

  /** `filename`: the worker module (a test may pass another) */
  constructor(readonly threads: number, readonly filename = new URL('./transform-worker.js', import.meta.url).href) {}

  /** Never rejects: a worker that fails (or dies) gives a failed outcome. */
  async run(task: TransformTask): Promise<TransformOutcome> {
    this.#pool ??= new Piscina({ filename: this.filename, minThreads: this.threads, maxThreads: this.threads, idleTimeout: Infinity });
    try {
      return await this.#pool.run(task) as TransformOutcome;
    } catch (err) {
      return { ok: false, message: `worker thread failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async destroy(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }
}
