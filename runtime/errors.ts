// Typed errors of the runtime: what cannot be sent, bytes that are not a Teleport payload,
// payloads from another build, and modules a payload needs but this process never loaded.

/** A value (or something it captures) cannot be pickled. The message names the path to it. */
export class UnserializableError extends TypeError {
  override name = 'UnserializableError';
  constructor(message: string, readonly path: string[]) {
    super(message);
  }
}

/** Bytes given to `loads` are not a Teleport payload of a known format version. */
export class FormatError extends Error {
  override name = 'FormatError';
}

/** The payload was produced by a different build (a function's body hash differs). */
export class VersionSkewError extends Error {
  override name = 'VersionSkewError';
  constructor(message: string, readonly senderBuild: string, readonly receiverBuild: string) {
    super(message);
  }
}

/** The payload refers to a module this process has not loaded (and may not load implicitly). */
export class UnknownModuleError extends Error {
  override name = 'UnknownModuleError';
}

/** The worker itself failed (crashed, exited, ran out of memory, was killed) rather than the task
 *  throwing; `cause` is what the platform reported. The pool replaces the worker. */
export class WorkerError extends Error {
  override name = 'WorkerError';
}

/** "Name: message" of whatever a platform API rejected with, for error messages. */
export function causeText(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  try {
    return String(cause);
  } catch {
    return 'unknown failure';
  }
}
