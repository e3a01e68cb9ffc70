// Pool: a fixed-size piscina worker-thread pool that runs Teleport-pickled functions (run, and a
// chunked map) and gives back their results, or the task's own error revived in this thread.
// Also exports range() and chunkPlan(), the pure helpers map and its callers use.

import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { Piscina } from 'piscina';
import { pack, unpack } from './pickle.js';
import type { Reply, Task } from './worker.js';

export interface PoolOptions {
  /** number of worker threads (default: os.availableParallelism()) */
  size?: number;
}

export interface MapOptions {
  /** items per message to a worker (default: ceil(n / (size * 4)), within [1, 10_000]) */
  chunkSize?: number;
}

/** One chunk of a map: the items with indexes start <= i < end. */
export interface Chunk {
  start: number;
  end: number;
}

/** Rejection reason when a worker thread itself fails (crashes, exits, cannot load) rather than
 *  the task throwing; `cause` is what piscina / Node reported. Task errors are never wrapped. */
export class WorkerError extends Error {
  static {
    this.prototype.name = 'WorkerError';
  }
}

const WORKER_URL = new URL('./worker.js', import.meta.url).href;
const MAX_CHUNK = 10_000;

export class Pool {
  readonly size: number;
  readonly #piscina: Piscina<Task, Reply>;
  /** settled-wrappers of every unfinished operation and worker task; close() drains this */
  readonly #inflight = new Set<Promise<void>>();
  #closing: Promise<void> | undefined;
  #tasksSent = 0;
  /** set once no worker can run (all failed to start); every pending and later task gets it */
  #broken: WorkerError | undefined;
  readonly #brokenSignal: Promise<never>;
  #breakPool!: (error: WorkerError) => void;

