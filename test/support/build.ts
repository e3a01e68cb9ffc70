// Test support: build a fixture program three ways (uncompiled oracle, esbuild plugin, tsc with
// ts-patch) into test/.tmp and run the result with plain `node`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { teleport } from '../../dist/plugins/esbuild/index.js';

export const repo = path.resolve(import.meta.dirname, '../..');
export const tmp = path.join(repo, 'test/.tmp');

export type Flavor = 'plain' | 'esbuild' | 'tsc' | 'tspc';

/** Build `entry` (a path relative to the repo) and return the path of the JS entry to run. */
export async function build(entry: string, flavor: Flavor, tag = ''): Promise<string> {
  const name = path.basename(entry, '.ts');
  const outdir = path.join(tmp, flavor, name + tag);
  rmSync(outdir, { recursive: true, force: true });
  if (flavor === 'tspc' || flavor === 'tsc') return buildTsc(entry, outdir, flavor === 'tspc');
  await esbuild.build({
    entryPoints: [path.join(repo, entry)], bundle: true, format: 'esm', splitting: true, platform: 'node', target: 'node20',
    outdir, sourcemap: true, logLevel: 'silent', plugins: flavor === 'esbuild' ? [teleport({ root: repo })] : [],
    // the uncompiled build must still find the runtime without bundling it
    external: ['teleport', 'teleport/*'],
  });
  return path.join(outdir, name + '.js');
}

function buildTsc(entry: string, outdir: string, plugin: boolean): string {
  mkdirSync(outdir, { recursive: true });
  const tsconfig = path.join(outdir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, sourceMap: true, skipLibCheck: true,
      rootDir: path.join(repo, 'fixtures'), outDir: outdir, types: ['node'], typeRoots: [path.join(repo, 'node_modules/@types')],
      plugins: plugin ? [{ transform: path.join(repo, 'dist/transformer/tspatch.js'), transformProgram: true, root: repo }] : [],
    },
    files: [path.join(repo, entry)],
  }, null, 2));
  execFileSync(process.execPath, [path.join(repo, 'node_modules/ts-patch/bin/tspc.js'), '-p', tsconfig], { stdio: 'pipe' });
  return path.join(outdir, path.relative(path.join(repo, 'fixtures'), path.join(repo, entry)).replace(/\.ts$/, '.js'));
}

export interface RunResult { status: number | null; stdout: string; stderr: string }

export function run(file: string, env: Record<string, string> = {}): RunResult {
  const r = spawnSync(process.execPath, ['--enable-source-maps', file], {
    encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function jsonLines(stdout: string): Record<string, string>[] {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

/**
 * The pool configurations the end-to-end suites of the executor run on: [label, TP_BACKEND, more
 * env]; fixtures read TP_ATOMICS ('sync' for idle worker threads that block in Atomics.wait).
 */
export const poolConfigs = [
  ['threads', 'threads', {}],
  ['processes', 'processes', {}],
  ["threads with atomics: 'sync'", 'threads', { TP_ATOMICS: 'sync' }],
] as const;

/** a build tag for a configuration's label (each configuration builds into its own folder) */
export const tagOf = (label: string) => `-${label.replace(/\W+/g, '-')}`;
