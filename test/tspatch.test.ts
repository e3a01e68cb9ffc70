// The ts-patch front end, end to end: writes small projects under test/.tmp/, compiles them with `tspc` (ts-patch's
// live compiler) using the BUILT adapter (dist/transformer/tspatch.js; run `npm run build` first), checks the outputs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { beforeAll, describe, expect, test } from 'vitest';
import { runNode, type Run } from './support/run-node.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const adapter = path.join(repo, 'dist/transformer/tspatch.js');
const tspc = path.join(repo, 'node_modules/ts-patch/bin/tspc.js');
const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
const tmp = path.join(repo, 'test/.tmp');

/** Runs `node <bin> ...args --pretty false`. */
const run = (bin: string, args: string[], cwd = repo): Promise<Run> => runNode(bin, args, cwd);

const TIMEOUT = 120_000; // each test runs tspc (1-3 s on an idle machine)

/** A fresh project dir with a package.json (ESM), the given files and a tsconfig. */
function project(name: string, files: Record<string, string>, compilerOptions: Record<string, unknown> = {}, plugin: Record<string, unknown> = {}): string {
  const dir = path.join(tmp, `tspatch-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  const tsconfig = {
    compilerOptions: {
      module: 'NodeNext', target: 'ES2022', strict: true, skipLibCheck: true, types: [],
      rootDir: 'src', outDir: 'out', sourceMap: true, declaration: true,
      ...compilerOptions,
      plugins: [{ transform: adapter, transformProgram: true, ...plugin }],
    },
    include: ['src'],
  };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

const outFiles = (dir: string) => (existsSync(path.join(dir, 'out')) ? readdirSync(path.join(dir, 'out')).sort() : []);
const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');
const errorLines = (r: Run) => r.stdout.split('\n').filter((l) => / error TS\d+/.test(l));

beforeAll(() => {
  if (!existsSync(adapter)) throw new Error(`${adapter} is missing: run \`npm run build\` first`);
  mkdirSync(tmp, { recursive: true });
});

const SOURCES = {
  'src/math.ts': [
    'export const add = (a: number, b: number): number => a + b;',
    'export function makeAdder(n: number) {',
    '  return (x: number) => add(x, n);',
    '}',
    '',
  ].join('\n'),
  'src/main.ts': [
    "import { makeAdder } from './math.js';",
    'const base = 10;',
    'export const addBase = makeAdder(base);',
    'export class Counter { count = 0; inc = () => { this.count += base; }; }',
    '',
  ].join('\n'),
};

