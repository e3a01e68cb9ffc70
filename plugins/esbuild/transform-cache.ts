// Remembers each module's transform between the rebuilds of one esbuild context (watch mode,
// `ctx.rebuild()`): esbuild calls the plugin's onLoad for every module on every rebuild, and the
// core's output depends only on the text it is given, its input map and its options. The key is
// that input as the core gets it (for TypeScript, esbuild's JavaScript after the type strip, so an
// edited tsconfig.json that changes the JavaScript also misses), compared in full, not hashed.
import type { TransformOutcome, TransformTask } from './transform-worker.js';

interface Entry {
  code: string;
  inputMap: string | undefined;
  options: string;
  outcome: Extract<TransformOutcome, { ok: true }>;
}

export class TransformCache {
  readonly #entries = new Map<string, Entry>();

  /** The outcome remembered for this exact task, if any. */
  get(task: TransformTask): TransformOutcome | undefined {
    const e = this.#entries.get(task.file);
    if (!e || e.code !== task.code || e.inputMap !== task.inputMap || e.options !== JSON.stringify(task.options)) return undefined;
    return e.outcome;
  }

  /** Remembers a successful outcome (a failure is transformed again next time) and returns it. */
  set(task: TransformTask, outcome: TransformOutcome): TransformOutcome {
    if (outcome.ok) this.#entries.set(task.file, { code: task.code, inputMap: task.inputMap, options: JSON.stringify(task.options), outcome });
    else this.#entries.delete(task.file);
    return outcome;
  }

  /** Forgets modules esbuild did not load in the last build (deleted or no longer imported). */
  keepOnly(files: Set<string>): void {
    for (const file of this.#entries.keys()) if (!files.has(file)) this.#entries.delete(file);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
