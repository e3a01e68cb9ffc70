// Python's range(): range(stop), range(start, stop), range(start, stop, step), as an array.

export function range(stop: number): number[];
export function range(start: number, stop: number, step?: number): number[];
export function range(a: number, b?: number, c?: number): number[] {
  const [start, stop, step] = b === undefined ? [0, a, 1] : [a, b, c ?? 1];
  for (const [name, value] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (!Number.isSafeInteger(value)) throw new RangeError(`range: ${name} must be an integer, received ${String(value)}`);
  }
  if (step === 0) throw new RangeError('range: step must not be zero');
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const out: number[] = new Array(length);
  for (let i = 0; i < length; i++) out[i] = start + i * step;
  return out;
}
