// Positions in a module's original source when the core is handed compiled text with a source map
// back to it (both front ends pass their compiler's JavaScript for a TypeScript file): manifest
// and error locations, diagnostics and the output's source map then point at the original lines.
import { decodeMapped, type Segments } from './vlq.js';
import type { InputMap } from './types.js';

export type { InputMap };

export interface Position {
  /** 1-based */
  line: number;
  /** 0-based */
  column: number;
}

const TOKEN = /#?[A-Za-z_$][\w$]*|\d[\w.]*|\S/y;
const WORD = /[\w$]/;

export class Origin {
  private readonly segs: Segments;
  /** lines of the input map */
  private readonly lineCount: number;
  private readonly original: string | undefined;
  private originalLineStarts: number[] | undefined;

  constructor(readonly map: InputMap, private readonly code: string) {
    this.segs = decodeMapped(map.mappings);
    this.lineCount = this.segs.lineStart.length - 1;
    this.original = map.sourcesContent?.[0] ?? undefined;
  }

  /** The input map's mapped segments (generated lines 0-based), never to be mutated. */
  segments(): Segments {
    return this.segs;
  }

  /**
   * The segment of the input map that covers a generated position (0-based line and column): its
   * index in `segments()`, or -1.
   */
  segment(line: number, column: number): number {
    if (line < 0 || line >= this.lineCount) return -1;
    const { lineStart, seg } = this.segs;
    let lo = lineStart[line];
    let hi = lineStart[line + 1] - 1;
    if (hi < lo || seg[lo * 4] > column) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (seg[mid * 4] <= column) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The original name of the identifier at a generated position, when the compiler renamed it. */
  name(line: number, column: number): string | undefined {
    const i = this.segment(line - 1, column);
    return i >= 0 && this.segs.seg[i * 4] === column && this.segs.name[i] >= 0 ? this.map.names?.[this.segs.name[i]] : undefined;
  }

  /**
   * The original position of the node that starts at `offset` (at `line`, 1-based, and `column`).
   * Maps from compilers place a segment at most nodes, not at every token: when the nearest
   * segment starts elsewhere, or at a prefix the compiler dropped (`export default class`
   * printed as `class`), the node's first token is looked for on the original line.
   */
  position(offset: number, line: number, column: number): Position {
    let i = this.segment(line - 1, column);
    // (else the last segment of the nearest line above that has one)
    const first = this.segs.lineStart;
    for (let l = Math.min(line - 2, this.lineCount - 1); i < 0 && l >= 0; l--) if (first[l + 1] > first[l]) i = first[l + 1] - 1;
    if (i < 0) return { line, column };
    const segColumn = this.segs.seg[i * 4];
    const oLine = this.segs.seg[i * 4 + 2];
    const oColumn = this.segs.seg[i * 4 + 3];
    const onLine = this.segmentLine(i, line);
    const guess = oColumn + (onLine ? column - segColumn : 0);
    const text = this.original;
    if (text === undefined) return { line: oLine + 1, column: oColumn };
    TOKEN.lastIndex = offset;
    const token = TOKEN.exec(this.code)?.[0];
    if (!token) return { line: oLine + 1, column: oColumn };
    const starts = this.lineStarts();
    const lineStart = starts[oLine] ?? 0;
    const lineEnd = oLine + 1 < starts.length ? starts[oLine + 1] : text.length;
    const isWord = WORD.test(token[token.length - 1]);
    const at = (c: number) => {
      const i = lineStart + c;
      return text.startsWith(token, i) && !(isWord && WORD.test(text[i + token.length] ?? '')) && !(WORD.test(token[0]) && i > 0 && WORD.test(text[i - 1]));
    };
    const abstractClass = (c: number) => token === 'class' && /^abstract\s+class\b/.test(text.slice(lineStart + c, lineStart + c + 40));
    if (segColumn === column && onLine) {
      // a segment right at the node: trust it (`<T>(x) =>` starts at `<`), past the modifiers
      // that the compiler's node starts at but its output drops (`export default class`)
      let c = oColumn;
      const modifiers = /^(?:(?:export|default)\s+)+/.exec(text.slice(lineStart + c, Math.min(lineEnd, lineStart + c + 40)));
      if (modifiers && (at(c + modifiers[0].length) || abstractClass(c + modifiers[0].length))) c += modifiers[0].length;
      return { line: oLine + 1, column: c };
    }
    let found = guess !== oColumn && lineStart + guess < lineEnd && at(guess) ? guess : -1;
    for (let c = oColumn; found < 0 && lineStart + c < lineEnd; c++) if (at(c) || abstractClass(c)) found = c;
    return { line: oLine + 1, column: found < 0 ? oColumn : found };
  }

  /** The original source text, when the map carries it. */
  get originalText(): string | undefined {
    return this.original;
  }

  /** Offset in the original text of a position. */
  offset(p: Position): number {
    return (this.lineStarts()[p.line - 1] ?? 0) + p.column;
  }

  /** Whether segment `i` was found on the node's own generated line (so a column offset from it means something). */
  private segmentLine(i: number, line: number): boolean {
    const l = line - 1;
    return l >= 0 && l < this.lineCount && this.segs.lineStart[l] <= i && i < this.segs.lineStart[l + 1];
  }

  private lineStarts(): number[] {
    if (!this.originalLineStarts) {
      const starts = [0];
      const text = this.original!;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.originalLineStarts = starts;
    }
    return this.originalLineStarts;
  }
}
