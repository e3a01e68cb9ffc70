// A transform as data, for the front ends (esbuild plugin, tsc) and their worker threads: what a
// call of the core gave, or, when it threw, a failure that says why (and where the parser stopped,
// when it says so), which the front end reports on the file instead of crashing the build.

/** The core threw: its message; line (1-based) and column (0-based) in the text it was given, when the error has them. */
export interface TransformFailure {
  ok: false;
  message: string;
  line?: number;
  column?: number;
}

/** `run`'s result with `ok: true`, or the failure it threw. */
export function attempt<T extends object>(run: () => T): ({ ok: true } & T) | TransformFailure {
  try {
    return { ok: true, ...run() };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err), ...parsePosition(err) };
  }
}

/** Where a parser error points in the text the core was given (typescript-estree's TSError, acorn's SyntaxError). */
function parsePosition(err: unknown): { line?: number; column?: number } {
  const e = err as { location?: { start?: { line?: unknown; column?: unknown } }; loc?: { line?: unknown; column?: unknown } };
  const p = e?.location?.start ?? e?.loc;
  return typeof p?.line === 'number' && typeof p.column === 'number' ? { line: p.line, column: p.column } : {};
}
