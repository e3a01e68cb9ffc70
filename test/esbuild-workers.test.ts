// The esbuild plugin's worker threads (`workers`) give the same build as the transform in
// esbuild's own thread (`workers: 0`), byte for byte: code, maps, manifest, diagnostics. A
// transform that fails in a worker, or a worker that dies, is an esbuild error at the file;
// one-shot builds exit promptly and contexts rebuild.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { teleport } from '../dist/plugins/esbuild/index.js';
import { TransformPool, defaultWorkers } from '../dist/plugins/esbuild/transform-pool.js';
// @ts-expect-error (a JavaScript module without types)
import { generate } from '../bench/src/gen-codebase.mjs';
import { repo, tmp } from './support/build.js';

const dir = path.join(tmp, 'esbuild-workers');

/** every file under `d`, path → bytes */
function tree(d: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of readdirSync(d, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) out.set(path.relative(d, path.join(f.parentPath, f.name)), readFileSync(path.join(f.parentPath, f.name)));
  }
  return out;
}

/** Builds `entryPoints` with the plugin on `workers` threads into dir/<tag>-w<workers>; returns the outputs and messages. */
async function buildWith(tag: string, entryPoints: string[], workers: number, extra: esbuild.BuildOptions = {}) {
  // (sibling output directories: the maps' relative paths are then the same)
  const outdir = path.join(dir, 'out', `${tag}-w${workers}`);
  rmSync(outdir, { recursive: true, force: true });
  let result: { errors: esbuild.Message[]; warnings: esbuild.Message[] };
  try {
    result = await esbuild.build({
      entryPoints, outdir, bundle: true, format: 'esm', splitting: true, platform: 'node', target: 'node20', sourcemap: true,
      logLevel: 'silent', external: ['teleport', 'teleport/*'], plugins: [teleport({ root: repo, workers })], ...extra,
    });
  } catch (err) {
    result = err as esbuild.BuildFailure;
  }
  return { files: extra.write === false ? new Map<string, Buffer>() : tree(outdir), errors: result.errors, warnings: result.warnings };
}

function writeFiles(sub: string, files: Record<string, string>): string {
  const d = path.join(dir, sub);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(d, name), text);
  return d;
}

