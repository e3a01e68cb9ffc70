// Which files the transform instruments, and the merge of module manifests into the build
// manifest: what a front end needs besides `transformModule`, without loading the parser (the
// esbuild plugin's main thread, when worker threads run the transform).
import { hexHash } from './hash.js';
import type { BuildManifest, Diagnostic, ModuleManifest } from './types.js';

const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;

/**
 * Files the transform instruments: TS/JS sources, never declaration files, and outside
 * node_modules unless `nodeModules` is set (compiling installed packages).
 */
export function shouldTransform(fileName: string, options: { nodeModules?: boolean } = {}): boolean {
  const f = fileName.replace(/\\/g, '/');
  return SOURCE.test(f) && !/\.d\.[cm]?ts$/.test(f) && (!!options.nodeModules || !f.includes('/node_modules/'));
}

/** Merge module manifests into a build manifest; duplicate IDs across modules are errors. */
export function buildManifest(modules: ModuleManifest[]): { manifest: BuildManifest; diagnostics: Diagnostic[] } {
  const sorted = [...modules].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const diagnostics: Diagnostic[] = [];
  const where = new Map<string, string>();
  for (const m of sorted) {
    for (const f of m.functions) {
      const prev = where.get(f.id);
      if (prev) {
        diagnostics.push({
          severity: 'error', file: m.file, line: f.line, column: f.column,
          message: `duplicate Teleport ID '${f.id}' (also at ${prev})`,
          hint: 'give each function a unique `/** @teleport name */` tag',
        });
      } else where.set(f.id, `${m.file}:${f.line}:${f.column}`);
    }
  }
  const buildId = hexHash(sorted.map((m) => m.module + ':' + m.functions.map((f) => f.id + '=' + f.bodyHash).join(',')).join(';'));
  return { manifest: { buildId, modules: sorted }, diagnostics };
}