  constructor(options: PoolOptions = {}) {
    const size = options.size ?? availableParallelism();
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new RangeError(`Pool: size must be a positive integer, received ${describe(options.size)}`);
    }
    this.size = size;
    this.#brokenSignal = new Promise<never>((_, reject) => {
      this.#breakPool = reject;
    });
    this.#brokenSignal.catch(() => {}); // only ever observed through Promise.race in #exec
    this.#piscina = new Piscina<Task, Reply>({
      filename: WORKER_URL,
      minThreads: size,
      maxThreads: size,
      // 'async' waits with Atomics.waitAsync: as fast as the default 'sync', but an idle worker's
      // event loop keeps running (timers / promises a task left behind are not frozen).
      atomics: 'async',
      workerData: { main: mainScriptUrl() },
    });
    // piscina emits 'error' when a worker fails while it has no task; with no listener that
    // would crash this process. A crashed worker is replaced, unless workers die while starting,
    // in which case piscina stops respawning and queued tasks would wait forever: detect that.
    this.#piscina.on('error', (error: unknown) => this.#onWorkerFailure(error));
  }

  /** Runs fn(...args) on a worker thread. fn and args are pickled now (a snapshot). Rejects with
   *  the task's own error (class, message, stack), or a WorkerError if the thread itself died. */
  run<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<Awaited<R>> {
    return this.#track(this.#run(fn, args));
  }

  /** fn(item, index) for every item, on worker threads, in chunks (fn is pickled once per call;
   *  the input is consumed fully first). Resolves with results in input order. Fails fast: if an
   *  item's call throws, rejects with that ORIGINAL error (class intact) whose message (and the
   *  first line of its stack) gets the suffix ` [map item ${index}]`; no further chunks are sent. */
  map<T, R>(
    fn: (item: T, index: number) => R | Promise<R>,
    items: Iterable<T> | AsyncIterable<T>,
    options: MapOptions = {},
  ): Promise<Awaited<R>[]> {
    return this.#track(this.#map(fn, items, options));
  }

  /** Stops accepting work, waits for every started run/map (and their worker tasks) to settle,
   *  then terminates the workers. Idempotent: later calls return the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** Counters for observability: `tasks` is the number of messages sent to workers so far
   *  (a `map` sends one per chunk, not one per item). */
  get stats(): { tasks: number } {
    return { tasks: this.#tasksSent };
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #run<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, args: A): Promise<Awaited<R>> {
    this.#assertOpen();
    assertFunction(fn, 'Pool.run');
    const reply = await this.#exec({ kind: 'run', p: pack([fn, args], 'task') });
    const value = await unpack(reply.p);
    if (!reply.ok) throw value;
    return value as Awaited<R>;
  }

  async #map<T, R>(
    fn: (item: T, index: number) => R | Promise<R>,
    items: Iterable<T> | AsyncIterable<T>,
    options: MapOptions,
  ): Promise<Awaited<R>[]> {
    this.#assertOpen();
    assertFunction(fn, 'Pool.map');
    const chunkSize = options?.chunkSize;
    if (chunkSize !== undefined) checkChunkSize(chunkSize);
    const kind = iterableKind(items);
    const f = pack(fn, 'map function'); // once per map call, before consuming the input
    const list: T[] = [];
    if (kind === 'async') for await (const item of items as AsyncIterable<T>) list.push(item);
    else for (const item of items as Iterable<T>) list.push(item);

    const plan = chunkPlan(list.length, this.size, chunkSize);
    const results: unknown[] = new Array(list.length);
    let next = 0;
    let failed = false;
    // A bounded number of chunks in flight (two per worker, so none idles between messages):
    // chunks are pickled just before sending, and nothing more is sent after a failure.
    const lane = async (): Promise<void> => {
      while (!failed && next < plan.length) {
        const { start, end } = plan[next++]!;
        try {
          const reply = await this.#exec({ kind: 'map', f, p: pack(list.slice(start, end)), start });
          const value = await unpack(reply.p);
          if (!reply.ok) throw reply.index === undefined ? value : withItemIndex(value, reply.index);
          const chunk = value as unknown[];
          for (let i = 0; i < chunk.length; i++) results[start + i] = chunk[i];
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const lanes = Math.min(plan.length, this.size * 2);
    await Promise.all(Array.from({ length: lanes }, lane));
    return results as Awaited<R>[];
  }

  /** Sends one task to piscina. Rejections from piscina are never task errors (the worker
   *  replies with those); they mean the thread failed, so they become a WorkerError. */
  #exec(task: Task): Promise<Reply> {
    if (this.#broken) return Promise.reject(this.#broken);
    this.#tasksSent++;
    const reply = Promise.race([this.#piscina.run(task), this.#brokenSignal]).catch((cause: unknown) => {
      if (cause instanceof WorkerError) throw cause;
      throw new WorkerError(`teleport: the worker thread failed while running the task: ${causeText(cause)}`, {
        cause,
      });
    });
    return this.#track(reply);
  }

  #track<T>(operation: Promise<T>): Promise<T> {
    const settled = operation.then(noop, noop);
    this.#inflight.add(settled);
    void settled.then(() => this.#inflight.delete(settled));
    return operation;
  }

  async #shutdown(): Promise<void> {
    // map may still be sending chunks for a while, hence the loop.
    while (this.#inflight.size > 0) await Promise.all(this.#inflight);
    await this.#piscina.close(); // terminates the (now idle) workers and waits for them to exit
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error('Pool is closed');
  }

  #onWorkerFailure(error: unknown): void {
    if (this.#broken) return;
    if (this.#piscina.threads.length > 0) {
      // A worker failed with no task (e.g. a stray exception from a timer a task left behind);
      // piscina replaces it. Nothing to reject, but do not hide it.
      process.emitWarning(
        `teleport: a worker thread failed outside any task (${this.#piscina.threads.length} of ${this.size} running): ${causeText(error)}`,
        { type: 'TeleportWarning' },
      );
      return;
    }
    this.#broken = new WorkerError(
      `teleport: worker threads cannot start (${WORKER_URL}): ${causeText(error)}`,
      { cause: error },
    );
    this.#breakPool(this.#broken);
  }
}

/** Python-style range: range(stop), range(start, stop), range(start, stop, step). Integers only;
 *  step must not be 0 (RangeError). */
export function range(stop: number): number[];
export function range(start: number, stop: number, step?: number): number[];
export function range(a: number, b?: number, c?: number): number[] {
  const [start, stop, step] = b === undefined ? [0, a, 1] : [a, b, c ?? 1];
  for (const [name, value] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`range: ${name} must be an integer, received ${describe(value)}`);
    }
  }
  if (step === 0) throw new RangeError('range: step must not be zero');
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const out: number[] = new Array(length);
  for (let i = 0; i < length; i++) out[i] = start + i * step;
  return out;
}

