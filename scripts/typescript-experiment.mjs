// Transparency experiment on the TypeScript compiler itself (node_modules/typescript/lib/typescript.js,
// 9 MB), outside the test suite: its transform takes minutes and gigabytes. typescript.js is a
// CommonJS file, so it is first made an ES module the transform can compile (a prelude defining
// `require`, `__filename` and `__dirname`, and `export default ts`; nothing else changes). A
// workload (ts.transpileModule over this repository's .ts sources, and a type check of runtime/)
// then runs uncompiled (node), bundled by esbuild without and with the Teleport plugin; outputs
// must be identical. Prints build times, sizes and workload CPU times as JSON lines.
// Usage: npm run build && node --max-old-space-size=12000 scripts/typescript-experiment.mjs [--pool]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { teleport } from '../dist/plugins/esbuild/index.js';

const repo = path.resolve(import.meta.dirname, '..');
const dir = path.join(repo, 'test/.tmp/ts-exp');
const original = path.join(repo, 'node_modules/typescript/lib/typescript.js');
mkdirSync(dir, { recursive: true });
const out = (record) => process.stdout.write(JSON.stringify(record) + '\n');

const prelude = `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(original)}); ` +
  `const __filename = ${JSON.stringify(original)}; const __dirname = ${JSON.stringify(path.dirname(original))};`;
// (on the first line, so that the rest keeps its line numbers)
writeFileSync(path.join(dir, 'typescript.mjs'), prelude + readFileSync(original, 'utf8') + '\nexport default ts;\n');

writeFileSync(path.join(dir, 'workload.mjs'), `// transpile this repository's sources, type-check runtime/
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from './typescript.mjs';
const repo = ${JSON.stringify(repo)};
const files = [];
const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (/\\.ts$/.test(e.name) && !/\\.d\\.ts$/.test(e.name)) files.push(p); } };
for (const d of ['runtime', 'transformer', 'plugins', 'test', 'fixtures', 'bench']) walk(path.join(repo, d));
files.sort();
const sources = files.map((f) => readFileSync(f, 'utf8'));
const options = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, skipLibCheck: true, noEmit: true, types: ['node'] };
const transpile = (src, i) => ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2020, sourceMap: true }, fileName: files[i] }).outputText;
if (process.env.TP_POOL === '1') {
  const { Pool } = await import('teleport');
  const pool = new Pool({ size: 2 });
  const sample = sources.slice(0, 16);
  const remote = await pool.map((src, i) => transpile(src, i), sample);
  const same = remote.every((r, i) => r === transpile(sample[i], i));
  let direct = 'not tried';
  try { const r = await pool.map(ts.transpileModule, sample.slice(0, 2)); direct = r.every((x, i) => x.outputText === ts.transpileModule(sample[i]).outputText) ? 'same' : 'different'; } catch (e) { direct = e.constructor.name + ': ' + e.message.slice(0, 300); }
  await pool.close();
  console.log(JSON.stringify({ name: 'pool', same, items: sample.length, direct }));
} else {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const h = createHash('sha256');
  sources.forEach((src, i) => h.update(transpile(src, i)));
  const program = ts.createProgram(files.filter((f) => f.includes('/runtime/')), options);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\\n'));
  h.update(JSON.stringify(diagnostics));
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ name: 'typescript', hash: h.digest('hex'), files: files.length, diagnostics: diagnostics.length, cpu: (c.user + c.system) / 1000, ms: performance.now() - t0 }));
}
`);

const lines = readFileSync(original, 'utf8').split('\n').length;
out({ name: 'input', file: path.relative(repo, original), bytes: statSync(original).size, lines });

async function bundle(flavor) {
  const outdir = path.join(dir, flavor);
  const t0 = performance.now();
  await esbuild.build({
    entryPoints: [path.join(dir, 'workload.mjs')], bundle: true, format: 'esm', platform: 'node', target: 'node20', outdir,
    sourcemap: false, logLevel: 'warning', external: ['teleport', 'teleport/*'],
    plugins: flavor === 'esbuild' ? [teleport({ root: repo, nodeModules: true, include: /[\\/]test[\\/]\.tmp[\\/]ts-exp[\\/]/ })] : [],
  });
  const ms = performance.now() - t0;
  const file = path.join(outdir, 'workload.js');
  let functions;
  if (flavor === 'esbuild') {
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'teleport-manifest.json'), 'utf8'));
    const m = manifest.modules.find((x) => x.file.endsWith('typescript.mjs'));
    functions = { instrumented: m.functions.length, unsendable: m.functions.filter((f) => f.unsendable).length };
  }
  out({ name: 'build', flavor, ms: Math.round(ms), bytes: statSync(file).size, functions, rss: Math.round(process.memoryUsage().rss / 2 ** 20) });
  return file;
}

const run = (file, env = {}) => JSON.parse(execFileSync(process.execPath, ['--max-old-space-size=8000', file], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 }).trim().split('\n').at(-1));
const plain = await bundle('plain');
const compiled = await bundle('esbuild');
const results = {};
for (let rep = 0; rep < 3; rep++) {
  for (const [flavor, file] of [['original', path.join(dir, 'workload.mjs')], ['plain', plain], ['esbuild', compiled]]) {
    const r = run(file);
    (results[flavor] ??= []).push(r);
  }
}
for (const [flavor, rs] of Object.entries(results)) {
  const cpu = rs.map((r) => r.cpu).sort((a, b) => a - b);
  out({ name: 'run', flavor, hash: rs[0].hash, identical: rs.every((r) => r.hash === results.original[0].hash), files: rs[0].files, diagnostics: rs[0].diagnostics, cpuMedian: Math.round(cpu[1]), cpuMin: Math.round(cpu[0]) });
}
if (process.argv.includes('--pool')) out(run(compiled, { TP_POOL: '1' }));
