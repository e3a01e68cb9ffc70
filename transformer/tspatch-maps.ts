// Source maps for the ts-patch front end: tsc's map (JS → TS) composed under the core's map
// (instrumented JS → tsc's JS), and the `//# sourceMappingURL=` comment tsc ends a JS file with,
// taken off before the core runs (the core appends code) and put back after.
import remapping from '@jridgewell/remapping';
import type { TransformResult } from './core/types.js';

export interface RawMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  file?: string;
  sourceRoot?: string;
  sourcesContent?: (string | null)[];
}

const INLINE = /^\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]*)\s*$/;

/** The JS text without tsc's trailing sourceMappingURL comment, and the comment (or ''). */
export function splitUrlComment(text: string, urlPos: number | undefined): { code: string; comment: string } {
  if (urlPos === undefined || urlPos < 0 || urlPos > text.length) return { code: text, comment: '' };
  return { code: text.slice(0, urlPos), comment: text.slice(urlPos) };
}

/** The map inlined in a `//# sourceMappingURL=data:…` comment (inlineSourceMap). */
export function readInlineMap(comment: string): RawMap | undefined {
  const m = INLINE.exec(comment);
  return m ? (JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as RawMap) : undefined;
}

export function inlineComment(map: string): string {
  return `//# sourceMappingURL=data:application/json;base64,${Buffer.from(map, 'utf8').toString('base64')}`;
}

/** Instrumented code with the comment put back on a line of its own; its position (tsc's `sourceMapUrlPos`). */
export function joinUrlComment(code: string, comment: string): { text: string; urlPos: number | undefined } {
  if (!comment) return { text: code, urlPos: undefined };
  const body = code.endsWith('\n') ? code : code + '\n';
  return { text: body + comment, urlPos: body.length };
}

/**
 * The output's map back to the TS source: `outer` maps the output to an intermediate text, `inner`
 * that text to the source (the core's map then tsc's, or transpileModule's then the core's).
 * Names the source as tsc's map of the file, `named`, does.
 */
export function composeMaps(outer: TransformResult['map'] | RawMap, inner: TransformResult['map'] | RawMap, named: RawMap): string {
  if (named.sources.length !== 1) return JSON.stringify(named);
  const composed = remapping(outer as never, (_source, ctx) => (ctx.depth === 1 ? (inner as never) : null), { excludeContent: true });
  const out: RawMap = { version: 3, file: named.file, sourceRoot: named.sourceRoot, sources: named.sources, names: composed.names, mappings: composed.mappings as string };
  if (named.sourcesContent) out.sourcesContent = named.sourcesContent;
  return JSON.stringify(out);
}
