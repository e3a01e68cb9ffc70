// Source maps for the ts-patch front end: the output's map (the core's, which already goes back to
// the TS source through tsc's map) named as tsc names the file's map, the composition needed when a
// module is instrumented from its TS source and then transpiled, and the `//# sourceMappingURL=`
// comment tsc ends a JS file with, taken off before the core runs (the core appends code) and put back after.
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
 * A map of the output back to the TS source, with the file, source root, sources and (only if it
 * has them) source text of tsc's map of the file, `named`.
 */
export function asTscMap(map: { names: string[]; mappings: string }, named: RawMap): string {
  if (named.sources.length !== 1) return JSON.stringify(named);
  const out: RawMap = { version: 3, file: named.file, sourceRoot: named.sourceRoot, sources: named.sources, names: map.names, mappings: map.mappings };
  if (named.sourcesContent) out.sourcesContent = named.sourcesContent;
  return JSON.stringify(out);
}

/**
 * `outer` (transpileModule's map: output → instrumented TS) composed with `inner` (the core's:
 * instrumented TS → TS source), named as `named`.
 */
export function composeMaps(outer: RawMap, inner: TransformResult['map'], named: RawMap): string {
  const composed = remapping(outer as never, (_source, ctx) => (ctx.depth === 1 ? (inner as never) : null), { excludeContent: true });
  return asTscMap({ names: composed.names, mappings: composed.mappings as string }, named);
}
