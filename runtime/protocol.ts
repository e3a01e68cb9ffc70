// The task protocol every backend speaks (worker threads and child processes alike): messages
// carry pickled payloads (Packets, posted as objects when they leave at once, as v8-serialized
// bytes when they must wait), and the function of a call is sent once per worker (by key, as
// bytes; threads share them through a SharedArrayBuffer).
import v8 from 'node:v8';
import { pack, unpack, unpackLoaded } from './pickle.js';
import type { Packet } from './packet.js';

/** The function of one pool call, shared by all of its messages. */
export interface FnRef {
  /** unique per call: a worker caches the revived function under it */
  key: string;
  /** the function's packet bytes; processes get them in the first message to each child */
  bytes?: Uint8Array;
  /** threads: the same bytes in shared memory, so no message copies them */
  shared?: SharedArrayBuffer;
}

/**
 * A pickled value on its way to another thread or process. A Packet object is copied by the
 * transport's own structured clone while the message is posted, which must happen before any
 * code of the caller runs again (a Packet may share objects with the caller's values). A
 * message that has to wait is frozen to bytes first ({@link freeze}): it is a snapshot.
 */
export type Payload = Packet | Uint8Array;

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

function toPacket(payload: Payload): Packet {
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

/** Copies bytes into shared memory (threads read them without a copy per message). */
export function share(bytes: Uint8Array): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(sab).set(bytes);
  return sab;
}
