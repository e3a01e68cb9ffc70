// Source map of the transform's output: the instrumented body keeps its lines (no edit adds or
// removes a line), and each copy of a function in the appended factories is mapped back to the
// original function's lines, so a stack trace from a function rebuilt in a worker points at its
// source. The segments of the input map (when the core was given compiled text with a map back to
// its source), or of the input text itself (a segment per token), are moved past the edits made
// on their line: the result points at the original source exactly where the compiler's map did,
// at a fraction of the cost of mapping every character or word of the output with magic-string
// and looking each one up in the input map.
import { encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import type { CopySite, Edit } from './emit.js';
import type { Unit } from './model.js';
import type { Origin } from './origin.js';
import type { LineIndex } from './walk.js';
import type { TransformResult } from './types.js';

/** With `origin` (the input came with a map to its original source), the map points at the original. */
export function buildMap(code: string, fileName: string, units: Unit[], sites: CopySite[], lines: LineIndex, origin?: Origin, edits: Edit[] = []): TransformResult['map'] {
  const moved = moveThroughEdits(origin ? origin.segments() : identitySegments(code), edits, lines, code.length);
  copyLines(moved, units, sites, lines, edits);
  return origin
    ? { version: 3, file: undefined, sources: origin.map.sources, sourcesContent: origin.map.sourcesContent, names: [], mappings: encode(moved) }
    : { version: 3, file: undefined, sources: [fileName], sourcesContent: [code], names: [], mappings: encode(moved) };
}

const TOKEN = /[\w$]+|\S/g;

/**
 * The map of a text to itself with a segment at each token (a word, or one other non-space
 * character): where a stack trace's column can point, so as precise as a segment per character.
 */
function identitySegments(code: string): number[][][] {
  const out: number[][][] = [];
  let line = 0;
  let start = 0;
  for (;;) {
    const nl = code.indexOf('\n', start);
    const end = nl < 0 ? code.length : nl;
    const segs: number[][] = [];
    TOKEN.lastIndex = start;
    for (let m = TOKEN.exec(code); m && m.index < end; m = TOKEN.exec(code)) segs.push([m.index - start, 0, line, m.index - start]);
    out.push(segs);
    if (nl < 0) return out;
    start = nl + 1;
    line++;
  }
}

/**
 * Maps each function copy in the appendix like the function's own lines in the body: its first
 * line from the output column where the function starts, shifted to the copy's column; its other
 * lines as they are (a copy keeps their text).
 */
function copyLines(mappings: SourceMapSegment[][], units: Unit[], sites: CopySite[], lines: LineIndex, edits: Edit[]): void {
  for (const site of sites) {
    const u = units[site.unit];
    const start = lines.position(u.node.range[0]);
    const first = start.line - 1;
    const count = lines.position(u.node.range[1]).line - start.line + 1;
    const delta = start.column + shiftAt(edits, lines, first, start.column);
    while (mappings.length < site.line + count) mappings.push([]);
    // the first line is shifted to the copy's column; the others map exactly as the original lines
    // do (the copy keeps their text and columns), so they share the original's segments (never mutated)
    const shift = site.column - delta;
    const line = mappings[first] ?? [];
    const copied = line.filter((seg) => seg[0] >= delta).map((seg) => [seg[0] + shift, ...seg.slice(1)] as SourceMapSegment);
    // (the segment that covers the function's first character may start before it)
    const covering = line.findLast((seg) => seg[0] < delta);
    if (covering && covering.length >= 4 && (!copied.length || copied[0][0] !== site.column)) copied.unshift([site.column, ...covering.slice(1)] as SourceMapSegment);
    mappings[site.line] = copied;
    for (let k = 1; k < count; k++) mappings[site.line + k] = mappings[first + k] ?? [];
  }
}

/** How far an input character at (0-based line, column) moved on its line: text inserted at or before it, less text replaced before it. */
function shiftAt(edits: Edit[], lines: LineIndex, line: number, column: number): number {
  const list = editsOn(edits, lines).get(line);
  if (!list) return 0;
  // the last edit that ends at or before the column (binary search: a minified line has thousands)
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].endColumn <= column) lo = mid + 1;
    else hi = mid;
  }
  return lo ? list[lo - 1].shift : 0;
}

/** An edit on one line; `shift` is how far it and the edits before it on the line move what follows. */
interface LineEdit { column: number; endColumn: number; text: string; shift: number }
const byLine = new WeakMap<Edit[], Map<number, LineEdit[]>>();

/** The edits grouped by the line they are on, in column order (insertions at one column keep their order). */
function editsOn(edits: Edit[], lines: LineIndex): Map<number, LineEdit[]> {
  let out = byLine.get(edits);
  if (out) return out;
  out = new Map();
  for (const e of edits) {
    const p = lines.position(e.pos);
    const end = e.end === e.pos ? p : lines.position(e.end);
    const list = out.get(p.line - 1);
    const le = { column: p.column, endColumn: end.line === p.line ? end.column : Infinity, text: e.text, shift: 0 };
    if (list) list.push(le);
    else out.set(p.line - 1, [le]);
  }
  for (const list of out.values()) {
    list.sort((a, b) => a.column - b.column);
    let shift = 0;
    for (const e of list) e.shift = shift += e.text.length - (e.endColumn - e.column);
  }
  byLine.set(edits, out);
  return out;
}

/** The input map's segments (original positions) at their output columns, body lines only. */
function moveThroughEdits(input: readonly (readonly (readonly number[])[])[], edits: Edit[], lines: LineIndex, length: number): SourceMapSegment[][] {
  // (text appended after the module's last character may start a line: nothing follows it)
  for (const e of edits) {
    if ((e.pos < length && e.text.includes('\n')) || (e.end !== e.pos && lines.position(e.end).line !== lines.position(e.pos).line)) {
      throw new Error(`teleport: internal error: an edit at offset ${e.pos} adds or removes a line`);
    }
  }
  const perLine = editsOn(edits, lines);
  const out: SourceMapSegment[][] = new Array(input.length);
  for (let l = 0; l < input.length; l++) {
    const segs = input[l];
    const list = perLine.get(l);
    if (!list) {
      // a line without edits keeps its segments (never mutated; names are dropped, so a segment
      // that has one is copied without it)
      out[l] = segs.some((seg) => seg.length !== 4) ? segs.map((seg) => [seg[0], seg[1], seg[2], seg[3]]) : segs as SourceMapSegment[];
      continue;
    }
    const moved: SourceMapSegment[] = [];
    let k = 0;
    let shift = 0;
    for (const seg of segs) {
      const c = seg[0];
      // edits wholly at or before this column (an insertion at c comes before the character at c)
      while (k < list.length && list[k].endColumn <= c) shift = list[k++].shift;
      if (k < list.length && list[k].column <= c) continue; // inside replaced text: nothing left to map
      moved.push([c + shift, seg[1], seg[2], seg[3]]);
    }
    out[l] = moved;
  }
  return out;
}
