// The task protocol every backend speaks (worker threads and child processes alike): messages
// carry pickled payloads (Packets, posted as objects when they leave at once, as v8-serialized
// bytes when they must wait), and the function of a call is sent once per worker (by key, as
// bytes; threads share them through a SharedArrayBuffer).
import v8 from 'node:v8';
import { FormatError } from './errors.js';
import { pack, unpack, unpackLoaded, type OutOfBand } from './pickle.js';
import type { CallPacket, Packet } from './packet.js';

/** The function of one pool call, shared by all of its messages. */
export interface FnRef {
  /** unique per call: a worker caches the revived function under it */
  key: string;
  /** the function, sealed ({@link seal}); processes get them in the first message to each child */
  bytes?: Uint8Array;
  /**
   * threads: the same bytes in shared memory, so no message copies them: a view of exactly the
   * payload's length (the buffer may be longer: pools reuse sealed buffers, see seal-buffers.ts)
   */
  shared?: Uint8Array;
}

/**
 * A pickled value on its way to another thread or process. A Packet object is copied by the
 * transport's own structured clone while the message is posted, which must happen before any
 * code of the caller runs again (a Packet may share objects with the caller's values). A
 * message that has to wait is frozen to bytes first ({@link freeze}): it is a snapshot.
 */
export type Payload = Packet | CallPacket | Uint8Array;

export interface Task {
  /**
   * 'call': payload is [fn, args] (Pool.run; one packet, so identity between the function's
   * captures and the arguments is kept); 'each': payload is items, fn(item, start + i);
   * 'star': payload is argument lists, fn(...args).
   */
  mode: 'call' | 'each' | 'star';
  fn?: FnRef;
  payload: Payload;
  start: number;
}

export type Reply =
  /** loaded: the worker revived the call's function for this message; ms: time spent in the items */
  | { ok: true; payload: Payload; loaded?: boolean; ms?: number }
  /** a call's result that is plain data (isPlainData), from a thread: posted as it is in a 1-element array, nothing to revive */
  | [value: unknown]
  | { ok: false; payload: Payload; index?: number; loaded?: boolean }
  /** the worker does not have fn `key` cached and the message did not carry it: resend with bytes */
  | { ok: false; missing: string };

/** What every worker gets when it starts. */
export interface WorkerInit {
  /** URL of the program's entry script: loaded dry, never run, in workers */
  main?: string;
  /** pickled `setup` function, run once per worker before its first task */
  setup?: Uint8Array;
}

/** The value pickled to bytes (a call's function, the setup function: they travel as bytes). */
export function encode(value: unknown, label?: string): Uint8Array {
  return freeze(pack(value, label));
}

/** The payload as bytes: a snapshot that later changes to the caller's objects do not reach. */
export function freeze(payload: Payload): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  const b = v8.serialize(payload);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Revives a payload, whichever form it arrived in (importing the modules it needs). */
export function decode(payload: Payload): Promise<unknown> {
  return unpack(toPacket(payload));
}

/** Revives a payload synchronously when it needs no module import, else through a promise. */
export function decodeNow(payload: Payload): { value: unknown } | Promise<{ value: unknown }> {
  const packet = toPacket(payload);
  return unpackLoaded(packet) ?? unpack(packet).then((value) => ({ value }));
}

function toPacket(payload: Payload): Packet | CallPacket {
  return payload instanceof Uint8Array ? (deserialize(payload) as Packet) : payload;
}

/**
 * Node's deserializer returns a typed array or DataView as a view into the input bytes when its
 * offset happens to be aligned. A call's function bytes are one SharedArrayBuffer read by every
 * worker, so such a view would be shared by all of them (a write in one worker would show in the
 * others' copies): from shared memory, every view is copied into memory of its own.
 */
