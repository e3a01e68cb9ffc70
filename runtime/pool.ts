// Pool: the executor API (run/apply, map, imap, imapUnordered, starmap, close, terminate) on top
// of a backend of worker threads (piscina) or child processes. It pickles the call's function
// once, streams the input in adaptive chunks with a bounded number in flight, and turns replies
// back into values or into the task's own error.
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { Chunker, checkChunkSize } from './chunking.js';
import { WorkerError } from './errors.js';
import { pack, packCall } from './pickle.js';
import { decodeNow, encode, freeze, seal, type FnRef, type Reply, type Task } from './protocol.js';
import { ThreadsBackend } from './backends/threads.js';
import { ProcessesBackend } from './backends/processes.js';
import { SealLease, SpareBuffers } from './seal-buffers.js';
import type { Backend, BackendOptions } from './backends/types.js';

export { range } from './range.js';
export { WorkerError };

export interface PoolOptions {
  /** number of workers (default: os.availableParallelism()) */
  size?: number;
  /** 'threads' (worker_threads, the default) or 'processes' (child processes: isolation, real memory limits) */
  backend?: 'threads' | 'processes';
  /**
   * Tasks that may wait for a free worker beyond the `size` running ones (default: unbounded).
   * When that many are waiting, `run`/`map` wait for room before sending more (back-pressure).
   */
  maxQueue?: number;
  /** stop a worker idle for this many ms; a new one (with its own `setup`) starts on demand */
  idleTimeout?: number;
  /** per-worker memory limits; exceeding them fails the running task with a WorkerError */
  resourceLimits?: BackendOptions['resourceLimits'];
  /** run once in each worker before its first task (like multiprocessing's `initializer`); may be a closure */
  setup?: () => unknown;
  /**
   * How an idle worker thread waits for its next task (backend 'threads' only).
   * - 'disabled' (default): it waits in its event loop, so timers, I/O and promises that a task or
   *   `setup` left running keep running between tasks.
   * - 'sync': it blocks in `Atomics.wait` and is woken directly (piscina's default): less CPU per
   *   round trip for many small `run` calls (see README, Benchmarks), but everything a task or
   *   `setup` left running is frozen while the worker is idle, and runs only when a later task
   *   awaits something (a timer, I/O).
   *
   * There is no 'async' (`Atomics.waitAsync`): it keeps the event loop running like 'disabled'
   * but wakes the worker twice per task, and measured slower than 'disabled'.
   * With backend 'processes', 'sync' is an error (child processes take tasks as IPC messages).
   */
  atomics?: 'disabled' | 'sync';
}

export interface CallOptions {
  /** abort: queued work is dropped, running tasks are stopped (their workers replaced), the call rejects with the signal's reason */
  signal?: AbortSignal;
  /** ms allowed per message (one run, or one chunk of a map); then it rejects with a TimeoutError */
  timeout?: number;
}

export interface ProgressEvent {
  done: number;
  /** undefined while the input's length is not known yet */
  total?: number;
}

export interface MapOptions extends CallOptions {
  /** items per message (default: adaptive, aiming at ~20 ms of work per message) */
  chunkSize?: number;
  /** called after every message's results arrive */
  onProgress?: (progress: ProgressEvent) => void;
}

export interface PoolStats {
  /** messages sent to workers */
  tasks: number;
  /**
   * bytes of pickled call functions sent to workers, each counted once per worker that gets it
   * (items and arguments go as structured objects, copied by postMessage, and are not counted)
   */
  fnBytesPosted: number;
  /** times a worker revived a call's function (at most once per worker per call) */
  fnLoads: number;
  /**
   * map-like calls whose function was sealed into shared memory written by an earlier call of this
   * pool, not fresh memory (threads; only payloads of 1 MiB or more: first writes to fresh memory
   * page-fault)
   */
  fnBuffersReused: number;
}

type Items<T> = Iterable<T> | AsyncIterable<T>;
type Mode = 'each' | 'star';
interface ChunkResult { seq: number; start: number; values: unknown[] }

