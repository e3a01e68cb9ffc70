// The ts-patch front end's transform pool (transformer/tspatch-workers.ts), end to end with `tspc` and the BUILT
// adapter (run `npm run build` first): the core in worker threads writes the same bytes as the core in tsc's
// thread (every file, the manifest, the diagnostics), in whole-program and incremental builds; a worker that
// throws, exits or hangs is an error on that file, and the build ends (in watch mode the next program tries it again).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { runNode, type Run } from './support/run-node.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(repo, 'dist/transformer');
const adapter = path.join(dist, 'tspatch.js');
const tspc = path.join(repo, 'node_modules/ts-patch/bin/tspc.js');
const tmp = path.join(repo, 'test/.tmp');

const tspcBuild = (cwd: string): Promise<Run> => runNode(tspc, ['-p', cwd], cwd);

function writeProject(dir: string, files: Record<string, string>, compilerOptions: Record<string, unknown>, plugin: Record<string, unknown>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  const tsconfig = {
    compilerOptions: {
      module: 'NodeNext', target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], strict: true, skipLibCheck: true, types: [],
      rootDir: 'src', outDir: 'out', ...compilerOptions,
      plugins: [{ transform: adapter, transformProgram: true, root: '.', ...plugin }],
    },
    include: ['src'],
  };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
}

/** Every file under `out/`, by name. */
function outputs(dir: string): Record<string, string> {
  const out = path.join(dir, 'out');
  const files: Record<string, string> = {};
  for (const f of readdirSync(out, { recursive: true, encoding: 'utf8' }).sort()) {
    const p = path.join(out, f);
    if (!existsSync(p) || !/\.\w+$/.test(f)) continue;
    files[f] = readFileSync(p, 'utf8');
  }
  return files;
}

// more files than the pool's small-program threshold, with what takes the front end's other paths: warnings
// (eval), a top-level `using` (instrumented from the TS source), classes, closures and imports between modules
const FILES: Record<string, string> = {
  'src/main.ts': "import { scale } from './m0.js';\nimport { total } from './m5.js';\nexport const run = (xs: number[]) => xs.map(scale(2)).concat(total());\n",
  'src/warn.ts': "const table: Record<string, number> = { a: 1 };\nexport const f = (x: number): number => eval('x') + table['a']!;\n",
  'src/using.ts': 'class Res { [Symbol.dispose]() {} }\nusing r = new Res();\nexport class Kept { get r() { return r; } }\nexport const g = () => new Kept();\n',
};
for (let i = 0; i < 9; i++) {
  FILES[`src/m${i}.ts`] = [
    i > 0 ? `import { scale as s${i} } from './m${i - 1}.js';` : '',
    `export const scale = (k: number) => (x: number): number => x * k + ${i};`,
    `export class C${i}<T> { #items: T[] = []; count = 0; add = (t: T) => { this.#items.push(t); this.count++; return this; }; async *each() { yield* this.#items; } }`,
    `export function total(): number { const c = new C${i}<number>(); c.add(${i}); return c.count${i > 0 ? ` + s${i}(1)(${i})` : ''}; }`,
    '',
  ].join('\n');
}

beforeAll(() => {
  if (!existsSync(adapter)) throw new Error(`${adapter} is missing: run \`npm run build\` first`);
  mkdirSync(tmp, { recursive: true });
});

