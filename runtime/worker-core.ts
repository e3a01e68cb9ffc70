// What a worker does with a task, whatever it runs in (thread or child process): run `setup`
// once, revive the call's function (cached per call key), run it over the payload, and reply
// with the pickled results or the pickled error. Threads reply with Packets (postMessage copies
// them as it posts the reply); child processes with bytes, serialized here so that a value the
// channel cannot carry fails its task instead of the child. Task failures are replies, never throws.
import { isPlainData, pack } from './pickle.js';
import { decodeNow, freeze, unsealNow, type Payload, type Reply, type Task, type WorkerInit } from './protocol.js';

const CACHE = 32; // functions of recent calls kept per worker

/** `bytes`: replies carry bytes (child processes: the IPC channel's serializer cannot be caught in a task) */
export function createWorkerCore(init: WorkerInit, { bytes = false } = {}): (task: Task) => Reply | Promise<Reply> {
  const reply = (value: unknown, label: string): Payload => {
    const packet = pack(value, label);
    if (!bytes) return packet;
    try {
      return freeze(packet);
    } catch (error) {
      throw new TypeError(`teleport: the ${label} could not be sent back to the main process: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  const fns = new Map<string, (...args: unknown[]) => unknown>();
  let setup: Promise<void> | undefined;
  let setupDone = false;

  /**
   * the call's function: cached, or revived from the bytes the message carries. Those bytes are
   * read here only, before the message's reply, and nothing revived keeps a view of them
   * (unsealNow copies): the main thread reuses a sealed buffer once every message carrying it has
   * its reply (seal-buffers.ts).
   */
  function loadFn(task: Task): Loaded | Promise<Loaded> {
    const ref = task.fn!;
    const hit = fns.get(ref.key);
    if (hit) return { fn: hit, loaded: false };
    const bytes = ref.bytes ?? ref.shared;
    if (!bytes) return { missing: ref.key };
    const keep = ({ value }: { value: unknown }): Loaded => {
      const fn = asFunction(value, 'function');
      fns.set(ref.key, fn);
      if (fns.size > CACHE) fns.delete(fns.keys().next().value as string);
      return { fn, loaded: true };
    };
    const got = unsealNow(bytes);
    return got instanceof Promise ? got.then(keep) : keep(got);
  }

  /** the reply for a call's result: a plain-data result travels as it is (threads; see Reply) */
  const done = (value: unknown): Reply => (!bytes && isPlainData(value) ? [value] : { ok: true, payload: reply(value, 'result') });
  const failed = (error: unknown, loaded: boolean, index?: number): Reply => {
    const payload = encodeError(error, reply);
    return index === undefined ? { ok: false, payload, loaded } : { ok: false, payload, index, loaded };
  };

  /** a call whose result is a promise (thenable): its reply waits for it */
  async function settle(result: PromiseLike<unknown>): Promise<Reply> {
    try {
      return done(await result);
    } catch (error) {
      return failed(error, false);
    }
  }

  // A warm worker runs a call without a turn of the microtask queue: the reply is returned, not a
  // promise of it, unless setup is still pending, the payload needs a module import or the function
  // returns a promise (thenable).
  return function handle(task: Task): Reply | Promise<Reply> {
    if (!setupDone || task.mode !== 'call') return handleAsync(task);
    try {
      const got = decodeNow(task.payload);
      if (got instanceof Promise) return handleAsync(task, got);
      const [fn, args] = got.value as [unknown, unknown[]];
      const r = asFunction(fn, 'run')(...args);
      return isThenable(r) ? settle(r) : done(r);
    } catch (error) {
      return failed(error, false);
    }
  };

  async function handleAsync(task: Task, decoding?: Promise<{ value: unknown }>): Promise<Reply> {
    let index: number | undefined;
    let loaded = false;
    try {
      if (!setupDone) {
        setup ??= (async () => {
          if (init.setup) await asFunction((await decodeNow(init.setup)).value, 'setup')();
        })();
        await setup;
        setupDone = true;
      }
      if (task.mode === 'call') {
        const got = decoding ?? decodeNow(task.payload);
        const [fn, args] = (got instanceof Promise ? (await got).value : got.value) as [unknown, unknown[]];
        const r = asFunction(fn, 'run')(...args);
        return done(isThenable(r) ? await r : r);
      }
      const pending = loadFn(task);
      const got = pending instanceof Promise ? await pending : pending;
      if ('missing' in got) return { ok: false, missing: got.missing };
      loaded = got.loaded;
      const decoded = decodeNow(task.payload);
      const items = (decoded instanceof Promise ? (await decoded).value : decoded.value) as unknown[];
      const t0 = performance.now();
      const results: unknown[] = new Array(items.length);
      const fn = got.fn;
      const star = task.mode === 'star';
      for (let i = 0; i < items.length; i++) {
        index = task.start + i;
        const r = star ? fn(...(items[i] as unknown[])) : fn(items[i], index);
        results[i] = isThenable(r) ? await r : r;
      }
      index = undefined; // a failure to pickle the results is not one item's
      const ms = performance.now() - t0;
      return { ok: true, payload: reply(results, 'results'), loaded, ms };
    } catch (error) {
      return failed(error, loaded, index);
    }
  }
}

type Loaded = { fn: (...args: unknown[]) => unknown; loaded: boolean } | { missing: string };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

function asFunction(value: unknown, what: string): (...args: unknown[]) => unknown {
  if (typeof value !== 'function') throw new TypeError(`teleport worker: the revived ${what} is a ${typeof value}, not a function`);
  return value as (...args: unknown[]) => unknown;
}

/** The error, pickled; if it cannot be (it holds something unsendable), a plain Error with its message and stack. */
function encodeError(error: unknown, reply: (value: unknown, label: string) => Payload): Payload {
  try {
    return reply(error, 'error');
  } catch {
    const e = error as { message?: unknown; stack?: unknown } | null;
    const plain = new Error(e && typeof e === 'object' && 'message' in e ? safeString(e.message) : safeString(error));
    if (e && typeof e === 'object' && typeof e.stack === 'string') plain.stack = e.stack;
    return reply(plain, 'error');
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable value]';
  }
}
