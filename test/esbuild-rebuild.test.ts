// Rebuilds of an esbuild context reuse the transform of every module whose input did not change
// (plugins/esbuild/transform-cache.ts). The oracle is a fresh one-shot build: after each edit (a
// module's text, the tsconfig that changes how esbuild compiles it, a module no longer imported)
// the context's output is the fresh build's, byte for byte.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { teleport } from '../dist/plugins/esbuild/index.js';
import { TransformCache } from '../dist/plugins/esbuild/transform-cache.js';
import type { TransformOutcome, TransformTask } from '../dist/plugins/esbuild/transform-worker.js';
import { tmp } from './support/build.js';

const dir = path.join(tmp, 'esbuild-rebuild');
const src = path.join(dir, 'src');

function write(files: Record<string, string>): void {
  mkdirSync(src, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(src, name), text);
}

/** every file under `d`, path → text */
function tree(d: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(d, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) out.set(path.relative(d, path.join(f.parentPath, f.name)), readFileSync(path.join(f.parentPath, f.name), 'utf8'));
  }
  return out;
}

const options = (outdir: string): esbuild.BuildOptions => ({
  entryPoints: [path.join(src, 'main.ts')], outdir, absWorkingDir: dir, bundle: true, format: 'esm', platform: 'node', target: 'node20',
  sourcemap: true, logLevel: 'silent', external: ['teleport', 'teleport/*'], plugins: [teleport({ root: dir })],
});

/** The output of a fresh one-shot build of the sources as they are now (a sibling directory: same relative map paths). */
async function fresh(): Promise<Map<string, string>> {
  const outdir = path.join(dir, 'fresh');
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build(options(outdir));
  return tree(outdir);
}

describe('esbuild context rebuilds', () => {
  let ctx: esbuild.BuildContext | undefined;
  afterAll(async () => ctx?.dispose());

  it('give a fresh build\'s output after each edit', async () => {
    rmSync(dir, { recursive: true, force: true });
    write({
      'tsconfig.json': JSON.stringify({ compilerOptions: { useDefineForClassFields: true } }),
      'main.ts': "import { Point } from './point.js';\nimport { scale } from './scale.js';\nconst k = 3;\nexport const f = (x: number) => scale(x) * k + new Point(x).x;\nconsole.log(f(2));\n",
      'point.ts': 'export class Point { y = 0; constructor(public x: number) {} norm = () => Math.hypot(this.x, this.y); }\n',
      'scale.ts': 'export const scale = (x: number) => x * 2;\n',
    });
    const outdir = path.join(dir, 'ctx');
    rmSync(outdir, { recursive: true, force: true });
    ctx = await esbuild.context(options(outdir));

    const first = (await ctx.rebuild(), tree(outdir));
    expect(first).toEqual(await fresh());
    expect(first.get('teleport-manifest.json')).toContain('point.ts');

    // nothing changed: the same bytes
    await ctx.rebuild();
    expect(tree(outdir)).toEqual(first);

    // a module's text: its new function is in the output and the manifest
    write({ 'scale.ts': 'export const scale = (x: number) => x * 2;\nexport const twice = (x: number) => scale(scale(x));\n' });
    await ctx.rebuild();
    const edited = tree(outdir);
    expect(edited).toEqual(await fresh());
    expect(edited.get('teleport-manifest.json')).toContain('"twice"');

    // the tsconfig: esbuild compiles the class fields differently, so the transform runs again
    write({ 'tsconfig.json': JSON.stringify({ compilerOptions: { useDefineForClassFields: false } }) });
    await ctx.rebuild();
    const retargeted = tree(outdir);
    expect(retargeted.get('main.js')).not.toEqual(edited.get('main.js'));
    expect(retargeted).toEqual(await fresh());

    // a module no longer imported leaves the manifest
    write({ 'main.ts': "import { scale } from './scale.js';\nexport const f = (x: number) => scale(x);\nconsole.log(f(2));\n" });
    await ctx.rebuild();
    const dropped = tree(outdir);
    expect(dropped).toEqual(await fresh());
    expect(dropped.get('teleport-manifest.json')).not.toContain('point.ts');
  });
});

describe('TransformCache', () => {
  const task = (code: string, over: Partial<TransformTask> = {}): TransformTask => ({ code, file: '/p/a.ts', options: { root: '/p', entry: false, language: 'js', jsx: false }, inputMap: '{"m":1}', ...over });
  const ok = (contents: string): TransformOutcome => ({ ok: true, contents, untouched: false, manifest: { module: 'm', file: 'a.ts', functions: [] }, diagnostics: [] });

  it('hits only on the same text, input map and options', () => {
    const cache = new TransformCache();
    const out = ok('x');
    expect(cache.set(task('a'), out)).toBe(out);
    expect(cache.get(task('a'))).toBe(out);
    expect(cache.get(task('b'))).toBeUndefined();
    expect(cache.get(task('a', { inputMap: '{"m":2}' }))).toBeUndefined();
    expect(cache.get(task('a', { inputMap: undefined }))).toBeUndefined();
    expect(cache.get(task('a', { options: { root: '/p', entry: true, language: 'js', jsx: false } }))).toBeUndefined();
    expect(cache.get(task('a', { file: '/p/b.ts' }))).toBeUndefined();
  });

  it('does not keep failures, and forgets modules the last build did not load', () => {
    const cache = new TransformCache();
    cache.set(task('a'), ok('x'));
    cache.set(task('a'), { ok: false, message: 'boom' });
    expect(cache.get(task('a'))).toBeUndefined();
    cache.set(task('a'), ok('x'));
    cache.set(task('a', { file: '/p/b.ts' }), ok('y'));
    cache.keepOnly(new Set(['/p/b.ts']));
    expect(cache.size).toBe(1);
    expect(cache.get(task('a', { file: '/p/b.ts' }))).toBeDefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
