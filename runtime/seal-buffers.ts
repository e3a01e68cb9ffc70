// Reuse of the shared memory a map call's function is sealed into (protocol.seal, threads only).
// The first write to a fresh SharedArrayBuffer page-faults every 4 KiB page (~12 µs each on some
// VMs: ~150 ms for a 50 MiB capture), while a copy into memory written once before costs only
// the copy. A pool keeps one spare sealed buffer and the next call that fits seals into it; a
// buffer becomes a spare only once nobody can read it any more (SealLease).

/**
 * The spare buffer of one pool. Policy (deliberately small):
 * - at most one spare, so at most the largest buffer recently given back is held;
 * - only buffers of at least `min` bytes (1 MiB) are kept: smaller ones fault in within ~3 ms;
 * - a payload takes the spare when it fits and fills at least half of it, else it gets a fresh
 *   buffer of its own size: a small payload neither holds a big spare nor keeps it in use;
 * - a buffer given back replaces the spare only when it is larger (a payload between the two
 *   sizes fits the larger one too);
 * - the spare is dropped when no call took it for `idleMs` (10 s), and on pool close/terminate
 *   ({@link clear}): a burst of large calls reuses it, a large call long ago does not pin memory.
 */
export class SpareBuffers {
  #spare: SharedArrayBuffer | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** calls that sealed into a reused buffer */
  reused = 0;

  constructor(readonly min = 1 << 20, readonly idleMs = 10_000) {}

  /** the spare, if any (for tests) */
  get spare(): SharedArrayBuffer | undefined {
    return this.#spare;
  }

  /** A buffer of at least `size` bytes: the spare when the payload suits it (see the policy), else a fresh one. */
  take(size: number): SharedArrayBuffer {
    const spare = this.#spare;
    if (spare && size <= spare.byteLength && size * 2 >= spare.byteLength) {
      this.#set(undefined);
      this.reused++;
      return spare;
    }
    return new SharedArrayBuffer(size);
  }

  /** Offers a buffer that nobody reads any more (it may hold old bytes: seal writes every byte it hands out). */
  give(buffer: SharedArrayBuffer): void {
    if (this.#closed || buffer.byteLength < this.min) return;
    if (this.#spare && this.#spare.byteLength >= buffer.byteLength) return;
    this.#set(buffer);
  }

  /** Drops the spare for good (the pool is closing). */
  clear(): void {
    this.#closed = true;
    this.#set(undefined);
  }

  #set(buffer: SharedArrayBuffer | undefined): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#spare = buffer;
    if (!buffer) return;
    this.#timer = setTimeout(() => {
      if (this.#spare === buffer) this.#spare = undefined;
    }, this.idleMs);
    this.#timer.unref?.();
  }
}

/**
 * Who can still read one sealed buffer: the call that sealed it (until it sends no more
 * messages) and each message that carries it, from when it is created until its worker replies.
 * A worker reads the buffer only while it handles a message, before it replies (it revives the
 * function into memory of its own: worker-core loadFn, protocol.unsealNow), so a replied message
 * reads it no more. A message that failed without a reply (aborted, timed out, its worker died
 * or was terminated) may have a worker still reading it, for a moment: that buffer is never reused.
 */
export class SealLease {
  #users = 1;
  #unsafe = false;

  constructor(readonly buffer: SharedArrayBuffer, private readonly spares: SpareBuffers) {}

  hold(): void {
    this.#users++;
  }

  /** `replied`: false when a worker may still be reading the buffer */
  release(replied = true): void {
    if (!replied) this.#unsafe = true;
    if (--this.#users === 0 && !this.#unsafe) this.spares.give(this.buffer);
  }
}
