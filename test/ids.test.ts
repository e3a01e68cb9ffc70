// Stable IDs: the same semantic path gives the same ID wherever the code moves in the file; an
// explicit `/** @teleport name */` tag overrides it; duplicate IDs are build errors with a location.
import { describe, expect, it } from 'vitest';
import { buildManifest, transformModule } from '../dist/transformer/core/index.js';

const ids = (code: string, file = '/p/src/a.ts') =>
  Object.fromEntries(transformModule(code, file, { root: '/p' }).manifest.functions.map((f) => [f.path, f.id]));

describe('IDs', () => {
  it('do not depend on byte offsets: adding code above keeps every ID', () => {
    const src = 'export function outer(k: number) { return (x: number) => x + k; }\nconst f = () => 1;\n';
    const before = ids(src);
    const after = ids('// a comment\nconst unrelated = 42;\n\n' + src);
    expect(after['outer']).toBe(before['outer']);
    expect(after['outer/return']).toBe(before['outer/return']);
    expect(after['f']).toBe(before['f']);
  });

  it('depend on the project-relative path', () => {
    expect(ids('const f = () => 1;', '/p/src/a.ts')['f']).not.toBe(ids('const f = () => 1;', '/p/src/b.ts')['f']);
  });

  it('same-named siblings get an ordinal', () => {
    const got = ids('[1].map((x) => x);\n[2].map((x) => x);\n');
    expect(Object.keys(got)).toEqual(['[1].map(0)', '[2].map(0)']);
    const same = ids('run((x) => x);\nrun((x) => x);\n');
    expect(Object.keys(same)).toEqual(['run(0)', 'run(0)#1']);
  });

  it('an explicit @teleport tag names the ID', () => {
    const r = transformModule('/** @teleport pricing.total */\nexport const total = (xs: number[]) => xs.length;\n', '/p/a.ts', { root: '/p' });
    expect(r.manifest.functions[0].id).toBe('pricing.total');
  });

  it('duplicate explicit IDs in a file are errors with file:line and a hint', () => {
    const r = transformModule('/** @teleport same */\nconst a = () => 1;\n/** @teleport same */\nconst b = () => 2;\n', '/p/a.ts', { root: '/p' });
    const err = r.diagnostics.find((d) => d.severity === 'error')!;
    expect(err).toMatchObject({ file: 'a.ts', line: 4, message: expect.stringContaining("duplicate Teleport ID 'same'") });
    expect(err.hint).toBeTruthy();
  });

  it('duplicate IDs across modules are build errors', () => {
    const a = transformModule('/** @teleport shared */\nexport const a = () => 1;\n', '/p/a.ts', { root: '/p' }).manifest;
    const b = transformModule('/** @teleport shared */\nexport const b = () => 2;\n', '/p/b.ts', { root: '/p' }).manifest;
    const { diagnostics, manifest } = buildManifest([a, b]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].message).toContain("duplicate Teleport ID 'shared' (also at a.ts:2:");
    expect(manifest.buildId).toMatch(/^[0-9a-f]{16}$/);
  });
});

// The esbuild front end gives the core esbuild's JavaScript and its map back to the TypeScript.
describe('IDs of compiled text (language js + inputMap)', () => {
  const SOURCE = [
    'import type { T } from "./t.js";',
    '/** @teleport pricing.total */',
    'export const total = (xs: number[]): number => xs.length;',
    'export default abstract class Shape { abstract area(): number; }',
    'var Legacy = function Legacy(this: { x: number }) { this.x = 1; };',
    "register((x as any)['key'], <U,>(u: U) => u);",
    '',
  ].join('\n');
  const viaJs = async () => {
    const esbuild = await import('esbuild');
    const js = await esbuild.transform(SOURCE, { loader: 'ts', target: 'esnext', sourcemap: 'external', sourcefile: '/p/a.ts' });
    const map = JSON.parse(js.map);
    expect(js.code).not.toContain('@teleport'); // esbuild drops the comment
    return transformModule(js.code, '/p/a.ts', { root: '/p', language: 'js', inputMap: map });
  };

  it('match the TypeScript front end: IDs, paths, original names, tags, lines and columns', async () => {
    const fromTs = transformModule(SOURCE, '/p/a.ts', { root: '/p' }).manifest.functions;
    const fromJs = (await viaJs()).manifest.functions;
    const strip = ({ bodyHash, ...f }: { bodyHash: string }) => f;
    expect(fromJs.map(strip)).toEqual(fromTs.map(strip));
    expect(fromJs.map((f) => f.path)).toEqual(['total', 'Shape', 'Legacy', 'register(1)']);
    expect(fromJs[0].id).toBe('pricing.total');
    expect(fromJs.map((f) => [f.line, f.column])).toEqual([[3, 22], [4, 16], [5, 14], [6, 29]]);
  });

  it('map the output back to the TypeScript source', async () => {
    const r = await viaJs();
    expect(r.map.sources).toEqual(['/p/a.ts']);
    expect(r.map.sourcesContent).toEqual([SOURCE]);
  });
});