class PrivateViews extends v8.DefaultDeserializer {
  _readHostObject(): unknown {
    const view = (v8.DefaultDeserializer.prototype as unknown as { _readHostObject(): ArrayBufferView })._readHostObject.call(this);
    if (!(view.buffer instanceof SharedArrayBuffer)) return view;
    const copy = new Uint8Array(view.byteLength);
    copy.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    const Ctor = view.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;
    return new Ctor(copy.buffer, 0, view instanceof DataView ? view.byteLength : view.byteLength / (view as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT);
  }
}

function deserialize(bytes: Uint8Array): unknown {
  if (!(bytes.buffer instanceof SharedArrayBuffer)) return v8.deserialize(bytes);
  const d = new PrivateViews(bytes);
  d.readHeader();
  return d.readValue();
}

/** The bytes in shared memory (threads read them without a copy per message); sealed ones already are. */
export function share(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  shared.set(bytes);
  return shared;
}

// ---------- sealed payloads: a call's function, with its large typed arrays out of band ----------
//
//   u32 magic | u32 n | u32 head length | n × (f64 offset, f64 length) | head | data …
//
// The head is the v8-serialized Packet; typed arrays of OOB_MIN bytes or more are not in it but
// in the data part (each 8-byte aligned), copied there once: not through the serializer (whose
// buffer grows by doubling) and not again into shared memory. Each worker copies them out into
// memory of its own when it revives the function. The sealed bytes are a view of exactly `end`
// bytes, every one of them written by seal (alignment padding is zeroed), so a reused buffer's
// old bytes are neither part of the payload nor read: unsealing checks every range against it.

const MAGIC = 0x54505331; // 'TPS1'
const align8 = (n: number): number => (n + 7) & ~7;
const VIEWS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView,
};

/**
 * The value pickled and sealed, in shared memory when `shared` (for threads). `shared` may be an
 * allocator giving shared memory of at least the size asked (a reused buffer: see seal-buffers.ts).
 */
export function seal(value: unknown, label: string, shared: boolean | ((size: number) => SharedArrayBuffer)): Uint8Array {
  const views: ArrayBufferView[] = [];
  const head = v8.serialize(pack(value, label, views));
  const tableAt = 12;
  const headAt = tableAt + 16 * views.length;
  let end = align8(headAt + head.byteLength);
  const offsets = views.map((v) => {
    const at = end;
    end = align8(end + v.byteLength);
    return at;
  });
  const buffer = typeof shared === 'function' ? shared(end) : shared ? new SharedArrayBuffer(end) : new ArrayBuffer(end);
  if (buffer.byteLength < end) throw new Error('teleport: internal error: sealed payload buffer too small');
  const out = new Uint8Array(buffer, 0, end);
  const dv = new DataView(buffer, 0, end);
  dv.setUint32(0, MAGIC);
  dv.setUint32(4, views.length);
  dv.setUint32(8, head.byteLength);
  out.set(head, headAt);
  let written = headAt + head.byteLength;
  views.forEach((v, i) => {
    out.fill(0, written, offsets[i]); // padding: a reused buffer's old bytes go
    dv.setFloat64(tableAt + 16 * i, offsets[i]!);
    dv.setFloat64(tableAt + 16 * i + 8, v.byteLength);
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), offsets[i]);
    written = offsets[i]! + v.byteLength;
  });
  out.fill(0, written, end);
  return out;
}

/** Revives sealed bytes: synchronously when no module import is needed, else through a promise. */
export function unsealNow(bytes: Uint8Array): { value: unknown } | Promise<{ value: unknown }> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || dv.getUint32(0) !== MAGIC) throw new FormatError('not a sealed Teleport payload');
  const n = dv.getUint32(4);
  const headAt = 12 + 16 * n;
  const headEnd = headAt + dv.getUint32(8);
  if (headEnd > bytes.byteLength) throw new FormatError('sealed payload: truncated');
  const packet = deserialize(bytes.subarray(headAt, headEnd)) as Packet;
  const oob: OutOfBand = (i, type) => {
    const Ctor = Object.hasOwn(VIEWS, type) ? VIEWS[type] : undefined;
    if (!Ctor || !(i >= 0 && i < n)) throw new FormatError(`sealed payload: bad out-of-band entry ${i} (${type})`);
    const at = dv.getFloat64(12 + 16 * i);
    const length = dv.getFloat64(12 + 16 * i + 8);
    // every range within the payload's own bytes (subarray would clamp silently)
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(length) || at < headEnd || length < 0 || at + length > bytes.byteLength) {
      throw new FormatError(`sealed payload: out-of-band entry ${i} lies outside the payload`);
    }
    const copy = new ArrayBuffer(length);
    new Uint8Array(copy).set(bytes.subarray(at, at + length));
    return new Ctor(copy);
  };
  return unpackLoaded(packet, oob) ?? unpack(packet, oob).then((value) => ({ value }));
}