describe('tspc: the transform in worker threads', { timeout: 240_000 }, () => {
  const cases: [string, Record<string, unknown>][] = [
    ['maps', { sourceMap: true, declaration: true }],
    ['no-maps', {}],
    ['inline-map', { inlineSourceMap: true }],
  ];
  test.each(cases)('writes the bytes the in-thread transform writes (%s)', async (name, compilerOptions) => {
    const built: { run: Run; files: Record<string, string> }[] = [];
    for (const workers of [1, 0]) {
      const dir = path.join(tmp, `tspatch-workers-${name}-${workers}`);
      writeProject(dir, FILES, compilerOptions, { workers });
      const run = await tspcBuild(dir);
      built.push({ run, files: outputs(dir) });
    }
    const [threads, here] = built as [(typeof built)[0], (typeof built)[0]];
    expect(here.run.status).toBe(0);
    expect(here.run.stderr).toContain('warning TS9901'); // (eval in warn.ts)
    expect(Object.keys(here.files)).toContain('teleport-manifest.json');
    expect(here.files['m3.js']).toContain('teleport/hooks');
    expect(threads.run).toEqual(here.run);
    expect(Object.keys(threads.files)).toEqual(Object.keys(here.files));
    for (const f of Object.keys(here.files)) expect(threads.files[f], f).toBe(here.files[f]);
  });

  test('incremental rebuilds: the same bytes as in-thread after each build', async () => {
    const steps: ((dir: string) => void)[] = [
      () => {},
      (dir) => writeFileSync(path.join(dir, 'src/m4.ts'), FILES['src/m4.ts']!.replace('x * k', 'x * k * 2')),
      (dir) => writeFileSync(path.join(dir, 'src/m8.ts'), FILES['src/m8.ts']!.replace('count = 0', 'count = 1')),
    ];
    const dirs = [1, 0].map((workers) => {
      const dir = path.join(tmp, `tspatch-workers-incremental-${workers}`);
      writeProject(dir, FILES, { incremental: true, tsBuildInfoFile: 'out/tsbuildinfo', sourceMap: true }, { workers });
      return dir;
    });
    for (const step of steps) {
      const runs: { run: Run; files: Record<string, string> }[] = [];
      for (const dir of dirs) {
        step(dir);
        const run = await tspcBuild(dir);
        const files = outputs(dir);
        delete files.tsbuildinfo; // (holds its project's paths)
        runs.push({ run, files });
      }
      expect(runs[1]!.run.status).toBe(0);
      expect(runs[0]).toEqual(runs[1]);
    }
    expect(readFileSync(path.join(dirs[0]!, 'out/m4.js'), 'utf8')).toContain('x * k * 2');
  });
});

// A plugin over the real core whose workers run test-core.mjs: it logs the thread of each call, and throws,
// exits or hangs on a marker. tsc's thread does not take jobs back from the worker (the markers must reach it).
const TEST_CORE = `
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
import { transformModule as real } from ${JSON.stringify(path.join(dist, 'core/index.js'))};
export function transformModule(code, fileName, options) {
  appendFileSync(process.env.TELEPORT_TEST_LOG, threadId + ' ' + fileName + '\\n');
  if (code.includes('@throw')) throw new Error('boom');
  if (code.includes('@exit-once') && !isMainThread && !existsSync(process.env.TELEPORT_TEST_LOG + '.exited')) {
    writeFileSync(process.env.TELEPORT_TEST_LOG + '.exited', '');
    process.exit(3);
  }
  if (code.includes('@exit') && !code.includes('@exit-once') && !isMainThread) process.exit(3);
  if (code.includes('@hang') && !isMainThread) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  return real(code, fileName, options);
}
`;
const TEST_PLUGIN = (workerCore = "new URL('./test-core.mjs', import.meta.url).href") => `
import { createProgramTransformer } from ${JSON.stringify(adapter)};
import { buildManifest, shouldTransform } from ${JSON.stringify(path.join(dist, 'core/index.js'))};
import { transformModule } from './test-core.mjs';
export default createProgramTransformer({ transformModule, shouldTransform, buildManifest }, {
  entry: new URL(${JSON.stringify('file://' + path.join(dist, 'tspatch-worker.js'))}),
  core: ${workerCore},
  stallMs: 3000,
  takeBack: false,
});
`;

function testProject(name: string, files: Record<string, string>, plugin: Record<string, unknown>, workerCore?: string): string {
  const dir = path.join(tmp, `tspatch-workers-${name}`);
  writeProject(dir, files, {}, plugin);
  writeFileSync(path.join(dir, 'test-core.mjs'), TEST_CORE);
  writeFileSync(path.join(dir, 'test-plugin.mjs'), TEST_PLUGIN(workerCore));
  const tsconfig = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
  tsconfig.compilerOptions.plugins[0].transform = './test-plugin.mjs';
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  return dir;
}

