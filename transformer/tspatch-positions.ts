// Positions for the ts-patch front end, which runs the core on the JavaScript tsc emits: through
// tsc's source map, each function the core found in the JS is matched with its node in the
// ORIGINAL TypeScript, so the manifest, the unit table inside the output and the diagnostics carry
// the TS source's line/column and body hash (the SHA-256 of the function's TS text, as the core
// computes it when it reads TS: the same IDs, hashes and positions as the esbuild front end).
import { createHash } from 'node:crypto';
import type * as TS from 'typescript';
import { decode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import type { FunctionEntry, TransformResult } from './core/types.js';

/** Maps 0-based (line, column) of tsc's JS output to the TS source, from tsc's source map. */
export class JsToTs {
  private readonly lines: SourceMapSegment[][];

  constructor(mappings: string) {
    this.lines = decode(mappings);
  }

  /**
   * The TS position of a JS position: the closest mapped token at or before it on its line, plus
   * the distance from that token (tsc copies the text between two tokens unchanged). Undefined
   * when nothing on the line before it comes from the source (code tsc generated).
   */
  position(line: number, column: number): { line: number; column: number } | undefined {
    const segs = this.lines[line];
    if (!segs) return undefined;
    let lo = 0;
    let hi = segs.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]![0] <= column) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = best; i >= 0; i--) {
      const seg = segs[i]!;
      if (seg.length >= 4) return { line: seg[2]!, column: seg[3]! + (column - seg[0]) };
    }
    return undefined;
  }
}

/** The TS node kinds the core's unit kinds come from (class methods belong to their class). */
const UNIT_KINDS: Record<string, (ts: typeof TS, n: TS.Node, parent: TS.Node) => boolean> = {
  arrow: (ts, n) => n.kind === ts.SyntaxKind.ArrowFunction,
  function: (ts, n) => n.kind === ts.SyntaxKind.FunctionExpression,
  declaration: (ts, n) => n.kind === ts.SyntaxKind.FunctionDeclaration,
  class: (ts, n) => n.kind === ts.SyntaxKind.ClassExpression,
  'class-declaration': (ts, n) => n.kind === ts.SyntaxKind.ClassDeclaration,
  'object-method': (ts, n, parent) => (ts.isMethodDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n)) && ts.isObjectLiteralExpression(parent),
};

function isFunctionOrClass(ts: typeof TS, n: TS.Node): boolean {
  return ts.isFunctionLike(n) || ts.isClassLike(n) || ts.isClassStaticBlockDeclaration(n);
}

/** The innermost function or class of the TS file that contains `pos`, if it is of the unit's kind. */
function unitNode(ts: typeof TS, sf: TS.SourceFile, pos: number, kind: string): TS.Node | undefined {
  // (parents are tracked here, not read from the nodes)
  let inner: TS.Node | undefined;
  let innerParent: TS.Node = sf;
  let node: TS.Node = sf;
  for (;;) {
    const child: TS.Node | undefined = ts.forEachChild(node, (c) => (c.pos <= pos && pos < c.end ? c : undefined));
    if (!child) break;
    if (isFunctionOrClass(ts, child)) {
      inner = child;
      innerParent = node;
    }
    node = child;
  }
  return inner && UNIT_KINDS[kind]?.(ts, inner, innerParent) ? inner : undefined;
}

