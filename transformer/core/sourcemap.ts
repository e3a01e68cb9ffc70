// Source map of the transform's output: magic-string maps the instrumented body (lines never
// move), and each copy of a function in the appended factories is mapped back to the original
// function's lines, so a stack trace from a function rebuilt in a worker points at its source.
import { encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import type MagicString from 'magic-string';
import type { CopySite } from './emit.js';
import type { Unit } from './model.js';
import type { Origin } from './origin.js';
import type { LineIndex } from './walk.js';
import type { TransformResult } from './types.js';

/** With `origin` (the input came with a map to its original source), the map points at the original. */
export function buildMap(s: MagicString, fileName: string, units: Unit[], sites: CopySite[], lines: LineIndex, origin?: Origin): TransformResult['map'] {
  // (composed with a compiler's map, which has a segment per token at most, a segment per word
  // boundary is as precise as one per character, and allocates far less)
  const decoded = s.generateDecodedMap({ source: fileName, includeContent: !origin, hires: origin ? 'boundary' : true });
  let mappings = decoded.mappings as SourceMapSegment[][];
  for (const site of sites) {
    const u = units[site.unit];
    const start = lines.position(u.node.range[0]);
    const first = start.line - 1;
    const count = lines.position(u.node.range[1]).line - start.line + 1;
    const startSeg = (mappings[first] ?? []).find((seg) => seg.length >= 4 && seg[2] === first && seg[3] === start.column);
    const delta = startSeg ? startSeg[0] : 0;
    while (mappings.length < site.line + count) mappings.push([]);
    // the first line is shifted to the copy's column; the others map exactly as the original lines
    // do (the copy keeps their text and columns), so they share the original's segments (never mutated)
    const shift = site.column - delta;
    mappings[site.line] = (mappings[first] ?? []).filter((seg) => seg[0] >= delta).map((seg) => [seg[0] + shift, ...seg.slice(1)] as SourceMapSegment);
    for (let k = 1; k < count; k++) mappings[site.line + k] = mappings[first + k] ?? [];
  }
  if (origin) {
    mappings = origin.compose(mappings);
    return {
      version: 3, file: decoded.file, sources: origin.map.sources, sourcesContent: origin.map.sourcesContent, names: [], mappings: encode(mappings),
    };
  }
  return {
    version: 3,
    file: decoded.file,
    sources: decoded.sources,
    sourcesContent: decoded.sourcesContent,
    names: decoded.names,
    mappings: encode(mappings),
  };
}