/** Starts the log test-core.mjs writes (its workers read the variable when they start); returns its path. */
function startLog(dir: string): string {
  const log = path.join(dir, 'calls.log');
  writeFileSync(log, '');
  process.env.TELEPORT_TEST_LOG = log;
  return log;
}

function build(dir: string): Promise<Run & { threads: Map<string, string> }> {
  const log = startLog(dir);
  return tspcBuild(dir).then((r) => {
    const threads = new Map(readFileSync(log, 'utf8').trim().split('\n').map((l) => {
      const [thread, file] = l.split(' ');
      return [path.basename(file!), thread!];
    }));
    return { ...r, threads };
  });
}

const errorLines = (r: Run) => r.stdout.split('\n').filter((l) => / error TS\d+/.test(l));

describe('tspc: failing transform workers', { timeout: 120_000 }, () => {
  test('the files go to a worker with workers set, and stay in tsc\'s thread with workers: 0', async () => {
    const on = await build(testProject('threads-on', FILES, { workers: 1 }));
    expect(on.status).toBe(0);
    expect(on.threads.size).toBe(Object.keys(FILES).length);
    expect([...on.threads.values()].every((t) => t !== '0')).toBe(true);
    const off = await build(testProject('threads-off', FILES, { workers: 0 }));
    expect([...off.threads.values()]).toEqual(Object.keys(FILES).map(() => '0'));
  });

  test('a core that throws in the worker is an error on that file', async () => {
    const dir = testProject('throw', { ...FILES, 'src/m2.ts': FILES['src/m2.ts'] + '// @throw\n' }, { workers: 1 });
    const r = await build(dir);
    expect(errorLines(r)).toEqual(['src/m2.ts(1,1): error TS9902: teleport: internal error: transforming this file failed: boom']);
    expect(r.status).toBe(2);
    expect(r.threads.get('m2.ts')).not.toBe('0');
    expect(readFileSync(path.join(dir, 'out/m3.js'), 'utf8')).toContain('teleport/hooks');
  });

  test('a worker that exits is an error on the file it was on; the files queued behind it are transformed here', async () => {
    const dir = testProject('exit', { ...FILES, 'src/m2.ts': FILES['src/m2.ts'] + '// @exit\n' }, { workers: 1 });
    const r = await build(dir);
    expect(errorLines(r)).toEqual(['src/m2.ts(1,1): error TS9902: teleport: internal error: transforming this file failed: the transform worker exited (code 3) while transforming this file']);
    expect(r.status).toBe(2);
    expect(readFileSync(path.join(dir, 'out/m8.js'), 'utf8')).toContain('teleport/hooks');
    expect(JSON.parse(readFileSync(path.join(dir, 'out/teleport-manifest.json'), 'utf8')).modules).toHaveLength(Object.keys(FILES).length - 1);
  });

  test('a worker that cannot load the core: tsc\'s thread transforms every file, without waiting for the stall timeout', async () => {
    const dir = testProject('no-core', FILES, { workers: 1 }, "'file:///nonexistent/core.mjs'");
    const plugin = path.join(dir, 'test-plugin.mjs');
    writeFileSync(plugin, readFileSync(plugin, 'utf8').replace('stallMs: 3000', 'stallMs: 600000').replace('takeBack: false', 'takeBack: true'));
    const started = Date.now();
    const r = await build(dir);
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(120_000);
    expect([...r.threads.values()]).toEqual(Object.keys(FILES).map(() => '0'));
    expect(readFileSync(path.join(dir, 'out/m8.js'), 'utf8')).toContain('teleport/hooks');
  });

  test('watch mode: a file whose worker exited is an error of that emit only; the next program transforms it again', async () => {
    const dir = testProject('exit-once', { ...FILES, 'src/m2.ts': FILES['src/m2.ts'] + '// @exit-once\n' }, { workers: 1 });
    startLog(dir);
    // two programs through one transformer, as tsc --watch makes them (its result cache is shared)
    const ts = (await import('typescript')).default;
    const transformer = (await import(pathToFileURL(path.join(dir, 'test-plugin.mjs')).href)).default;
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const emit = (): string[] => {
      const host = ts.createCompilerHost(parsed.options);
      const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
      const instrumented = transformer(program, host, (parsed.options.plugins as object[])[0], { ts });
      return instrumented.emit().diagnostics.filter((d: { code: number }) => d.code === 9902).map((d: { messageText: string }) => d.messageText);
    };
    expect(emit()).toEqual(['teleport: internal error: transforming this file failed: the transform worker exited (code 3) while transforming this file']);
    expect(emit()).toEqual([]);
    expect(readFileSync(path.join(dir, 'out/m2.js'), 'utf8')).toContain('teleport/hooks');
  });

  test('a worker that hangs is an error on that file after the stall timeout, not a hung build', async () => {
    const dir = testProject('hang', { ...FILES, 'src/m5.ts': FILES['src/m5.ts'] + '// @hang\n' }, { workers: 1 });
    const r = await build(dir);
    expect(errorLines(r)).toEqual(['src/m5.ts(1,1): error TS9902: teleport: internal error: transforming this file failed: the transform worker sent nothing for 3 s while transforming this file']);
    expect(r.status).toBe(2);
    expect(readFileSync(path.join(dir, 'out/m8.js'), 'utf8')).toContain('teleport/hooks');
  });
});

