// The esbuild front end compiles TypeScript with esbuild before instrumenting it: the file's
// tsconfig.json must mean what it means to the user's own esbuild build (here class fields with
// assignment semantics from an ES2020 target, and experimental decorators), and stack traces must
// still point at the .ts lines.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { expect, it } from 'vitest';
import { teleport } from '../dist/plugins/esbuild/index.js';
import { repo, run, tmp } from './support/build.js';

const dir = path.join(tmp, 'tsconfig-case');
const MAIN = `import { dumps, loads } from 'teleport';
const log: string[] = [];
class Base {
  get value(): number { return 1; }
  set value(v: number) { log.push('setter ' + v); }
}
class Derived extends Base { value = 5; }
function dec(_target: object, key: string) { log.push('decorated ' + key); }
class WithDec { @dec method() { return 2; } }
const d = new Derived();
const f = (x: number) => x + d.value + new WithDec().method();
let sent: unknown = 'not sendable';
try { sent = (loads(dumps(f)) as typeof f)(1); } catch {}
const where = (() => { try { throw new Error('here'); } catch (e) { return String((e as Error).stack).split('\\n')[1]; } })();
console.log(JSON.stringify({ log, own: Object.getOwnPropertyNames(d), v: d.value, f: f(1), sent, where: /main\\.(ts|js):\\d+/.exec(where)?.[0] }));
`;

async function buildCase(plugin: boolean): Promise<string> {
  const outdir = path.join(dir, plugin ? 'out-teleport' : 'out-plain');
  await esbuild.build({
    entryPoints: [path.join(dir, 'main.ts')], bundle: true, format: 'esm', platform: 'node', target: 'node20', outdir,
    sourcemap: true, logLevel: 'silent', external: ['teleport', 'teleport/*'], plugins: plugin ? [teleport({ root: repo })] : [],
  });
  return path.join(outdir, 'main.js');
}

it('esbuild plugin: the file\'s tsconfig is honored as by esbuild alone, and stacks point at .ts lines', async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2020', experimentalDecorators: true } }));
  writeFileSync(path.join(dir, 'main.ts'), MAIN);
  const plain = run(await buildCase(false));
  const compiled = run(await buildCase(true));
  expect(plain.stderr).toBe('');
  expect(compiled.stderr).toBe('');
  const a = JSON.parse(plain.stdout);
  const b = JSON.parse(compiled.stdout);
  // the tsconfig was in effect: assignment semantics call the base setter, decorators ran
  expect(a.log).toEqual(['decorated method', 'setter 5']);
  expect(a.own).toEqual([]);
  expect({ ...b, sent: a.sent }).toEqual(a);
  expect(a.sent).toBe('not sendable');
  expect(b.sent).toBe(b.f);
  expect(b.where).toBe('main.ts:14');
});
