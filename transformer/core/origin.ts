// Positions in a module's original source when the core is handed compiled text with a source map
// back to it (both front ends pass their compiler's JavaScript for a TypeScript file): manifest
// and error locations, diagnostics and the output's source map then point at the original lines.
import { decode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';

import type { InputMap } from './types.js';

export type { InputMap };

export interface Position {
  /** 1-based */
  line: number;
  /** 0-based */
  column: number;
}

type Mapped = [number, number, number, number] | [number, number, number, number, number];

const TOKEN = /#?[A-Za-z_$][\w$]*|\d[\w.]*|\S/y;
const WORD = /[\w$]/;

export class Origin {
  private readonly lines: Mapped[][];
  private readonly original: string | undefined;
  private originalLineStarts: number[] | undefined;

  constructor(readonly map: InputMap, private readonly code: string) {
    this.lines = (decode(map.mappings) as SourceMapSegment[][]).map((l) => l.filter((s): s is Mapped => s.length >= 4));
    this.original = map.sourcesContent?.[0] ?? undefined;
  }

  /** The input map's mapped segments per generated line (0-based), never to be mutated. */
  segments(): readonly (readonly Mapped[])[] {
    return this.lines;
  }

  /** The segment of the input map that covers a generated position (0-based line and column), if any. */
  segment(line: number, column: number): Mapped | undefined {
    const segs = this.lines[line];
    if (!segs || !segs.length || segs[0][0] > column) return undefined;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid][0] <= column) lo = mid;
      else hi = mid - 1;
    }
    return segs[lo];
  }

  /** The original name of the identifier at a generated position, when the compiler renamed it. */
  name(line: number, column: number): string | undefined {
    const seg = this.segment(line - 1, column);
    return seg && seg[0] === column && seg.length === 5 ? this.map.names?.[seg[4]] : undefined;
  }

  /**
   * The original position of the node that starts at `offset` (at `line`, 1-based, and `column`).
   * Maps from compilers place a segment at most nodes, not at every token: when the nearest
   * segment starts elsewhere, or at a prefix the compiler dropped (`export default class`
   * printed as `class`), the node's first token is looked for on the original line.
   */
  position(offset: number, line: number, column: number): Position {
    let seg = this.segment(line - 1, column);
    for (let l = line - 2; !seg && l >= 0; l--) seg = this.lines[l].at(-1);
    if (!seg) return { line, column };
    const oLine = seg[2];
    const guess = seg[3] + (this.segmentLine(seg, line) ? column - seg[0] : 0);
    const text = this.original;
    if (text === undefined) return { line: oLine + 1, column: seg[3] };
    TOKEN.lastIndex = offset;
    const token = TOKEN.exec(this.code)?.[0];
    if (!token) return { line: oLine + 1, column: seg[3] };
    const starts = this.lineStarts();
    const lineStart = starts[oLine] ?? 0;
    const lineEnd = oLine + 1 < starts.length ? starts[oLine + 1] : text.length;
    const isWord = WORD.test(token[token.length - 1]);
    const at = (c: number) => {
      const i = lineStart + c;
      return text.startsWith(token, i) && !(isWord && WORD.test(text[i + token.length] ?? '')) && !(WORD.test(token[0]) && i > 0 && WORD.test(text[i - 1]));
    };
    const abstractClass = (c: number) => token === 'class' && /^abstract\s+class\b/.test(text.slice(lineStart + c, lineStart + c + 40));
    if (seg[0] === column && this.segmentLine(seg, line)) {
      // a segment right at the node: trust it (`<T>(x) =>` starts at `<`), past the modifiers
      // that the compiler's node starts at but its output drops (`export default class`)
      let c = seg[3];
      const modifiers = /^(?:(?:export|default)\s+)+/.exec(text.slice(lineStart + c, Math.min(lineEnd, lineStart + c + 40)));
      if (modifiers && (at(c + modifiers[0].length) || abstractClass(c + modifiers[0].length))) c += modifiers[0].length;
      return { line: oLine + 1, column: c };
    }
    let found = guess !== seg[3] && lineStart + guess < lineEnd && at(guess) ? guess : -1;
    for (let c = seg[3]; found < 0 && lineStart + c < lineEnd; c++) if (at(c) || abstractClass(c)) found = c;
    return { line: oLine + 1, column: found < 0 ? seg[3] : found };
  }

  /** The original source text, when the map carries it. */
  get originalText(): string | undefined {
    return this.original;
  }

  /** Offset in the original text of a position. */
  offset(p: Position): number {
    return (this.lineStarts()[p.line - 1] ?? 0) + p.column;
  }

  /** Whether `seg` was found on the node's own generated line (so a column offset from it means something). */
  private segmentLine(seg: Mapped, line: number): boolean {
    const segs = this.lines[line - 1];
    return !!segs && segs.includes(seg);
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