describe('tspc: the plugin options', { timeout: 120_000 }, () => {
  test.each([[1.5, '1.5'], [-1, '-1'], ['2', '"2" (a string)'], [true, 'true (a boolean)']])('%j is an error that names the option, the value and what is allowed', async (workers, shown) => {
    const dir = path.join(tmp, `tspatch-workers-option-${String(workers)}`);
    writeProject(dir, { 'src/m0.ts': FILES['src/m0.ts']! }, {}, { workers });
    const r = await tspcBuild(dir);
    const message = `error TS9902: teleport: the plugin option "workers" must be a whole number >= 0 (the worker threads that run the transform; 0: none, it runs in tsc's thread), got ${shown}`;
    expect(r.stdout.trim()).toBe(message);
    expect(r.status).toBe(2);
    // (the file is still transformed, in tsc's thread)
    expect(readFileSync(path.join(dir, 'out/m0.js'), 'utf8')).toContain('teleport/hooks');
  });

  test('the other options are checked too: each wrong one is an error naming it, its value and what is allowed', async () => {
    const dir = path.join(tmp, 'tspatch-options-invalid');
    writeProject(dir, { 'src/m0.ts': FILES['src/m0.ts']! }, {}, { entries: 'src/m0.ts', warnings: 'loud', root: 5, hooksModule: '' });
    const r = await tspcBuild(dir);
    expect(r.stdout.trim().split('\n').sort()).toEqual([
      'error TS9902: teleport: the plugin option "entries" must be an array of paths (strings, relative to the tsconfig), got "src/m0.ts" (a string)',
      'error TS9902: teleport: the plugin option "hooksModule" must be a module specifier (a non-empty string), got "" (a string)',
      'error TS9902: teleport: the plugin option "root" must be a path (a string, relative to the tsconfig), got 5',
      'error TS9902: teleport: the plugin option "warnings" must be "print", "diagnostics" or "ignore", got "loud" (a string)',
    ]);
    expect(r.status).toBe(2);
  });

  test('a whole number >= 0 is accepted', async () => {
    const dir = path.join(tmp, 'tspatch-workers-option-ok');
    writeProject(dir, { 'src/m0.ts': FILES['src/m0.ts']! }, {}, { workers: 2 });
    const r = await tspcBuild(dir);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(path.join(dir, 'out/m0.js'), 'utf8')).toContain('teleport/hooks');
  });
});
