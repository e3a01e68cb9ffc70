// Public API of Teleport: the pool, pickling to bytes, and the markers users put on values.
import v8 from 'node:v8';
import { pack, unpackSync } from './pickle.js';
import { FormatError } from './errors.js';

export { Pool, range } from './pool.js';
export { progressBar } from './progress.js';
export type { ProgressBar, ProgressBarOptions } from './progress.js';
export type { PoolOptions, MapOptions, CallOptions, ProgressEvent, PoolStats } from './pool.js';
export { noSerialize, serialize, deserialize, pack, unpack } from './pickle.js';
export { UnserializableError, FormatError, VersionSkewError, UnknownModuleError, WorkerError } from './errors.js';
export type { Packet } from './packet.js';

/** Pickle a value (functions, closures, class instances included) to bytes. */
export function dumps(value: unknown): Uint8Array {
  const bytes = v8.serialize(pack(value));
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Rebuild a value from `dumps` bytes. The modules whose functions it contains must already be
 * loaded in this thread (nothing is imported or evaluated from the bytes).
 */
export function loads(bytes: Uint8Array): unknown {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`loads() expects a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  let packet: unknown;
  try {
    packet = v8.deserialize(bytes);
  } catch (e) {
    throw new FormatError(`not a Teleport payload (${(e as Error).message})`);
  }
  return unpackSync(packet as never);
}

/** Namespace-style access: `Teleport.serialize`, `Teleport.deserialize`. */
export { Teleport } from './symbols.js';
