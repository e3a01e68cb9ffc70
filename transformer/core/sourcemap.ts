// Source map of the transform's output: the instrumented body keeps its lines (no edit adds or
// removes a line), and each copy of a function in the appended factories is mapped back to the
// original function's lines, so a stack trace from a function rebuilt in a worker points at its
// source. The segments of the input map (when the core was given compiled text with a map back to
// its source), or of the input text itself (a segment per token), are moved past the edits made
// on their line: the result points at the original source exactly where the compiler's map did,
// at a fraction of the cost of mapping every character or word of the output with magic-string
// and looking each one up in the input map.
import type { CopyCut, CopySite, Edit } from './emit.js';
import type { Unit } from './model.js';
import type { Origin } from './origin.js';
import type { LineIndex } from './walk.js';
import type { TransformResult } from './types.js';
import { encodeFlat, type Segments } from './vlq.js';

/**
 * The output's segments, 4 numbers each (generated column, source, original line, original
 * column) in `data` up to `used`: line l's run from index `from[l]` to `to[l]` (lines may share them).
 */
interface OutLines { data: Int32Array; used: number; from: number[]; to: number[] }

/** With `origin` (the input came with a map to its original source), the map points at the original. */
export function buildMap(code: string, fileName: string, units: Unit[], sites: CopySite[], lines: LineIndex, origin?: Origin, edits: Edit[] = [], cuts = new Map<number, CopyCut[]>()): TransformResult['map'] {
  const out = moveThroughEdits(origin ? origin.segments() : identitySegments(code), edits, lines, code.length);
  copyLines(out, units, sites, lines, edits, cuts);
  const mappings = encodeFlat(out.data, out.from, out.to, out.from.length);
  return origin
    ? { version: 3, file: undefined, sources: origin.map.sources, sourcesContent: origin.map.sourcesContent, names: [], mappings }
    : { version: 3, file: undefined, sources: [fileName], sourcesContent: [code], names: [], mappings };
}

const TOKEN = /[\w$]+|\S/g;

/**
 * The map of a text to itself with a segment at each token (a word, or one other non-space
 * character): where a stack trace's column can point, so as precise as a segment per character.
 */
function identitySegments(code: string): Segments {
  const seg: number[] = [];
  const lineStart: number[] = [0];
  let line = 0;
  let start = 0;
  for (;;) {
    const nl = code.indexOf('\n', start);
    const end = nl < 0 ? code.length : nl;
    TOKEN.lastIndex = start;
    for (let m = TOKEN.exec(code); m && m.index < end; m = TOKEN.exec(code)) seg.push(m.index - start, 0, line, m.index - start);
    lineStart.push(seg.length / 4);
    if (nl < 0) return { lineStart: Int32Array.from(lineStart), seg: Int32Array.from(seg), name: new Int32Array(seg.length / 4).fill(-1) };
    start = nl + 1;
    line++;
  }
}

/**
 * Maps each function copy in the appendix like the function's own lines in the body: its first
 * line from the output column where the function starts, shifted to the copy's column; its other
 * lines as they are (a copy keeps their text), except past the readers a copy writes shorter
 * (`cuts`, per unit).
 */
