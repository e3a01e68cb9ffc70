// Worker-thread side of Pool (loaded by piscina): revives a pickled task — a function plus its
// arguments ('run'), or a function plus a chunk of items ('map') — runs it, and replies with the
// pickled result or the pickled error. It never throws for task failures; errors are values.

import { workerData } from 'node:worker_threads';
import type { Packet } from './packet.js';

/** A message from Pool to a worker. */
export type Task =
  /** p = pack([fn, args]) */
  | { kind: 'run'; p: Packet }
  /** f = pack(fn) (the same packet for every chunk of one map call), p = pack(items of this chunk),
   *  start = global index of the chunk's first item */
  | { kind: 'map'; f: Packet; p: Packet; start: number };

/** A worker's answer. ok: p = pack(result). Not ok: p = pack(error); for 'map', index = global
 *  index of the item whose call threw (absent if the failure was not tied to one item). */
export type Reply = { ok: true; p: Packet } | { ok: false; p: Packet; index?: number };

type Pickle = typeof import('./pickle.js');

// Must happen before any user module is imported (unpack imports packet.mods): the runtime reads
// it to avoid re-running the program's entry module's top-level code inside the worker.
(globalThis as { __teleportMain?: string }).__teleportMain =
  (workerData as { main?: string } | null | undefined)?.main;

// Remote stacks should point at the user's TypeScript when the build emitted source maps.
process.setSourceMapsEnabled(true);

// Loaded dynamically (not a static import) so that the runtime's whole module graph evaluates
// after the assignment above, whatever it reads at load time. The no-op catch only prevents an
// unhandled rejection at startup; every task awaits `pickle` and so still sees a load failure.
const pickle: Promise<Pickle> = import('./pickle.js');
pickle.catch(() => {});

export default async function teleportTask(task: Task): Promise<Reply> {
  const { pack, unpack } = await pickle;
  let index: number | undefined;
  try {
    if (task.kind === 'run') {
      const [fn, args] = (await unpack(task.p)) as [unknown, unknown[]];
      const call = asFunction(fn, 'run');
      return { ok: true, p: pack(await call(...args)) };
    }
    if (task.kind === 'map') {
      const call = asFunction(await unpack(task.f), 'map');
      const items = (await unpack(task.p)) as unknown[];
      const results: unknown[] = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        index = task.start + i;
        results[i] = await call(items[i], index);
      }
      index = undefined; // a failure to pack the results is not item-specific
      return { ok: true, p: pack(results) };
    }
    throw new TypeError(`teleport worker: unknown task kind ${String((task as { kind?: unknown }).kind)}`);
  } catch (error) {
    const p = packError(pack, error);
    return index === undefined ? { ok: false, p } : { ok: false, p, index };
  }
}

function asFunction(value: unknown, what: string): (...args: unknown[]) => unknown {
  if (typeof value !== 'function') {
    throw new TypeError(`teleport worker: the revived ${what} task is a ${typeof value}, not a function`);
  }
  return value as (...args: unknown[]) => unknown;
}

/** pack(error); if the error itself cannot be pickled (e.g. it holds an unsendable property),
 *  fall back to a plain Error with the original message and stack. */
function packError(pack: Pickle['pack'], error: unknown): Packet {
  try {
    return pack(error);
  } catch {
    const errorLike = typeof error === 'object' && error !== null;
    const message = errorLike && 'message' in error ? safeString(error.message) : safeString(error);
    const plain = new Error(message);
    const stack = errorLike && 'stack' in error ? error.stack : undefined;
    if (typeof stack === 'string') plain.stack = stack;
    return pack(plain);
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable value]';
  }
}
