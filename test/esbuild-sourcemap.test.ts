// The esbuild plugin in a build without source maps (`sourcemap` unset or false): the core builds
// no output map and the modules esbuild loads carry none, while the code, the manifest (IDs, lines,
// columns: still the TypeScript's) and the warnings are those of the same build with maps, and the
// program still sends its functions to workers.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { teleport } from '../dist/plugins/esbuild/index.js';
import { transformModule } from '../dist/transformer/core/index.js';
import { repo, run, tmp } from './support/build.js';

const dir = path.join(tmp, 'esbuild-sourcemap');

/** every file under `d`, path → text */
function tree(d: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(d, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) out.set(path.relative(d, path.join(f.parentPath, f.name)), readFileSync(path.join(f.parentPath, f.name), 'utf8'));
  }
  return out;
}

async function buildWith(tag: string, entryPoints: string[], sourcemap: boolean | undefined) {
  const outdir = path.join(dir, 'out', tag);
  rmSync(outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints, outdir, bundle: true, format: 'esm', splitting: true, platform: 'node', target: 'node20', metafile: true,
    logLevel: 'silent', external: ['teleport', 'teleport/*'], plugins: [teleport({ root: repo, workers: 0 })], ...(sourcemap === undefined ? {} : { sourcemap }),
  });
  return { outdir, files: tree(outdir), warnings: result.warnings, inputs: result.metafile.inputs };
}

const URL_COMMENT = /\n\/\/# sourceMappingURL=\S*\n?$/;

describe('esbuild plugin, a build without source maps', () => {
  it('loads modules without maps; same code, manifest and warnings as with maps; the program runs', async () => {
    const extra = path.join(dir, 'extra');
    rmSync(extra, { recursive: true, force: true });
    mkdirSync(extra, { recursive: true });
    // a tag read in the TypeScript, a .js file, CommonJS left as written (warning), eval (warning)
    writeFileSync(path.join(extra, 'plain.js'), 'export const scale = (k) => (x) => x * k;\n');
    writeFileSync(path.join(extra, 'legacy.cjs'), 'module.exports = { next: (x) => x + 1 };\n');
    writeFileSync(path.join(extra, 'main.ts'), [
      "import { scale } from './plain.js';",
      "import legacy from './legacy.cjs';",
      'interface P { n: number }',
      '',
      'export const tagged = /** @teleport named-one */ (p: P): number => p.n;',
      "export const evals = (a: number): number => eval('a');",
      'console.log(scale(2)(3), legacy.next(1), tagged({ n: 1 }), evals(2));',
      '',
    ].join('\n'));
    const entries = [path.join(repo, 'fixtures/programs/roundtrip.ts'), path.join(repo, 'fixtures/cases/semantics.ts'), path.join(extra, 'main.ts')];
    const maps = await buildWith('maps', entries, true);
    const none = await buildWith('none', entries, false);
    const unset = await buildWith('unset', entries, undefined);

    // (chunk names hash what esbuild loaded, maps included)
    const js = (files: Map<string, string>) => [...files].filter(([f]) => f.endsWith('.js')).map(([f, text]) => [f, text].map((t) => t.replace(/chunk-[A-Z0-9]{8}/g, 'chunk')));
    expect(js(maps.files).every(([, text]) => URL_COMMENT.test(text))).toBe(true);
    for (const b of [none, unset]) {
      expect([...b.files.keys()].filter((f) => f.endsWith('.map'))).toEqual([]);
      expect(js(b.files).filter(([, text]) => text.includes('sourceMappingURL'))).toEqual([]);
      // the same code, manifest and warnings (their positions are the TypeScript's)
      expect(js(b.files)).toEqual(js(maps.files).map(([f, text]) => [f, text.replace(URL_COMMENT, '\n')]));
      expect(b.files.get('teleport-manifest.json')).toBe(maps.files.get('teleport-manifest.json'));
      expect(b.warnings).toEqual(maps.warnings);
    }
    const manifest = JSON.parse(maps.files.get('teleport-manifest.json')!) as { modules: { file: string; functions: { id: string; line: number; column: number }[] }[] };
    const main = manifest.modules.find((m) => m.file.endsWith('extra/main.ts'))!;
    expect(main.functions.map((f) => [f.id, f.line, f.column])).toEqual([['named-one', 5, 50], [expect.any(String), 6, 22]]);
    expect(maps.warnings.map((w) => [path.basename(w.location!.file), w.location!.line])).toEqual(expect.arrayContaining([['legacy.cjs', 1], ['main.ts', 6]]));

    // what esbuild loaded for each transformed module is smaller: it carries no map
    const transformed = manifest.modules.map((m) => m.file).filter((f) => !f.endsWith('.cjs'));
    expect(transformed.length).toBeGreaterThan(3);
    for (const f of transformed) {
      const key = path.relative(process.cwd(), path.join(repo, f));
      expect(none.inputs[key]!.bytes, f).toBeLessThan(maps.inputs[key]!.bytes);
    }

    const r = run(path.join(none.outdir, [...none.files.keys()].find((f) => f.endsWith('roundtrip.js'))!));
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ hook: ['db://x#reopened', true, 3], back: 16, again: 115 });
  });

  it('the core with sourceMap: false builds no map, and gives the same code, manifest and diagnostics', async () => {
    const ts = 'interface P { n: number }\nexport const f = /** @teleport tag-f */ (p: P) => (x: number) => p.n + x;\nexport const g = () => eval("1");\n';
    const js = await esbuild.transform(ts, { loader: 'ts', target: 'esnext', sourcemap: 'external', sourcefile: path.join(dir, 'a.ts') });
    const inputMap = { ...JSON.parse(js.map), sources: [path.join(dir, 'a.ts')] };
    const options = { root: repo, language: 'js' as const, inputMap };
    const withMap = transformModule(js.code, path.join(dir, 'a.ts'), options);
    const without = transformModule(js.code, path.join(dir, 'a.ts'), { ...options, sourceMap: false });
    expect(withMap.map.mappings).not.toBe('');
    expect(without.map.mappings).toBe('');
    expect(without.code).toBe(withMap.code);
    expect(without.manifest).toEqual(withMap.manifest);
    expect(without.diagnostics).toEqual(withMap.diagnostics);
    expect(without.manifest.functions.map((f) => [f.id, f.line])).toEqual([['tag-f', 2], [expect.any(String), 2], [expect.any(String), 3]]);
  });
});