/** How map splits n items for a pool of `size` workers: consecutive [start, end) chunks covering
 *  0..n-1 in order. Default chunk length ceil(n / (size * 4)) within [1, 10_000]; an explicit
 *  chunkSize must be a positive integer (RangeError otherwise). */
export function chunkPlan(n: number, size: number, chunkSize?: number): Chunk[] {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`chunkPlan: n must be a non-negative integer, received ${describe(n)}`);
  }
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new RangeError(`chunkPlan: size must be a positive integer, received ${describe(size)}`);
  }
  if (chunkSize !== undefined) checkChunkSize(chunkSize);
  const per = chunkSize ?? Math.min(MAX_CHUNK, Math.max(1, Math.ceil(n / (size * 4))));
  const chunks: Chunk[] = [];
  for (let start = 0; start < n; start += per) chunks.push({ start, end: Math.min(n, start + per) });
  return chunks;
}

function checkChunkSize(chunkSize: unknown): void {
  if (typeof chunkSize !== 'number' || !Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`Pool.map: chunkSize must be a positive integer, received ${describe(chunkSize)}`);
  }
}

function assertFunction(fn: unknown, where: string): void {
  if (typeof fn !== 'function') {
    throw new TypeError(`${where}: expected a function, received ${describe(fn)}`);
  }
}

function iterableKind(items: unknown): 'sync' | 'async' {
  const candidate = items as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown } | null;
  if (candidate != null && typeof candidate[Symbol.asyncIterator] === 'function') return 'async';
  if (candidate != null && typeof candidate[Symbol.iterator] === 'function') return 'sync';
  throw new TypeError(`Pool.map: items must be an iterable or async iterable, received ${describe(items)}`);
}

/** Appends ` [map item ${index}]` to an Error's message and to its stack's first line (when that
 *  line ends with the message), keeping the original object, class and message text. */
function withItemIndex(error: unknown, index: number): unknown {
  if (!(error instanceof Error)) return error;
  const original = error.message;
  const suffix = ` [map item ${index}]`;
  try {
    error.message = original + suffix;
    const stack = error.stack;
    if (typeof stack === 'string') {
      const eol = stack.indexOf('\n');
      const head = eol < 0 ? stack : stack.slice(0, eol);
      if (head.endsWith(original)) error.stack = head + suffix + stack.slice(head.length);
    }
  } catch {
    // frozen or exotic error object: reject with it unchanged
  }
  return error;
}

/** file: URL of the program's entry script (the worker runtime must not re-run its top level). */
function mainScriptUrl(): string | undefined {
  const entry = process.argv[1];
  if (!entry) return undefined;
  try {
    return pathToFileURL(realpathSync(entry)).href;
  } catch {
    return undefined;
  }
}

function describe(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  const shown = inspect(value, { depth: 0, breakLength: Infinity, maxArrayLength: 3, maxStringLength: 40 });
  return `${type} (${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown})`;
}

function causeText(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  try {
    return String(cause);
  } catch {
    return 'unknown failure';
  }
}

function noop(): void {}