/** Skips whitespace and comments from `pos`. */
function skipTrivia(text: string, pos: number): number {
  const re = /(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*/y;
  re.lastIndex = pos;
  re.exec(text);
  return re.lastIndex;
}

/**
 * Where the core's parser (typescript-estree) starts the node: its first token, except that an
 * exported declaration starts after `export` (and `default`), which belong to the export.
 */
function estreeStart(ts: typeof TS, sf: TS.SourceFile, node: TS.Node): number {
  const modifiers = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  if (modifiers?.[0]?.kind === ts.SyntaxKind.ExportKeyword) {
    const last = modifiers[1]?.kind === ts.SyntaxKind.DefaultKeyword ? modifiers[1] : modifiers[0];
    return skipTrivia(sf.text, last.end);
  }
  return node.getStart(sf);
}

function hexHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export interface Anchored {
  /** the core's output, its unit table rewritten to TS positions and hashes */
  code: string;
  functions: FunctionEntry[];
  /** 1-based line/column in the TS source of a 1-based JS line/column (units first, then the map) */
  locate(line: number, column: number): { line: number; column: number } | undefined;
}

/** Re-anchors a core result computed on tsc's JS to the TS source `sf`. */
export function anchorToSource(ts: typeof TS, sf: TS.SourceFile, result: TransformResult, toTs: JsToTs): Anchored {
  const lineCount = sf.getLineStarts().length;
  const viaMap = (line: number, column: number) => {
    const p = toTs.position(line - 1, column - 1);
    return p && p.line < lineCount ? { line: p.line + 1, column: p.column + 1 } : undefined;
  };
  const units = new Map<string, { line: number; column: number }>();
  const functions = result.manifest.functions.map((f) => {
    const mapped = viaMap(f.line, f.column);
    if (!mapped) return f;
    const pos = sf.getPositionOfLineAndCharacter(mapped.line - 1, Math.min(mapped.column - 1, lineLength(sf, mapped.line - 1)));
    const node = unitNode(ts, sf, pos, f.kind);
    let anchored: FunctionEntry;
    if (node) {
      const start = estreeStart(ts, sf, node);
      const loc = sf.getLineAndCharacterOfPosition(start);
      anchored = { ...f, line: loc.line + 1, column: loc.character + 1, bodyHash: hexHash(sf.text.slice(start, node.end)) };
    } else {
      anchored = { ...f, ...mapped }; // code tsc generated, or lowered: the JS function's hash
    }
    units.set(`${f.line}:${f.column}`, { line: anchored.line, column: anchored.column });
    return anchored;
  });
  return {
    code: patchTable(result.code, functions),
    functions,
    locate: (line, column) => units.get(`${line}:${column}`) ?? viaMap(line, column),
  };
}

function lineLength(sf: TS.SourceFile, line: number): number {
  const starts = sf.getLineStarts();
  return (line + 1 < starts.length ? starts[line + 1]! : sf.text.length) - starts[line]!;
}

// The core appends its unit table on a line of its own: `function $tp$T() { return '<JSON>'; }`
// (JSON in a single-quoted string); the runtime names functions by its line/col in messages and
// compares body hashes between threads.
const TABLE_HEAD = "\nfunction $tp$T() { return '";
const TABLE_TAIL = "'; }\n";

interface TableUnit { line: number; col: number; hash: string }

/** Rewrites the line/col/hash of each unit of the output's table (same order as the manifest). */
function patchTable(code: string, functions: FunctionEntry[]): string {
  const at = code.lastIndexOf(TABLE_HEAD);
  if (at < 0) return code;
  const start = at + TABLE_HEAD.length;
  const end = code.indexOf(TABLE_TAIL, start);
  if (end < 0) return code;
  const json = code.slice(start, end).replace(/\\([\\'])/g, '$1');
  let table: { units?: TableUnit[] };
  try {
    table = JSON.parse(json) as { units?: TableUnit[] };
  } catch {
    return code;
  }
  if (!Array.isArray(table.units) || table.units.length !== functions.length) return code;
  table.units.forEach((u, i) => {
    const f = functions[i]!;
    u.line = f.line;
    u.col = f.column;
    u.hash = f.bodyHash;
  });
  const quoted = JSON.stringify(table).replace(/[\\'\u2028\u2029]/g, (c) => (c === '\\' || c === "'" ? '\\' + c : c === '\u2028' ? '\\u2028' : '\\u2029'));
  return code.slice(0, start) + quoted + code.slice(end);
}
