// What a worker does with a task, whatever it runs in (thread or child process): run `setup`
// once, revive the call's function (cached per call key), run it over the payload, and reply
// with the pickled results or the pickled error (Packets: the transport copies them as it posts
// the reply). Task failures are replies, never throws.
import { pack } from './pickle.js';
import { decode, type Reply, type Task, type WorkerInit } from './protocol.js';
import type { Packet } from './packet.js';

const CACHE = 32; // functions of recent calls kept per worker

export function createWorkerCore(init: WorkerInit): (task: Task) => Promise<Reply> {
  const fns = new Map<string, (...args: unknown[]) => unknown>();
  let setup: Promise<void> | undefined;

  async function loadFn(task: Task): Promise<{ fn: (...args: unknown[]) => unknown; loaded: boolean } | { missing: string }> {
    const ref = task.fn!;
    const hit = fns.get(ref.key);
    if (hit) return { fn: hit, loaded: false };
    const bytes = ref.bytes ?? (ref.shared ? new Uint8Array(ref.shared) : undefined);
    if (!bytes) return { missing: ref.key };
    const fn = asFunction(await decode(bytes), 'function');
    fns.set(ref.key, fn);
    if (fns.size > CACHE) fns.delete(fns.keys().next().value as string);
    return { fn, loaded: true };
  }

  return async function handle(task: Task): Promise<Reply> {
    let index: number | undefined;
    let loaded = false;
    try {
      setup ??= (async () => {
        if (init.setup) await asFunction(await decode(init.setup), 'setup')();
      })();
      await setup;
      if (task.mode === 'call') {
        const [fn, args] = (await decode(task.payload)) as [unknown, unknown[]];
        return { ok: true, payload: pack(await asFunction(fn, 'run')(...args), 'result') };
      }
      const got = await loadFn(task);
      if ('missing' in got) return { ok: false, missing: got.missing };
      loaded = got.loaded;
      const items = (await decode(task.payload)) as unknown[];
      const t0 = performance.now();
      const results: unknown[] = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        index = task.start + i;
        results[i] = await (task.mode === 'star' ? got.fn(...(items[i] as unknown[])) : got.fn(items[i], index));
      }
      index = undefined; // a failure to pickle the results is not one item's
      const ms = performance.now() - t0;
      return { ok: true, payload: pack(results, 'results'), loaded, ms };
    } catch (error) {
      const payload = encodeError(error);
      return index === undefined ? { ok: false, payload, loaded } : { ok: false, payload, index, loaded };
    }
  };
}

function asFunction(value: unknown, what: string): (...args: unknown[]) => unknown {
  if (typeof value !== 'function') throw new TypeError(`teleport worker: the revived ${what} is a ${typeof value}, not a function`);
  return value as (...args: unknown[]) => unknown;
}

/** The error, pickled; if it cannot be (it holds something unsendable), a plain Error with its message and stack. */
function encodeError(error: unknown): Packet {
  try {
    return pack(error, 'error');
  } catch {
    const e = error as { message?: unknown; stack?: unknown } | null;
    const plain = new Error(e && typeof e === 'object' && 'message' in e ? safeString(e.message) : safeString(error));
    if (e && typeof e === 'object' && typeof e.stack === 'string') plain.stack = e.stack;
    return pack(plain, 'error');
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable value]';
  }
}
