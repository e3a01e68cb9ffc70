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
