// The wire envelope shared by every transport (threads, processes, bytes): format version,
// build ID, the modules the receiver must import before reviving, and the reduced value.

/** Current envelope format version; bumped on any incompatible change. */
export const FORMAT_VERSION = 1;

export interface Packet {
  /** format version ({@link FORMAT_VERSION}) */
  v: number;
  /** build ID of the sender (hash of every registered module's table) */
  build: string;
  /** URLs of instrumented modules the receiver must import (in this order) before reviving */
  mods: string[];
  /** the reduced value graph: structured-cloneable */
  data: unknown;
}

/** First element of a {@link CallPacket}. */
export const CALL = 'tp:call';

/**
 * The short form of a `Pool.run` call (see call-shape.ts), one dense array so that posting it
 * clones as few objects and property names as possible:
 * `[CALL, format version, build ID, module URL, template, ...captured values, ...arguments]`,
 * the number of captured values given by the template. Only pools make them, for their own workers.
 */
export type CallPacket = [typeof CALL, number, string, string, string, ...unknown[]];