describe('esbuild plugin on worker threads', () => {
  it('builds the fixtures byte for byte as in esbuild\'s thread', async () => {
    // TypeScript, a .js file, JSX, decorators (parsed by typescript-estree), CommonJS left as written
    const extra = writeFiles('extra', {
      'tsconfig.json': JSON.stringify({ compilerOptions: { experimentalDecorators: true } }),
      'plain.js': 'export const scale = (k) => (x) => x * k;\n',
      'view.tsx': 'const React = { createElement: (...a: unknown[]) => a };\nexport const View = (p: { n: number }) => <div title="n">{p.n}</div>;\n',
      'dec.ts': 'function dec(_t: object, _k: string) {}\nexport class WithDec { @dec method() { return () => 2; } }\n',
      'legacy.cjs': 'module.exports = { next: (x) => x + 1 };\n',
      'main.ts': "import { scale } from './plain.js';\nimport { View } from './view.js';\nimport { WithDec } from './dec.js';\nimport legacy from './legacy.cjs';\nconsole.log(scale(2)(3), View({ n: 1 }), new WithDec().method()(), legacy.next(1));\n",
    });
    const entries = [
      ...['fixtures/demo.ts', 'fixtures/geometry.ts', 'fixtures/programs/errors.ts', 'fixtures/programs/executor.ts', 'fixtures/programs/map-chunks.ts'].map((f) => path.join(repo, f)),
      ...readdirSync(path.join(repo, 'fixtures/cases')).filter((f) => f.endsWith('.ts')).map((f) => path.join(repo, 'fixtures/cases', f)),
      path.join(extra, 'main.ts'),
    ];
    const inThread = await buildWith('fixtures', entries, 0);
    const pooled = await buildWith('fixtures', entries, 2);
    expect(inThread.errors).toEqual([]);
    expect(inThread.files.has('teleport-manifest.json')).toBe(true);
    expect(inThread.files.size).toBeGreaterThan(10);
    expect(pooled.warnings).toEqual(inThread.warnings);
    expect(inThread.warnings.map((w) => path.basename(w.location!.file))).toContain('legacy.cjs');
    expect([...pooled.files.keys()].sort()).toEqual([...inThread.files.keys()].sort());
    for (const [file, bytes] of inThread.files) expect(pooled.files.get(file)!.equals(bytes), file).toBe(true);
  });

  it('builds a generated codebase byte for byte as in esbuild\'s thread', async () => {
    const src = generate({ dir: path.join(dir, 'gen'), modules: 12 }) as { entry: string; files: string[] };
    const inThread = await buildWith('gen', [src.entry], 0);
    const pooled = await buildWith('gen', [src.entry], 3);
    expect(inThread.errors).toEqual([]);
    expect(JSON.parse(inThread.files.get('teleport-manifest.json')!.toString()).modules).toHaveLength(src.files.length);
    expect([...pooled.files.keys()].sort()).toEqual([...inThread.files.keys()].sort());
    for (const [file, bytes] of inThread.files) expect(pooled.files.get(file)!.equals(bytes), file).toBe(true);
  });

  it('reports the core\'s errors and warnings as esbuild messages at their locations', async () => {
    const d = writeFiles('diagnostics', {
      'a.ts': "/** @teleport same */\nexport const f = () => 1;\n/** @teleport same */\nexport const g = () => 2;\n",
      'b.ts': "import { f, g } from './a.js';\nexport const run = (s: string) => eval(s) + f() + g();\nconsole.log(run('1'));\n",
    });
    const results = [await buildWith('diagnostics', [path.join(d, 'b.ts')], 0, { write: false }), await buildWith('diagnostics', [path.join(d, 'b.ts')], 2, { write: false })];
    for (const r of results) {
      expect(r.errors.map((e) => [e.pluginName, e.text, path.basename(e.location!.file), e.location!.line, e.location!.column])).toEqual([
        ['teleport', "duplicate Teleport ID 'same' (first used at line 2)", 'a.ts', 4, 17],
      ]);
      // (esbuild itself warns about the direct eval too)
      const ours = r.warnings.filter((w) => w.pluginName === 'teleport');
      expect(ours.map((w) => [path.basename(w.location!.file), w.location!.line])).toEqual([['b.ts', 2]]);
      expect(ours[0]!.text).toContain("function 'run' cannot be sent to a worker");
    }
    expect(results[1]!.errors).toEqual(results[0]!.errors);
    expect(results[1]!.warnings).toEqual(results[0]!.warnings);
  });

  it('a file the core cannot parse is an error at the file and its position, not a hang', async () => {
    const d = writeFiles('syntax', {
      'bad.js': 'export const f = (x) =>\n  x +;\n',
      'main.ts': "import { f } from './bad.js';\nconsole.log(f(1));\n",
    });
    const results = [await buildWith('syntax', [path.join(d, 'main.ts')], 0, { write: false }), await buildWith('syntax', [path.join(d, 'main.ts')], 2, { write: false })];
    for (const r of results) {
      expect(r.errors.map((e) => [e.pluginName, path.basename(e.location!.file), e.location!.line, e.location!.column])).toEqual([['teleport', 'bad.js', 2, 5]]);
      expect(r.errors[0]!.text).toMatch(/^Teleport could not transform this file: /);
    }
    expect(results[1]!.errors).toEqual(results[0]!.errors);
  });

  it('a worker that throws or dies fails its task with a message instead of hanging', async () => {
    const d = writeFiles('bad-workers', {
      'throws.mjs': "export default function () { throw new Error('broken worker'); }\n",
      'exits.mjs': 'export default function () { process.exit(3); }\n',
    });
    const task = { code: 'export const f = () => 1;\n', file: path.join(d, 'm.js'), options: { root: d, language: 'js' as const } };
    for (const [file, message] of [['throws.mjs', /broken worker/], ['exits.mjs', /exit/i]] as const) {
      const pool = new TransformPool(1, path.join(d, file));
      const out = await pool.run(task);
      await pool.destroy();
      expect(out.ok).toBe(false);
      expect(!out.ok && out.message).toMatch(message);
    }
  });

  it('a context rebuilds on its threads, and a one-shot build\'s process exits promptly', async () => {
    const d = writeFiles('context', {
      'lib.ts': 'export const add = (a: number) => (b: number) => a + b;\n',
      'main.ts': "import { add } from './lib.js';\nconsole.log(add(1)(2));\n",
    });
    const outdir = path.join(dir, 'out', 'context');
    const ctx = await esbuild.context({
      entryPoints: [path.join(d, 'main.ts')], outdir, bundle: true, format: 'esm', platform: 'node', write: false,
      logLevel: 'silent', external: ['teleport', 'teleport/*'], plugins: [teleport({ root: repo, workers: 2 })],
    });
    const first = await ctx.rebuild();
    writeFileSync(path.join(d, 'lib.ts'), 'export const add = (a: number) => (b: number) => a + b + 0;\n');
    const second = await ctx.rebuild();
    await ctx.dispose();
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
    const text = (r: esbuild.BuildResult) => r.outputFiles!.find((f) => f.path.endsWith('main.js'))!.text;
    expect(text(first)).not.toContain('a + b + 0');
    expect(text(second)).toContain('a + b + 0');

    const script = `import * as esbuild from ${JSON.stringify(path.join(repo, 'node_modules/esbuild/lib/main.js'))};
import { teleport } from ${JSON.stringify(path.join(repo, 'dist/plugins/esbuild/index.js'))};
await esbuild.build({ entryPoints: [${JSON.stringify(path.join(d, 'main.ts'))}], outdir: ${JSON.stringify(path.join(outdir, 'once'))},
  bundle: true, format: 'esm', platform: 'node', logLevel: 'silent', external: ['teleport', 'teleport/*'], plugins: [teleport({ root: ${JSON.stringify(repo)}, workers: 2 })] });
console.log('built');
`;
    writeFileSync(path.join(d, 'once.mjs'), script);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [path.join(d, 'once.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('built\n');
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('defaults to one thread per core but one, at most 4, none on two cores or fewer', () => {
    expect([1, 2, 3, 4, 8, 64].map((n) => defaultWorkers(n))).toEqual([0, 0, 2, 3, 4, 4]);
  });

  it('rejects a workers count that is not a whole number >= 0', async () => {
    await expect(esbuild.build({ entryPoints: [path.join(repo, 'fixtures/geometry.ts')], write: false, logLevel: 'silent', plugins: [teleport({ workers: -1 })] }))
      .rejects.toThrow(/`workers` must be a whole number >= 0/);
  });
});