describe('tspc with the teleport program transformer (real core)', { timeout: TIMEOUT }, () => {
  test('compiles a clean project: JS, maps, declarations and the manifest', async () => {
    const dir = project('clean', SOURCES, {}, { root: '.' });
    // run from elsewhere: `root` is resolved against the tsconfig's directory, not the cwd
    const r = await run(tspc, ['-p', dir], tmp);
    expect(r.stdout + r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(outFiles(dir)).toEqual([
      'main.d.ts', 'main.js', 'main.js.map', 'math.d.ts', 'math.js', 'math.js.map', 'teleport-manifest.json',
    ]);

    // the JS is the instrumented code, the declarations are exactly plain tsc's
    expect(read(dir, 'out/math.js')).toContain('teleport/hooks');
    const plain = await run(tsc, ['-p', dir, '--outDir', path.join(dir, 'plain')], tmp);
    expect(plain.status).toBe(0);
    for (const f of ['main.d.ts', 'math.d.ts']) expect(read(dir, `out/${f}`)).toBe(read(dir, `plain/${f}`));
    expect(JSON.parse(read(dir, 'out/main.js.map')).sources).toEqual(['../src/main.ts']);

    const manifest = JSON.parse(read(dir, 'out/teleport-manifest.json'));
    expect(typeof manifest.buildId).toBe('string');
    expect(manifest.modules.map((m: { file: string }) => m.file)).toEqual(['src/main.ts', 'src/math.ts']);
    const math = manifest.modules.find((m: { file: string }) => m.file === 'src/math.ts');
    expect(math.functions.length).toBeGreaterThan(0);
  });

  test('entries: other modules carry only the live tree, the program runs, a mislabelled entry fails at once', async () => {
    const dir = project('entries', {
      'src/lib.ts': [
        'let hits = 0;',
        'export function bump(n: number) { hits += n; return hits; }',
        'export const mul = (k: number) => (x: number) => x * k;',
        '',
      ].join('\n'),
      'src/main.ts': [
        "import { Pool } from 'teleport';",
        "import { bump, mul } from './lib.js';",
        'const pool = new Pool({ size: 1 });',
        'const k = 1;',
        'console.log(JSON.stringify({ a: await pool.run(bump, 2), b: await pool.run(mul(3), 5), c: await pool.run((x: number) => x + k, 1), local: bump(0) }));',
        'await pool.close();',
        '',
      ].join('\n'),
    }, {}, { root: '.', entries: ['src/main.ts'] });
    // the outputs import the teleport package: make it resolvable from the project
    mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    symlinkSync(repo, path.join(dir, 'node_modules/teleport'), 'dir');
    const r = await run(tspc, ['-p', dir], tmp);
    expect(r.stdout + r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const lib = read(dir, 'out/lib.js');
    const main = read(dir, 'out/main.js');
    expect(lib).toContain('$tp$l0');
    expect(lib).not.toContain('$tp$m0');
    expect(main).toContain('$tp$m0');
    expect(main).not.toContain('$tp$l0');
    const ok = spawnSync(process.execPath, [path.join(dir, 'out/main.js')], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    // bump ran in the worker against the worker's module state; the main thread's is untouched
    expect(JSON.parse(ok.stdout)).toEqual({ a: 2, b: 15, c: 2, local: 0 });
    const wrong = spawnSync(process.execPath, [path.join(dir, 'out/lib.js')], { encoding: 'utf8' });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain("src/lib.ts runs as the program's entry script, but it was built as a module that is not one");
  });

  // types on the line move the JS columns: positions must still be the TS source's
  const TYPED = {
    'src/m.ts': [
      "const table: Record<string, number> = { a: 1 }; export const f = (x: number): number => eval('x') + table['a']!;",
      'export function g<T extends object>(v: T): T { return v; }',
      '',
    ].join('\n'),
  };
  const fText = "(x: number): number => eval('x') + table['a']!";

  test('without source maps: manifest, unit table and warnings carry TS positions; no map is written', async () => {
    const dir = project('no-maps', TYPED, { sourceMap: false, declaration: false }, { root: '.' });
    const r = await run(tspc, ['-p', dir], tmp);
    expect(r.status).toBe(0);
    expect(outFiles(dir)).toEqual(['m.js', 'teleport-manifest.json']);
    const js = read(dir, 'out/m.js');
    expect(js).not.toContain('sourceMappingURL');
    const fCol = TYPED['src/m.ts'].indexOf(fText) + 1;
    // the warning about `f` (direct eval) points at the arrow in the TS source
    expect(r.stderr).toContain(`src/m.ts(1,${fCol}): warning TS9901: teleport: function 'f' cannot be sent`);
    const [m] = JSON.parse(read(dir, 'out/teleport-manifest.json')).modules;
    expect(m.functions.map((f: Record<string, unknown>) => [f.path, f.line, f.column])).toEqual([['f', 1, fCol], ['g', 2, 8]]);
    const [fHash, gHash] = m.functions.map((f: Record<string, unknown>) => f.bodyHash);
    expect(fHash).toMatch(/^[0-9a-f]{16}$/);
    expect(gHash).toMatch(/^[0-9a-f]{16}$/);
    expect(gHash).not.toBe(fHash);
    // the table the runtime reads (names functions in its errors, compares hashes across threads) says the same
    expect(js).toContain(`"path":"g","kind":"declaration","line":2,"col":8,`);
    expect(js).toContain(`"hash":"${gHash}"`);
    expect(js).toContain(`"hash":"${fHash}"`);

    // body hashes are of the compiled function: g's changes with its body; f's stays through code added around
    // it (a line above, a new value of what it captures) and a change to its types only (the same JS)
    writeFileSync(path.join(dir, 'src/m.ts'), 'export const before = 1;\n' + TYPED['src/m.ts']
      .replace('{ a: 1 }', '{ a: 2 }')
      .replace('(x: number): number =>', '(x: 1 | number): number =>')
      .replace('{ return v; }', '{ return Object.freeze(v); }'));
    const again = await run(tspc, ['-p', dir], tmp);
    expect(again.status).toBe(0);
    const [m2] = JSON.parse(read(dir, 'out/teleport-manifest.json')).modules;
    const byPath = new Map(m2.functions.map((f: Record<string, unknown>) => [f.path, f]));
    expect(byPath.get('f')).toMatchObject({ line: 2, bodyHash: fHash });
    expect(byPath.get('g')).toMatchObject({ line: 3, column: 8 });
    expect((byPath.get('g') as Record<string, unknown>).bodyHash).not.toBe(gHash);
  });

  test('inlineSourceMap: the inline map takes the instrumented JS back to the TS source', async () => {
    const dir = project('inline-map', TYPED, { sourceMap: false, inlineSourceMap: true, declaration: false }, { root: '.' });
    const r = await run(tspc, ['-p', dir], tmp);
    expect(r.status).toBe(0);
    expect(outFiles(dir)).toEqual(['m.js', 'teleport-manifest.json']);
    const js = read(dir, 'out/m.js');
    const comment = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(js);
    expect(comment).not.toBeNull();
    const map = new TraceMap(JSON.parse(Buffer.from(comment![1]!, 'base64').toString('utf8')));
    const lines = js.split('\n');
    const line = lines.findIndex((l) => l.includes('export function g'));
    const at = originalPositionFor(map, { line: line + 1, column: lines[line]!.indexOf('return v') });
    expect([at.source, at.line, at.column]).toEqual(['../src/m.ts', 2, TYPED['src/m.ts'].split('\n')[1]!.indexOf('return v')]);
  });

  test('removeComments: @teleport tags are read in the TS source', async () => {
    const dir = project('remove-comments', { 'src/m.ts': 'export const f = /** @teleport my-fn */ (x: number) => x + 1;\n' }, { removeComments: true, declaration: false }, { root: '.' });
    const r = await run(tspc, ['-p', dir], tmp);
    expect(r.status).toBe(0);
    expect(read(dir, 'out/m.js')).not.toContain('@teleport');
    const [m] = JSON.parse(read(dir, 'out/teleport-manifest.json')).modules;
    expect(m.functions).toEqual([expect.objectContaining({ id: 'my-fn', path: 'f', line: 1, column: 41 })]);
  });

  test('CommonJS output (module CommonJS) is left as tsc wrote it, with a warning on the module', async () => {
    const dir = project('commonjs', { 'src/m.ts': 'export const add = (a: number, b: number): number => a + b;\n' }, { module: 'CommonJS', moduleResolution: 'node10', declaration: false }, { root: '.' });
    const r = await run(tspc, ['-p', dir], tmp);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('src/m.ts(1,1): warning TS9901: teleport: CommonJS module: tsc emits this ES module as CommonJS');
    const js = read(dir, 'out/m.js');
    expect(js).toContain('exports.add');
    expect(js).not.toContain('teleport/hooks');
    expect(JSON.parse(read(dir, 'out/teleport-manifest.json')).modules).toEqual([expect.objectContaining({ file: 'src/m.ts', functions: [] })]);
  });

  test('type errors are the original code\'s, at the original line; generated code is never type-checked', async () => {
    const dir = project('type-error', {
      ...SOURCES,
      'src/bad.ts': [
        "import { makeAdder } from './math.js';",
        'const f = makeAdder(1);',
        "export const s: string = f(2) + [1, 2].map((x) => x * 2).length;",
        '',
      ].join('\n'),
    });
    const r = await run(tspc, ['-p', dir], dir);
    expect(r.status).not.toBe(0);
    expect(errorLines(r)).toEqual([
      "src/bad.ts(3,14): error TS2322: Type 'number' is not assignable to type 'string'.",
    ]);
    expect(outFiles(dir)).toContain('bad.js'); // like tsc: type errors do not block emit...
  });

  test('noEmitOnError: nothing is written when the original program has errors', async () => {
    const dir = project('no-emit-on-error', { ...SOURCES, 'src/bad.ts': 'export const n: number = "x";\n' }, { noEmitOnError: true });
    const r = await run(tspc, ['-p', dir], dir);
    expect(r.status).toBe(1); // DiagnosticsPresent_OutputsSkipped
    expect(errorLines(r)).toEqual(["src/bad.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'."]);
    expect(outFiles(dir)).toEqual([]);
  });
});

/** A plugin module that runs the same adapter over a scripted core, to exercise every path deterministically. */
const MOCK_PLUGIN = `
import * as path from 'node:path';
import { createProgramTransformer } from ${JSON.stringify(adapter)};
const at = (code, word) => {
  const i = code.indexOf(word);
  if (i < 0) return undefined;
  const lines = code.slice(0, i).split('\\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
};
export default createProgramTransformer({
  shouldTransform: (f) => /\\.(ts|tsx|mts|js|mjs)$/.test(f) && !/\\.d\\.[cm]?ts$/.test(f) && !/[\\\\/]node_modules[\\\\/]/.test(f),
  transformModule(code, fileName, options) {
    const file = path.relative(options.root, fileName).split(path.sep).join('/');
    if (code.includes('@throw')) throw new Error('boom');
    const diagnostics = [];
    // positions are the original source's: the TS text that comes with tsc's map (inputMap)
    const original = options.inputMap?.sourcesContent?.[0] ?? code;
    const w = at(original, '@warn');
    if (w) diagnostics.push({ severity: 'warning', message: 'a warning', hint: 'do this instead', file, ...w });
    const e = at(original, '@err');
    if (e) diagnostics.push({ severity: 'error', message: 'an error', file, ...e });
    // an insertion on line 1 (no newline) and generated code appended at the end, with a type error in it
    const out = code.replace('/*@mark*/', 'globalThis.__marked = 1;') +
      '\\nexport const __generated: number = "generated code is never type-checked";\\n';
    const id = code.includes('@dup') ? 'DUP' : file;
    return {
      code: out,
      map: { version: 3, sources: [], names: [], mappings: '' },
      manifest: { module: file, file, functions: [{ id, path: 'f', kind: 'arrow', line: 1, column: 1, bodyHash: '0', captures: [] }] },
      diagnostics,
    };
  },
  buildManifest(modules) {
    const seen = new Set();
    const diagnostics = [];
    for (const m of modules) for (const f of m.functions) {
      if (seen.has(f.id)) diagnostics.push({ severity: 'error', message: 'duplicate ID ' + f.id, file: m.file, line: f.line, column: f.column });
      seen.add(f.id);
    }
    return { manifest: { buildId: 'mock', modules }, diagnostics };
  },
});
`;

function mockProject(name: string, files: Record<string, string>, compilerOptions: Record<string, unknown> = {}, plugin: Record<string, unknown> = {}): string {
  const dir = project(name, files, compilerOptions);
  writeFileSync(path.join(dir, 'mock-plugin.mjs'), MOCK_PLUGIN);
  const tsconfig = JSON.parse(read(dir, 'tsconfig.json'));
  tsconfig.compilerOptions.plugins = [{ transform: './mock-plugin.mjs', transformProgram: true, ...plugin }];
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  return dir;
}

describe('tspc with the adapter over a scripted core', { timeout: TIMEOUT }, () => {
  test('JS comes from the transformed text, declarations and diagnostics from the original', async () => {
    const dir = mockProject('mock-split', {
      'src/a.ts': '/*@mark*/ export const a = 1;\n\nexport const b: string = a;\n',
    });
    const r = await run(tspc, ['-p', dir], dir);
    // the error is on the user's line 3 (column unchanged: the insertion was on line 1); nothing from __generated
    expect(errorLines(r)).toEqual(["src/a.ts(3,14): error TS2322: Type 'number' is not assignable to type 'string'."]);
    expect(r.status).toBe(2);
    const js = read(dir, 'out/a.js');
    expect(js).toContain('globalThis.__marked = 1;');
    expect(js).toContain('__generated');
    expect(read(dir, 'out/a.d.ts')).not.toContain('__generated');
    expect(JSON.parse(read(dir, 'out/teleport-manifest.json'))).toMatchObject({ buildId: 'mock', modules: [{ file: 'src/a.ts' }] });
  });

  test('core errors are reported at their line and column, with the hint; warnings go to stderr', async () => {
    const dir = mockProject('mock-diagnostics', {
      'src/a.ts': 'export const a = 1;\nexport const b = 2; // @err\n',
      'src/w.ts': 'export const w = 1;\n  // @warn\n',
    });
    const r = await run(tspc, ['-p', dir], dir);
    expect(errorLines(r)).toEqual(['src/a.ts(2,24): error TS9901: teleport: an error']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('src/w.ts(2,6): warning TS9901: teleport: a warning\n  hint: do this instead');
    expect(r.stdout).not.toContain('warning');
  });

  test('warnings alone do not fail the build (tsc would exit 2 on any diagnostic)', async () => {
    const dir = mockProject('mock-warning', { 'src/w.ts': 'export const w = 1; // @warn\n' });
    const r = await run(tspc, ['-p', dir], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('src/w.ts(1,24): warning TS9901: teleport: a warning');
    expect(outFiles(dir)).toContain('w.js');
  });

  test('warnings: "diagnostics" reports them as Warning-category diagnostics', async () => {
    const dir = mockProject('mock-warning-diag', { 'src/w.ts': 'export const w = 1; // @warn\n' }, {}, { warnings: 'diagnostics' });
    const r = await run(tspc, ['-p', dir], dir);
    expect(r.stdout).toContain('src/w.ts(1,24): warning TS9901: teleport: a warning');
    expect(r.status).toBe(2);
  });

  test('duplicate IDs across modules (buildManifest) fail the build', async () => {
    const dir = mockProject('mock-duplicates', {
      'src/a.ts': 'export const a = 1; // @dup\n',
      'src/b.ts': 'export const b = 1; // @dup\n',
    });
    const r = await run(tspc, ['-p', dir], dir);
    expect(errorLines(r)).toEqual(['src/b.ts(1,1): error TS9901: teleport: duplicate ID DUP']);
    expect(r.status).not.toBe(0);
  });

  test('a core that throws is an error on that file, not a crash', async () => {
    const dir = mockProject('mock-throw', { 'src/a.ts': 'export const a = 1; // @throw\n', 'src/b.ts': 'export const b = 1;\n' });
    const r = await run(tspc, ['-p', dir], dir);
    expect(errorLines(r)).toEqual(['src/a.ts(1,1): error TS9902: teleport: internal error: transforming this file failed: boom']);
    expect(r.status).toBe(2);
  });

  test('noEmitOnError also applies to the transform\'s own errors', async () => {
    const dir = mockProject('mock-no-emit', { 'src/a.ts': 'export const a = 1; // @err\n' }, { noEmitOnError: true });
    const r = await run(tspc, ['-p', dir], dir);
    expect(r.status).toBe(1);
    expect(outFiles(dir)).toEqual([]);
  });

  test('--incremental builds (builder program) keep working and keep reporting errors', async () => {
    const dir = mockProject('mock-incremental', {
      'src/a.ts': '/*@mark*/ export const a = 1;\n',
      'src/b.ts': "import { a } from './a.js';\nexport const b: string = a;\n",
    }, { incremental: true, tsBuildInfoFile: 'out/tsbuildinfo' });
    const first = await run(tspc, ['-p', dir], dir);
    expect(errorLines(first)).toEqual(["src/b.ts(2,14): error TS2322: Type 'number' is not assignable to type 'string'."]);
    expect(outFiles(dir)).toEqual(['a.d.ts', 'a.js', 'a.js.map', 'b.d.ts', 'b.js', 'b.js.map', 'teleport-manifest.json', 'tsbuildinfo']);
    const second = await run(tspc, ['-p', dir], dir);
    expect(errorLines(second)).toEqual(errorLines(first));
    writeFileSync(path.join(dir, 'src/b.ts'), "import { a } from './a.js';\nexport const b: number = a;\n");
    const third = await run(tspc, ['-p', dir], dir);
    expect(third.status).toBe(0);
    expect(read(dir, 'out/a.js')).toContain('globalThis.__marked');
    expect(read(dir, 'out/b.d.ts')).not.toContain('__generated');
    // only b.ts was emitted again: a.ts keeps its entry (from the manifest the first build wrote)
    expect(JSON.parse(read(dir, 'out/teleport-manifest.json')).modules.map((m: { file: string }) => m.file)).toEqual(['src/a.ts', 'src/b.ts']);
  });

  test('without "transformProgram": true the build fails with an explanation', async () => {
    const dir = mockProject('mock-misconfigured', { 'src/a.ts': 'export const a = 1;\n' });
    const tsconfig = JSON.parse(read(dir, 'tsconfig.json'));
    tsconfig.compilerOptions.plugins = [{ transform: adapter }];
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const r = await run(tspc, ['-p', dir], dir);
    expect(r.stdout).toContain('needs "transformProgram": true');
    expect(r.status).not.toBe(0);
  });
});