export class Pool {
  readonly size: number;
  readonly backend: 'threads' | 'processes';
  readonly #backend: Backend;
  readonly #stats = { tasks: 0, fnLoads: 0 }; // fnBytesPosted: the backend counts them
  readonly #operations = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;
  // back-pressure: tasks allowed in the backend at once, and who waits for room
  readonly #capacity: number;
  #outstanding = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #idle: (() => void)[] = [];
  #stopped = false;
  #terminated = false;
  // threads: the spare sealed buffer, and who still reads each call's (see seal-buffers.ts)
  readonly #spares = new SpareBuffers();
  readonly #leases = new WeakMap<FnRef, SealLease>();

  constructor(options: PoolOptions = {}) {
    const size = options.size ?? availableParallelism();
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`Pool: size must be a positive integer, received ${show(options.size)}`);
    const backend = options.backend ?? 'threads';
    if (backend !== 'threads' && backend !== 'processes') throw new RangeError(`Pool: backend must be 'threads' or 'processes', received ${show(backend)}`);
    const maxQueue = options.maxQueue ?? Infinity;
    if (maxQueue !== Infinity && (!Number.isSafeInteger(maxQueue) || maxQueue < 0)) throw new RangeError(`Pool: maxQueue must be a non-negative integer, received ${show(maxQueue)}`);
    if (options.idleTimeout !== undefined && !(options.idleTimeout > 0)) throw new RangeError(`Pool: idleTimeout must be a positive number of ms, received ${show(options.idleTimeout)}`);
    if (options.setup !== undefined && typeof options.setup !== 'function') throw new TypeError(`Pool: setup must be a function, received ${show(options.setup)}`);
    const atomics = options.atomics ?? 'disabled';
    if (atomics !== 'disabled' && atomics !== 'sync') throw new RangeError(`Pool: atomics must be 'disabled' or 'sync', received ${show(options.atomics)}`);
    if (atomics === 'sync' && backend === 'processes') throw new RangeError(`Pool: atomics: 'sync' applies only to backend 'threads' (child processes take tasks as IPC messages)`);
    this.size = size;
    this.backend = backend;
    this.#capacity = size + maxQueue;
    const backendOptions: BackendOptions = {
      size,
      atomics,
      ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
      init: { main: mainScriptUrl(), ...(options.setup ? { setup: encode(options.setup, 'setup') } : {}) },
    };
    this.#backend = backend === 'processes' ? new ProcessesBackend(backendOptions) : new ThreadsBackend(backendOptions);
  }

  get stats(): PoolStats {
    return { ...this.#stats, fnBytesPosted: this.#backend.fnBytesPosted?.() ?? 0, fnBuffersReused: this.#spares.reused };
  }

  /** fn(...args) in a worker. fn, its captures and args are pickled now (a snapshot). */
  run<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<Awaited<R>> {
    return this.apply(fn, args);
  }

  /** fn(...args) in a worker, with options (Python's `Pool.apply`). */
  apply<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, args: A, options: CallOptions = {}): Promise<Awaited<R>> {
    return this.#operation(async (): Promise<Awaited<R>> => {
      assertFunction(fn, 'Pool.run');
      if (!Array.isArray(args)) throw new TypeError(`Pool.apply: args must be an array, received ${show(args)}`);
      const signal = taskSignal(options);
      signal?.throwIfAborted();
      const payload = packCall(fn, args);
      const reply = await this.#exec({ mode: 'call', payload, start: 0 }, signal, options, 'the task', true);
      if ('missing' in reply) throw new Error('teleport: internal error: backend returned a missing-function reply');
      if (Array.isArray(reply)) return reply[0] as Awaited<R>;
      const got = decodeNow(reply.payload); // synchronous unless the reply needs a module import
      const value = got instanceof Promise ? (await got).value : got.value;
      if (!reply.ok) throw value;
      return value as Awaited<R>;
    });
  }

  /** fn(item, index) for every item; results in input order (Python's `Pool.map`). */
  map<T, R>(fn: (item: T, index: number) => R | Promise<R>, items: Items<T>, options: MapOptions = {}): Promise<Awaited<R>[]> {
    return this.#operation(() => this.#collect(fn as never, items, options, 'each', 'Pool.map') as Promise<Awaited<R>[]>);
  }

  /** fn(...args) for every argument list; results in input order (Python's `Pool.starmap`). */
  starmap<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, argLists: Items<A>, options: MapOptions = {}): Promise<Awaited<R>[]> {
    return this.#operation(() => this.#collect(fn as never, argLists, options, 'star', 'Pool.starmap') as Promise<Awaited<R>[]>);
  }

  /**
   * Like map, as an async iterator that consumes the input lazily: at most 2 × size messages are
   * in flight and at most that many completed messages wait for an earlier one, so an infinite
   * or huge input runs in bounded memory (Python's `Pool.imap`).
   */
  imap<T, R>(fn: (item: T, index: number) => R | Promise<R>, items: Items<T>, options: MapOptions = {}): AsyncGenerator<Awaited<R>, void, undefined> {
    return this.#values(fn as never, items, options, 'each', true, 'Pool.imap') as AsyncGenerator<Awaited<R>, void, undefined>;
  }

  /** Like imap, but yields each result as soon as it is ready (Python's `Pool.imap_unordered`). */
  imapUnordered<T, R>(fn: (item: T, index: number) => R | Promise<R>, items: Items<T>, options: MapOptions = {}): AsyncGenerator<Awaited<R>, void, undefined> {
    return this.#values(fn as never, items, options, 'each', false, 'Pool.imapUnordered') as AsyncGenerator<Awaited<R>, void, undefined>;
  }

  /**
   * Accepts no new calls, waits for the run/map/starmap calls already made (an imap iterator
   * gets 'Pool is closed' when it next needs to send), then stops the workers. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      while (this.#operations.size > 0 || this.#outstanding > 0) {
        const idle = this.#outstanding > 0 ? [new Promise<void>((resolve) => this.#idle.push(resolve))] : [];
        await Promise.allSettled([...this.#operations, ...idle]);
      }
      this.#stopped = true;
      this.#spares.clear();
      await this.#backend.close();
    })();
    return this.#closing;
  }

  /** Stops the workers now: running and waiting work rejects with a WorkerError. */
  async terminate(): Promise<void> {
    this.#closing ??= Promise.resolve();
    this.#stopped = true;
    this.#terminated = true;
    this.#spares.clear();
    for (const wake of this.#waiting.splice(0)) wake();
    await this.#backend.terminate();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---------- internals ----------

  #operation<T>(body: () => Promise<T>): Promise<T> {
    if (this.#closing) return Promise.reject(new Error('Pool is closed'));
    const p = body();
    const settled = p.then(
      () => void this.#operations.delete(settled),
      () => void this.#operations.delete(settled),
    );
    this.#operations.add(settled);
    return p;
  }

  /** Sends one message, after waiting for room (maxQueue); maps aborts and timeouts to clear errors. */
  async #exec(task: Task, signal: AbortSignal | undefined, options: CallOptions, what: string, tracked: boolean): Promise<Reply> {
    // The message holds its function's sealed buffer from now (it may still be sent after its
    // call stopped early) until its worker replies; without a reply, a worker may still read it.
    const lease = task.fn && this.#leases.get(task.fn);
    lease?.hold();
    let replied = true;
    try {
      if (this.#stopped || (this.#closing && !tracked)) throw new Error('Pool is closed');
      // With room, the task goes to the backend in this same synchronous run (its payload may share
      // objects with the caller's values, see protocol.Payload); if it must wait, it is frozen first.
      if (!this.#tryAcquire(signal)) {
        task.payload = freeze(task.payload);
        await this.#acquire(signal);
      }
      try {
        this.#stats.tasks++;
        replied = false;
        const reply = await this.#backend.exec(task, signal);
        replied = true;
        if ('loaded' in reply && reply.loaded) this.#stats.fnLoads++;
        return reply;
      } catch (error) {
        if (options.timeout !== undefined && isTimeout(error)) {
          throw new DOMException(`${what} timed out after ${options.timeout} ms (its worker was stopped and replaced)`, 'TimeoutError');
        }
        throw error;
      } finally {
        this.#release();
      }
    } finally {
      lease?.release(replied);
    }
  }

  #tryAcquire(signal: AbortSignal | undefined): boolean {
    if (this.#outstanding >= this.#capacity || signal?.aborted || this.#terminated) return false;
    this.#outstanding++;
    return true;
  }

  async #acquire(signal: AbortSignal | undefined): Promise<void> {
    while (this.#outstanding >= this.#capacity) {
      signal?.throwIfAborted();
      if (this.#terminated) throw new WorkerError('teleport: the pool was terminated');
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    signal?.throwIfAborted();
    if (this.#terminated) throw new WorkerError('teleport: the pool was terminated');
    this.#outstanding++;
  }

  #release(): void {
    this.#outstanding--;
    this.#waiting.shift()?.();
    if (this.#outstanding === 0) for (const wake of this.#idle.splice(0)) wake();
  }

  async #collect(fn: Function, items: Items<unknown>, options: MapOptions, mode: Mode, where: string): Promise<unknown[]> {
    const out: unknown[] = [];
    for await (const chunk of this.#chunks(fn, items, options, mode, true, where, true)) {
      for (let i = 0; i < chunk.values.length; i++) out[chunk.start + i] = chunk.values[i];
    }
    return out;
  }

  async *#values(fn: Function, items: Items<unknown>, options: MapOptions, mode: Mode, ordered: boolean, where: string): AsyncGenerator<unknown, void, undefined> {
    if (this.#closing) throw new Error('Pool is closed');
    for await (const chunk of this.#chunks(fn, items, options, mode, ordered, where, false)) yield* chunk.values;
  }

  /**
   * The engine of every map-like call: pulls the input lazily into chunks, keeps at most
   * 2 × size of them in flight (and, ordered, at most that many ahead of the next one due), and
   * yields completed chunks (in order when `ordered`). Stopping early (error, abort, consumer
   * break) stops the chunks still running.
   */
  async *#chunks(fn: Function, items: Items<unknown>, options: MapOptions, mode: Mode, ordered: boolean, where: string, tracked: boolean): AsyncGenerator<ChunkResult, void, undefined> {
    assertFunction(fn, where);
    if (options.chunkSize !== undefined) checkChunkSize(options.chunkSize);
    if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new TypeError(`${where}: onProgress must be a function`);
    const input = iterate(items, where);
    const user = options.signal;
    user?.throwIfAborted();
    const total = knownLength(items);
    const chunker = new Chunker(this.size, total, options.chunkSize);
    const window = this.size * 2;
    const pending = new Map<number, Promise<ChunkResult>>();
    const ready = new Map<number, ChunkResult>();
    let seq = 0;
    let due = 0; // next chunk to yield when ordered
    let next = 0; // index of the next input item
    let done = 0;
    let exhausted = false;
    const fnRef = this.#seal(fn, where);
    try {
      for (;;) {
        while (!exhausted && pending.size < window && (!ordered || seq - due < window)) {
          user?.throwIfAborted();
          const want = chunker.next();
          const chunk = await input.take(want);
          if (chunk.length < want) exhausted = true;
          if (chunk.length === 0) break;
          const s = seq++;
          const start = next;
          next += chunk.length;
          const p = this.#sendChunk(fnRef, chunk, start, mode, chunker, options, where, tracked).then((values) => ({ seq: s, start, values }));
          p.catch(noop); // observed through the race below; never an unhandled rejection
          pending.set(s, p);
        }
        if (pending.size === 0) break;
        const result = await Promise.race(pending.values());
        pending.delete(result.seq);
        done += result.values.length;
        options.onProgress?.({ done, total: total ?? (exhausted ? next : undefined) });
        if (!ordered) {
          yield result;
          continue;
        }
        ready.set(result.seq, result);
        while (ready.has(due)) {
          const r = ready.get(due)!;
          ready.delete(due++);
          yield r;
        }
      }
    } finally {
      // Chunks still running when we stop early (an item failed, the consumer broke out of an
      // imap) finish on their own and are discarded: stopping them would cost their workers.
      // Each holds the sealed buffer until its reply (#exec); the call itself lets go of it here.
      try {
        if (!exhausted) await input.close();
      } finally {
        this.#leases.get(fnRef)?.release();
      }
    }
  }

  /** The call's function, sealed once for all its messages (threads: into a reused buffer when one fits). */
  #seal(fn: Function, where: string): FnRef {
    const key = randomUUID();
    const label = `${where} function`;
    if (this.backend !== 'threads') return { key, bytes: seal(fn, label, false) };
    let buffer: SharedArrayBuffer | undefined;
    const bytes = seal(fn, label, (size) => (buffer = this.#spares.take(size)));
    const ref: FnRef = { key, bytes };
    this.#leases.set(ref, new SealLease(buffer!, this.#spares));
    return ref;
  }

  async #sendChunk(fnRef: FnRef, chunk: unknown[], start: number, mode: Mode, chunker: Chunker, options: MapOptions, where: string, tracked: boolean): Promise<unknown[]> {
    const signal = taskSignal(options);
    const payload = pack(chunk, `${where} items ${start}–${start + chunk.length - 1}`);
    const reply = await this.#exec({ mode, fn: fnRef, payload, start }, signal, options, `${where} items ${start}–${start + chunk.length - 1}`, tracked);
    if (Array.isArray(reply) || 'missing' in reply) throw new Error('teleport: internal error: backend returned an unexpected reply to a map message');
    const got = decodeNow(reply.payload); // synchronous unless the reply needs a module import
    const value = got instanceof Promise ? (await got).value : got.value;
    if (!reply.ok) throw reply.index === undefined ? value : withItemIndex(value, reply.index, where);
    chunker.observe(chunk.length, reply.ms);
    return value as unknown[];
  }
}

/** The signal one message runs under: the user's signal and the per-message timeout. */
function taskSignal(options: CallOptions): AbortSignal | undefined {
  if (options.timeout === undefined) return options.signal;
  if (!(options.timeout > 0)) throw new RangeError(`timeout must be a positive number of ms, received ${show(options.timeout)}`);
  const timeout = AbortSignal.timeout(options.timeout);
  return options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'TimeoutError';
}

interface Input {
  take(n: number): Promise<unknown[]>;
  close(): Promise<void>;
}

/** Pulls items lazily from a sync or async iterable. */
function iterate(items: unknown, where: string): Input {
  const candidate = items as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown>; [Symbol.iterator]?: () => Iterator<unknown> } | null;
  if (candidate != null && typeof candidate[Symbol.asyncIterator] === 'function') {
    const it = candidate[Symbol.asyncIterator]!();
    return {
      async take(n) {
        const out: unknown[] = [];
        while (out.length < n) {
          const r = await it.next();
          if (r.done) break;
          out.push(r.value);
        }
        return out;
      },
      async close() {
        await it.return?.();
      },
    };
  }
  if (candidate != null && typeof candidate[Symbol.iterator] === 'function') {
    if (Array.isArray(items)) {
      let i = 0;
      return { take: async (n) => (items as unknown[]).slice(i, (i += n)), close: async () => {} };
    }
    const it = candidate[Symbol.iterator]!();
    return {
      async take(n) {
        const out: unknown[] = [];
        while (out.length < n) {
          const r = it.next();
          if (r.done) break;
          out.push(r.value);
        }
        return out;
      },
      async close() {
        it.return?.();
      },
    };
  }
  throw new TypeError(`${where}: items must be an iterable or async iterable, received ${show(items)}`);
}

function knownLength(items: unknown): number | undefined {
  if (Array.isArray(items)) return items.length;
  if (ArrayBuffer.isView(items) && !(items instanceof DataView)) return (items as unknown as ArrayLike<unknown>).length;
  return undefined;
}

function assertFunction(fn: unknown, where: string): void {
  if (typeof fn !== 'function') throw new TypeError(`${where}: expected a function, received ${show(fn)}`);
}

/** Appends ` [map item i]` to an error's message (and its stack's first line), keeping the object and its class. */
function withItemIndex(error: unknown, index: number, where: string): unknown {
  if (!(error instanceof Error)) return error;
  const original = error.message;
  const suffix = ` [${where.replace('Pool.', '')} item ${index}]`;
  try {
    error.message = original + suffix;
    const stack = error.stack;
    if (typeof stack === 'string') {
      const eol = stack.indexOf('\n');
      const head = eol < 0 ? stack : stack.slice(0, eol);
      if (head.endsWith(original)) error.stack = head + suffix + stack.slice(head.length);
    }
    Object.defineProperty(error, 'itemIndex', { value: index, configurable: true, writable: true, enumerable: false });
  } catch {
    // a frozen or exotic error object: reject with it unchanged
  }
  return error;
}

/** file: URL of the program's entry script (workers load it dry, never run it). */
function mainScriptUrl(): string | undefined {
  const entry = process.argv[1];
  if (!entry) return undefined;
  try {
    return pathToFileURL(realpathSync(entry)).href;
  } catch {
    return undefined;
  }
}

function show(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  const shown = inspect(value, { depth: 0, breakLength: Infinity, maxArrayLength: 3, maxStringLength: 40 });
  return `${type} (${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown})`;
}

function noop(): void {}
