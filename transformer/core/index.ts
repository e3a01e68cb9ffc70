// The transform core: one pure function from a module's source text to instrumented text,
// source map, manifest entries and diagnostics. The ts-patch and esbuild front ends call it.
import path from 'node:path';
import { LineIndex, parseModule, type Node, type TSESTree } from './walk.js';
import { buildModel } from './model.js';
import { commonJsEvidence, originalCommonJsSyntax } from './commonjs.js';
import { Emitter } from './emit.js';
import { buildMap } from './sourcemap.js';
import { Origin, type Position } from './origin.js';
import { base32Hash, hexHash } from './hash.js';
import { explicitName, explicitNameInOriginal, semanticPath } from './ids.js';
import type { Diagnostic, ModuleManifest, TransformOptions, TransformResult } from './types.js';

export type * from './types.js';
export { buildManifest, shouldTransform } from './manifest.js';

export function relativePath(fileName: string, root: string): string {
  return path.relative(root, fileName).split(path.sep).join('/');
}

export function moduleIdOf(relPath: string): string {
  return base32Hash('module\n' + relPath);
}

export function transformModule(code: string, fileName: string, options: TransformOptions = {}): TransformResult {
  const root = options.root ?? process.cwd();
  const relPath = relativePath(fileName, root);
  const moduleId = moduleIdOf(relPath);
  const ast = parseModule(code, fileName, options.language ?? 'ts', options.jsx);
  // where a node starts in the original source (1-based line, 1-based column)
  const origin = options.inputMap ? new Origin(options.inputMap, code) : undefined;
  const lines = new LineIndex(code);
  const originOf = (node: Node): Position => {
    const p = lines.position(node.range[0]);
    return origin ? origin.position(node.range[0], p.line, p.column) : p;
  };
  const where = (node: Node): { line: number; column: number } => {
    const p = originOf(node);
    return { line: p.line, column: p.column + 1 };
  };
  const nameOf = origin ? (id: TSESTree.Identifier): string => {
    const p = lines.position(id.range[0]);
    return origin.name(p.line, p.column) ?? id.name;
  } : undefined;
  const cjs = commonJsEvidence(ast, code, fileName);
  // (in compiled text, TypeScript's CommonJS syntax is read in the original: it says more than `require`)
  const originalCjs = cjs?.node !== undefined || (!cjs && origin?.originalText !== undefined) ? originalCommonJsSyntax(origin?.originalText ?? '') : undefined;
  // (the output's map is not built when the front end needs none)
  const noMap = options.sourceMap === false ? { version: 3, sources: [fileName], names: [], mappings: '' } : undefined;
  if (originalCjs) return untouched(code, fileName, relPath, moduleId, originalCjs, lines, origin, noMap);
  if (cjs) return untouched(code, fileName, relPath, moduleId, cjs.node ? { ...where(cjs.node), what: cjs.what } : { line: 1, column: 1, what: cjs.what }, lines, origin, noMap);
  const model = buildModel(ast, code);
  const diagnostics: Diagnostic[] = [];

  // IDs: semantic path + ordinal among identical paths, or an explicit @teleport name
  const tagged = (ast.comments ?? []).filter((c) => c.type === 'Block' && c.value.includes('@teleport'));
  // (compiled text has lost its comments: tags are then read in the original source)
  const original = origin?.originalText?.includes('@teleport') ? origin.originalText : undefined;
  const originalOffset = (n: Node) => origin!.offset(originOf(n));
  const seen = new Map<string, number>();
  const explicit = new Map<string, number>();
  const info = model.units.map((u) => {
    let p = semanticPath(u, nameOf);
    const n = seen.get(p) ?? 0;
    seen.set(p, n + 1);
    if (n > 0) p += '#' + n;
    const name = original ? explicitNameInOriginal(u, original, originalOffset) : tagged.length ? explicitName(u, tagged, code) : null;
    // (the text the core was given: for either front end, the JavaScript its compiler made of it)
    const text = code.slice(u.node.range[0], u.node.range[1]);
    const loc = where(u.node);
    if (name) {
      const prev = explicit.get(name);
      if (prev !== undefined) {
        diagnostics.push({
          severity: 'error', file: relPath, line: loc.line, column: loc.column,
          message: `duplicate Teleport ID '${name}' (first used at line ${prev})`,
          hint: 'give each function a unique `/** @teleport name */` tag',
        });
      }
      explicit.set(name, loc.line);
    }
    return { id: name ?? base32Hash(relPath + '\n' + p), path: p, hash: hexHash(text), line: loc.line, column: loc.column };
  });

  for (const u of model.units) {
    if (!u.unsendable) continue;
    const loc = info[u.index];
    diagnostics.push({
      severity: 'warning', file: relPath, line: loc.line, column: loc.column,
      message: `function '${info[u.index].path}' cannot be sent to a worker: ${u.unsendable}; it is left as written`,
      hint: 'move the code that needs it out of the function, or do not send this function',
    });
  }

  // entry code for the runtime: 1 entry, 0 not an entry, 2 unknown, 3 not an entry in a file of its own
  const entry = options.entry === undefined ? 2 : options.entry ? 1 : options.ownFile ? 3 : 0;
  const emitter = new Emitter(code, model, info, moduleId, relPath, options.hooksModule ?? 'teleport/hooks', entry);
  const out = emitter.run();
  const map = noMap ?? buildMap(code, fileName, model.units, emitter.copySites, lines, origin, emitter.edits, emitter.copyCuts);
  const manifest: ModuleManifest = {
    module: moduleId,
    file: relPath,
    functions: model.units.map((u) => ({
      id: info[u.index].id,
      path: info[u.index].path,
      kind: u.kind,
      line: info[u.index].line,
      column: info[u.index].column,
      bodyHash: info[u.index].hash,
      captures: [...u.captures].map((v) => v.name).concat(u.thisScopes.size ? ['this'] : []),
      ...(u.unsendable ? { unsendable: u.unsendable } : {}),
    })),
  };
  return { code: out, map, manifest, diagnostics };
}

/** A module left as written (CommonJS), with a warning that says why its functions cannot be sent. */
function untouched(code: string, fileName: string, relPath: string, moduleId: string, cjs: { line: number; column: number; what: string }, lines: LineIndex, origin: Origin | undefined, noMap: TransformResult['map'] | undefined): TransformResult {
  return {
    code,
    untouched: true,
    map: noMap ?? buildMap(code, fileName, [], [], lines, origin),
    manifest: { module: moduleId, file: relPath, functions: [] },
    diagnostics: [{
      severity: 'warning', file: relPath, line: cjs.line, column: cjs.column,
      message: `CommonJS module (${cjs.what}) left as written: Teleport compiles ES modules, so functions defined here cannot be sent to a worker`,
      hint: 'convert the module to ESM (import/export), or do not send its functions (they still run normally)',
    }],
  };
}
