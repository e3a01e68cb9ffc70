// How many items go into each message of a map: batched so tiny items are not one message each,
// small enough that slow items are not held back. Like joblib's auto batching, the size adapts
// to the time the worker reports per item, aiming at TARGET_MS of work per message.

export const MAX_CHUNK = 10_000;
/** work per message the adaptive size aims at */
export const TARGET_MS = 20;

export class Chunker {
  #current = 1;
  readonly #cap: number;

  /**
   * `size`: workers; `total`: item count when known; `fixed`: the user's chunkSize.
   * With a known total, no chunk exceeds ceil(total / (4 × size)), so every worker gets work.
   */
  constructor(size: number, total: number | undefined, readonly fixed?: number) {
    if (fixed !== undefined) checkChunkSize(fixed);
    this.#cap = total === undefined ? MAX_CHUNK : Math.min(MAX_CHUNK, Math.max(1, Math.ceil(total / (size * 4))));
  }

  /** items in the next message */
  next(): number {
    return this.fixed ?? Math.min(this.#cap, this.#current);
  }

  /** a message of `items` items took `ms` of work in the worker */
  observe(items: number, ms: number | undefined): void {
    if (this.fixed !== undefined || ms === undefined || items <= 0) return;
    const perItem = Math.max(ms / items, 1e-4);
    this.#current = Math.max(1, Math.min(this.#cap, Math.ceil(TARGET_MS / perItem)));
  }
}

export function checkChunkSize(chunkSize: unknown): void {
  if (typeof chunkSize !== 'number' || !Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a positive integer, received ${String(chunkSize)}`);
  }
}
