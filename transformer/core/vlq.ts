// Source map `mappings` as flat arrays: decodes the mapped segments of an input map into one
// Int32Array and encodes segments back from a flat list, without an array per segment (a
// module's map has hundreds of thousands of them: the per-segment arrays were a large share of
// what the core allocated).

const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CHAR_TO_INT = new Uint8Array(128);
const INT_TO_CHAR = new Uint8Array(64);
for (let i = 0; i < CHARS.length; i++) {
  CHAR_TO_INT[CHARS.charCodeAt(i)] = i;
  INT_TO_CHAR[i] = CHARS.charCodeAt(i);
}
const COMMA = 44;
const SEMICOLON = 59;

/**
 * The mapped segments of a map (those with a source position; a segment with only a generated
 * column is left out), each line's sorted by generated column (stable).
 */
export interface Segments {
  /** line l's segments are the indexes from lineStart[l] to lineStart[l + 1] - 1 */
  lineStart: Int32Array;
  /** 4 numbers per segment: generated column, source index, original line, original column */
  seg: Int32Array;
  /** per segment: its index in the map's `names`, or -1 */
  name: Int32Array;
}

/** Reads `mappings` (source map v3) into flat segments. */
export function decodeMapped(mappings: string): Segments {
  const length = mappings.length;
  let lineCount = 1;
  let bound = 1; // segments: at most one per `,` plus one per line
  for (let i = 0; i < length; i++) {
    const c = mappings.charCodeAt(i);
    if (c === SEMICOLON) { lineCount++; bound++; } else if (c === COMMA) bound++;
  }
  const lineStart = new Int32Array(lineCount + 1);
  let seg = new Int32Array(bound * 4);
  let name = new Int32Array(bound);
  let n = 0;
  let pos = 0;
  let source = 0;
  let origLine = 0;
  let origColumn = 0;
  let nameIndex = 0;
  // (one VLQ number at `pos`, sign applied; `pos` moves past it)
  const next = (): number => {
    let value = 0;
    let shift = 0;
    let digit = 0;
    do {
      digit = CHAR_TO_INT[mappings.charCodeAt(pos++)];
      value |= (digit & 31) << shift;
      shift += 5;
    } while (digit & 32);
    return value & 1 ? -2147483648 | -(value >>> 1) : value >>> 1;
  };
  const more = (end: number): boolean => pos < end && mappings.charCodeAt(pos) !== COMMA;
  for (let line = 0; line < lineCount; line++) {
    lineStart[line] = n;
    let end = mappings.indexOf(';', pos);
    if (end < 0) end = length;
    let column = 0;
    let sorted = true;
    while (pos < end) {
      column += next();
      if (more(end)) {
        source += next();
        origLine += next();
        origColumn += next();
        let named = -1;
        if (more(end)) named = nameIndex += next();
        if (n > lineStart[line] && column < seg[(n - 1) * 4]) sorted = false;
        const at = n * 4;
        seg[at] = column;
        seg[at + 1] = source;
        seg[at + 2] = origLine;
        seg[at + 3] = origColumn;
        name[n++] = named;
      }
      pos++; // the `,` (or the `;` that ends the line, where the loop stops)
    }
    if (!sorted) sortLine(seg, name, lineStart[line], n);
    pos = end + 1;
  }
  lineStart[lineCount] = n;
  if (n * 4 < seg.length) { seg = seg.slice(0, n * 4); name = name.slice(0, n); }
  return { lineStart, seg, name };
}

/** Stable sort of the segments from `from` to `to` by generated column (as a decoder's `Array.prototype.sort` would). */
function sortLine(seg: Int32Array, name: Int32Array, from: number, to: number): void {
  const order = Array.from({ length: to - from }, (_, i) => from + i).sort((a, b) => seg[a * 4] - seg[b * 4]);
  const s = seg.slice(from * 4, to * 4);
  const nm = name.slice(from, to);
  order.forEach((src, i) => {
    for (let k = 0; k < 4; k++) seg[(from + i) * 4 + k] = s[(src - from) * 4 + k];
    name[from + i] = nm[src - from];
  });
}

/**
 * Writes the mappings of `lineCount` lines whose segments (4 numbers each, in `data`) run from
 * `from[l]` to `to[l]` (indexes into `data`, in numbers): what `encode` of
 * @jridgewell/sourcemap-codec gives for the same segments as arrays.
 */
export function encodeFlat(data: ArrayLike<number>, from: ArrayLike<number>, to: ArrayLike<number>, lineCount: number): string {
  let buffer = new Uint8Array(1 << 16);
  let pos = 0;
  const write = (byte: number): void => {
    if (pos === buffer.length) {
      const bigger = new Uint8Array(buffer.length * 2);
      bigger.set(buffer);
      buffer = bigger;
    }
    buffer[pos++] = byte;
  };
  const number = (value: number): void => {
    let num = value < 0 ? (-value << 1) | 1 : value << 1;
    do {
      let digit = num & 31;
      num >>>= 5;
      if (num > 0) digit |= 32;
      write(INT_TO_CHAR[digit]);
    } while (num > 0);
  };
  let source = 0;
  let origLine = 0;
  let origColumn = 0;
  for (let l = 0; l < lineCount; l++) {
    if (l > 0) write(SEMICOLON);
    let column = 0;
    for (let i = from[l]; i < to[l]; i += 4) {
      if (i > from[l]) write(COMMA);
      number(data[i] - column);
      column = data[i];
      number(data[i + 1] - source);
      number(data[i + 2] - origLine);
      number(data[i + 3] - origColumn);
      source = data[i + 1];
      origLine = data[i + 2];
      origColumn = data[i + 3];
    }
  }
  return Buffer.from(buffer.buffer, 0, pos).toString('latin1');
}