function copyLines(out: OutLines, units: Unit[], sites: CopySite[], lines: LineIndex, edits: Edit[], cuts: Map<number, CopyCut[]>): void {
  const { from, to } = out;
  // room for the first line of every copy (its segments, and one more that may cover its start),
  // and for the other lines a copy writes shorter
  let room = out.used;
  const lineSize = (l: number) => (l < from.length ? to[l] - from[l] : 0);
  for (const site of sites) {
    const first = lines.position(units[site.unit].node.range[0]).line - 1;
    room += lineSize(first) + 4;
    for (const cut of cuts.get(site.unit) ?? []) if (cut.line > 0) room += lineSize(first + cut.line);
  }
  if (room > out.data.length) {
    const bigger = new Int32Array(room);
    bigger.set(out.data.subarray(0, out.used));
    out.data = bigger;
  }
  const data = out.data;
  let used = out.used;
  for (const site of sites) {
    const u = units[site.unit];
    const start = lines.position(u.node.range[0]);
    const first = start.line - 1;
    const count = lines.position(u.node.range[1]).line - start.line + 1;
    const delta = start.column + shiftAt(edits, lines, first, start.column);
    while (from.length < site.line + count) { from.push(0); to.push(0); }
    // the first line is shifted to the copy's column; the others map exactly as the original lines
    // do (the copy keeps their text and columns), so they share the original's segments
    const shift = site.column - delta;
    const lineFrom = first < from.length ? from[first] : 0;
    const lineTo = first < from.length ? to[first] : 0;
    // (the segment that covers the function's first character may start before it: the last one
    // before it, in the line's order)
    let covering = -1;
    for (let i = lineTo - 4; i >= lineFrom; i -= 4) if (data[i] < delta) { covering = i; break; }
    let firstKept = -1;
    for (let i = lineFrom; i < lineTo; i += 4) if (data[i] >= delta) { firstKept = i; break; }
    const unitCuts = cuts.get(site.unit);
    // a column of line k of the copy (copy coordinates), past the readers written shorter before it
    const cutShift = (k: number, c: number, at: number): number => {
      let out = c;
      for (const cut of unitCuts!) if (cut.line === k && at + cut.column + cut.length <= c) out -= cut.removed;
      return out;
    };
    const copyStart = used;
    const push = (column: number, i: number) => {
      data[used] = column;
      data[used + 1] = data[i + 1];
      data[used + 2] = data[i + 2];
      data[used + 3] = data[i + 3];
      used += 4;
    };
    if (covering >= 0 && (firstKept < 0 || data[firstKept] + shift !== site.column)) push(site.column, covering);
    for (let i = lineFrom; i < lineTo; i += 4) if (data[i] >= delta) push(unitCuts ? cutShift(0, data[i] + shift, site.column) : data[i] + shift, i);
    from[site.line] = copyStart;
    to[site.line] = used;
    for (let k = 1; k < count; k++) {
      const l = first + k;
      from[site.line + k] = l < from.length ? from[l] : 0;
      to[site.line + k] = l < from.length ? to[l] : 0;
      if (!unitCuts?.some((cut) => cut.line === k)) continue;
      const lineStart = used;
      for (let i = from[site.line + k]; i < to[site.line + k]; i += 4) push(cutShift(k, data[i], 0), i);
      from[site.line + k] = lineStart;
      to[site.line + k] = used;
    }
  }
  out.used = used;
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
function moveThroughEdits(input: Segments, edits: Edit[], lines: LineIndex, length: number): OutLines {
  // (text appended after the module's last character may start a line: nothing follows it)
  for (const e of edits) {
    if ((e.pos < length && e.text.includes('\n')) || (e.end !== e.pos && lines.position(e.end).line !== lines.position(e.pos).line)) {
      throw new Error(`teleport: internal error: an edit at offset ${e.pos} adds or removes a line`);
    }
  }
  const perLine = editsOn(edits, lines);
  const { lineStart, seg } = input;
  const lineCount = lineStart.length - 1;
  // (edits only ever drop segments: the input's count is enough)
  const data = new Int32Array(lineStart[lineCount] * 4);
  let used = 0;
  const from: number[] = new Array(lineCount);
  const to: number[] = new Array(lineCount);
  for (let l = 0; l < lineCount; l++) {
    from[l] = used;
    const list = perLine.get(l);
    let k = 0;
    let shift = 0;
    for (let i = lineStart[l] * 4; i < lineStart[l + 1] * 4; i += 4) {
      const c = seg[i];
      if (list) {
        // edits wholly at or before this column (an insertion at c comes before the character at c)
        while (k < list.length && list[k].endColumn <= c) shift = list[k++].shift;
        if (k < list.length && list[k].column <= c) continue; // inside replaced text: nothing left to map
      }
      data[used] = c + shift;
      data[used + 1] = seg[i + 1];
      data[used + 2] = seg[i + 2];
      data[used + 3] = seg[i + 3];
      used += 4;
    }
    to[l] = used;
  }
  return { data, used, from, to };
}
