// build: what the transform costs at build time (issue 4, benchmark 7). A TypeScript codebase of
// more than 50,000 lines is generated at run time (bench/src/gen-codebase.mjs, into
// bench/.out/build/gen) and built four ways, each as a user would, one fresh process per build:
//
//   esbuild           bundle (esm, platform node), no plugin            goal: teleport / plain <= 3x
//   esbuild+teleport  the same with `teleport({ root })`
//   tsc               `tsc -p` (type check + emit)                       goal: tspc / tsc <= 1.15x
//   tspc+teleport     ts-patch `tspc -p` with the Teleport program transformer entry
//   tspc              ts-patch `tspc -p` without the entry (for attribution: what ts-patch costs)
//   tsc+teleport      `tsc -p` of a TypeScript patched on disk by `ts-patch install` (ts-patch's
//                     "persistent patch" method, which its docs say loads faster than the live
//                     compiler `tspc`) with the Teleport entry: tsc itself running the transformer.
//                     The copy of the package that is patched lives in bench/.out/build/ts-patched.
//
// The time is the wall time of the whole build process (node start, loading the compiler and the
// plugin, the build, writing the output), measured by this process around the child. Each
// build's output is then run: all four must print the same checksum, and the instrumented ones
// must send a generated closure through `dumps`/`loads`.
//
// After one untimed warm-up round (file cache), every run builds all variants back to back, in an
// order that alternates between runs; ratios are medians of the per-run ratios. The outputs are
// run and compared after the first run. A missed goal is profiled once (--cpu-prof).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { benchDir, otherLoadMeter, outDir, pairedRatio, profDir, root, stats, summariseProfile } from './lib.mjs';
import { generate } from './src/gen-codebase.mjs';

export const GROUP = 'build';

// --quick builds a 16-module codebase (~5,000 lines, a smoke test of the method that keeps the
// whole quick run near two minutes), without warm-up and without the ts-patch-alone variant; the
// full run (160 modules, ~53,000 lines) is the measurement of record.
export const buildConfig = (quick) => (quick
  ? { modules: 16, runs: 2, warmup: 0, variants: ['esbuild', 'esbuild+teleport', 'tsc', 'tspc+teleport', 'tsc+teleport'] }
  : { modules: 160, runs: 5, warmup: 1, variants: ['esbuild', 'esbuild+teleport', 'tsc', 'tspc', 'tspc+teleport', 'tsc+teleport'] });

const dir = path.join(outDir, 'build');
const gen = path.join(dir, 'gen');
const esbuildChild = path.join(benchDir, 'src/build-esbuild.mjs');
const tscBin = path.join(root, 'node_modules/typescript/bin/tsc');
const tspcBin = path.join(root, 'node_modules/ts-patch/bin/tspc.js');
const patchedDir = path.join(dir, 'ts-patched/node_modules/typescript');
const patchedTscBin = path.join(patchedDir, 'bin/tsc');

/** A copy of the installed `typescript` patched by `ts-patch install` (made once per version pair). */
function patchedTypescript() {
  const version = (p) => JSON.parse(fs.readFileSync(path.join(p, 'package.json'), 'utf8')).version;
  const stamp = `${version(path.join(root, 'node_modules/typescript'))} ${version(path.join(root, 'node_modules/ts-patch'))}`;
  const stampFile = path.join(patchedDir, '.teleport-bench-patched');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return;
  fs.rmSync(patchedDir, { recursive: true, force: true });
  fs.cpSync(path.join(root, 'node_modules/typescript'), patchedDir, { recursive: true });
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/ts-patch/bin/ts-patch.js'), 'install', '-s', '-d', patchedDir], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ts-patch install failed (${r.status}):\n${r.stdout}${r.stderr}`);
  fs.writeFileSync(stampFile, stamp);
}

const outOf = (v) => path.join(dir, 'out', v.replace('+', '-'));

function tsconfig(variant) {
  const file = path.join(dir, `tsconfig.${variant.replace('+', '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, sourceMap: true,
      lib: ['ES2022'], types: [], rootDir: path.join(gen, 'src'), outDir: outOf(variant),
      // `entries` names the program's entry script, as the README recommends for tsc builds
      plugins: variant === 'tspc+teleport' || variant === 'tsc+teleport' ? [{ transform: path.join(root, 'dist/transformer/tspatch.js'), transformProgram: true, root, entries: [path.join(gen, 'src/main.ts')] }] : [],
    },
    include: [path.join(gen, 'src')],
  }, null, 2));
  return file;
}

/** The command line of one build. */
function command(variant, src) {
  switch (variant) {
    case 'esbuild':
    case 'esbuild+teleport':
      return [esbuildChild, variant, src.entry, outOf(variant)];
    case 'tsc':
      return [tscBin, '-p', tsconfig(variant)];
    case 'tsc+teleport':
      return [patchedTscBin, '-p', tsconfig(variant)];
    default:
      return [tspcBin, '-p', tsconfig(variant)];
  }
}

/** One build in a fresh process: wall ms from spawn to exit. */
function buildOnce(variant, src, nodeArgs = []) {
  fs.rmSync(outOf(variant), { recursive: true, force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...nodeArgs, ...command(variant, src)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`build ${variant} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return ms;
}

/** Runs a build's output; returns its JSON line. */
function runOutput(variant) {
  const main = path.join(outOf(variant), 'main.js');
  const r = spawnSync(process.execPath, [main], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`running the ${variant} build failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Every build computes the same checksum; the instrumented ones can send a generated closure. */
function verify(variants) {
  const outs = Object.fromEntries(variants.map((v) => [v, runOutput(v)]));
  const expected = outs.esbuild.checksum;
  for (const [v, o] of Object.entries(outs)) {
    if (o.checksum !== expected) throw new Error(`build ${v}: checksum ${o.checksum}, esbuild plain gave ${expected}`);
    const instrumented = v.endsWith('+teleport');
    if (o.sent !== instrumented) throw new Error(`build ${v}: sending a generated closure ${o.sent ? 'worked' : 'failed'}`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(outOf('tspc+teleport'), 'teleport-manifest.json'), 'utf8'));
  return { checksum: expected, functions: manifest.modules.reduce((n, m) => n + m.functions.length, 0) };
}

export function runBuild(cfg) {
  const src = generate({ dir: gen, modules: cfg.modules });
  const codebase = { modules: src.files.length, lines: src.lines, bytes: src.bytes };
  console.log(`  build: generated ${codebase.modules} modules, ${codebase.lines.toLocaleString('en')} lines (${(codebase.bytes / 2 ** 20).toFixed(1)} MiB) in ${path.relative(root, gen)}`);
  const VARIANTS = cfg.variants;
  if (VARIANTS.includes('tsc+teleport')) patchedTypescript();
  for (let w = 0; w < cfg.warmup; w++) console.log(`  build warm-up: ${VARIANTS.map((v) => `${v} ${Math.round(buildOnce(v, src))}`).join(', ')} ms`);
  const raw = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const othersDuringRuns = [];
  let checked;
  for (let run = 0; run < cfg.runs; run++) {
    const t0 = Date.now();
    const meter = otherLoadMeter();
    for (const v of run % 2 ? [...VARIANTS].reverse() : VARIANTS) raw[v].push(buildOnce(v, src));
    othersDuringRuns.push(meter.stop());
    if (run === 0) {
      checked = verify(VARIANTS);
      console.log(`  build: every build runs and they agree (checksum ${checked.checksum}; ${checked.functions} functions instrumented)`);
    }
    console.log(`  build run ${run + 1}/${cfg.runs} (${((Date.now() - t0) / 1000).toFixed(1)} s): ${VARIANTS.map((v) => `${v} ${Math.round(raw[v].at(-1))}`).join(', ')} ms; other processes ${othersDuringRuns.at(-1) === null ? '?' : `${Math.round(othersDuringRuns.at(-1) * 100)}%`} of the CPU`);
  }
  const label = {
    esbuild: 'esbuild bundle (esm, platform node)', 'esbuild+teleport': 'esbuild bundle + `teleport({ root })`',
    tsc: '`tsc -p` (type check + emit)', tspc: 'ts-patch `tspc -p`, no plugin entry', 'tspc+teleport': 'ts-patch `tspc -p` + Teleport transformer',
    'tsc+teleport': '`tsc -p` patched by `ts-patch install` + Teleport transformer',
  };
  const entries = VARIANTS.map((v) => {
    const s = stats(raw[v]);
    return { name: `build/${v}`, group: GROUP, contender: v, label: label[v], unit: 'ms', median: s.median, spread: s.spread, runs: s.runs };
  });
  const by = Object.fromEntries(entries.map((e) => [e.contender, e]));
  const comparison = (id, title, a, b, goal) => {
    const r = pairedRatio(a.runs, b.runs);
    const row = { id, group: GROUP, title, metric: 'build wall time, ratio (lower is better)', teleport: { name: a.name, median: a.median, unit: 'ms' }, peer: { name: b.name, median: b.median, unit: 'ms' }, ratio: r.ratio, ratioSpread: r.ratioSpread };
    if (goal) Object.assign(row, { goal: `<= ${goal}x`, goalOp: '<=', goalValue: goal, pass: r.ratio <= goal });
    return row;
  };
  const comparisons = [
    comparison('build-esbuild', 'build: esbuild + plugin / esbuild', by['esbuild+teleport'], by.esbuild, 3),
    comparison('build-tsc', 'build: tspc + transformer / tsc', by['tspc+teleport'], by.tsc, 1.15),
  ];
  if (by['tsc+teleport']) comparisons.push(comparison('build-tsc-installed', 'build: tsc patched by `ts-patch install` + transformer / tsc', by['tsc+teleport'], by.tsc, 1.15));
  if (by.tspc) {
    comparisons.push(
      comparison('build-tspc-vs-tspc', 'build: tspc + transformer / tspc without it', by['tspc+teleport'], by.tspc),
      comparison('build-tspc-vs-tsc', 'build: tspc without the transformer / tsc (ts-patch alone)', by.tspc, by.tsc));
  }
  return { entries, comparisons, othersDuringRuns, codebase: { ...codebase, functions: checked.functions, checksum: checked.checksum } };
}

/** Phases whose inclusive time the build profiles report: function name → [label, where it lives]. */
const PHASES = {
  transformModule: ['Teleport transform, all', /dist\/transformer\/core\/index\.js$/],
  parseModule: ['parse (meriyah; typescript-estree for TS input)', /core\/walk\.js$/],
  buildModel: ['model (incl. scope analysis)', /core\/model\.js$/],
  analyzeScopes: ['scope analysis', /core\/scopes\.js$/],
  analyze: ['scope analysis (scope-manager, TS input)', /scope-manager\//],
  run: ['emit (our code generation)', /core\/emit\.js$/],
  buildMap: ['source map', /core\/sourcemap\.js$/],
  composeMaps: ['source map composition (tspatch, top-level `using` modules)', /transformer\/tspatch-maps\.js$/],
  createProgram: ['tsc createProgram (parse, bind; the transform runs inside)', /^evalmachine|typescript\/lib\/_?tsc\.js$/],
  checkSourceFile: ['tsc type check', /^evalmachine|typescript\/lib\/_?tsc\.js$/],
  emitFiles: ['tsc emit (transform to JS, print, write)', /^evalmachine|typescript\/lib\/_?tsc\.js$/],
};

/** Inclusive time per phase in one .cpuprofile (a frame counted once per sample even when recursive). */
export function phaseTimes(file) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const us = {};
  let total = 0;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    const seen = new Set();
    for (let n = byId.get(id); n; n = byId.get(parent.get(n.id))) {
      const name = n.callFrame.functionName;
      // `run` only as the Emitter's (dist/transformer/core/emit.js)
      if (!Object.hasOwn(PHASES, name) || seen.has(name) || !PHASES[name][1].test(n.callFrame.url)) continue;
      seen.add(name);
      us[name] = (us[name] ?? 0) + dt;
    }
  });
  return Object.entries(us).sort((a, b) => b[1] - a[1]).map(([fn, t]) => ({ phase: PHASES[fn][0], fn, ms: Math.round(t / 1000), pct: Math.round((1000 * t) / total) / 10 }));
}

/** Profiles both sides of each missed goal once (the baseline for attribution); returns summaries. */
export function profileBuild(comparisons, src = { entry: path.join(gen, 'src/main.ts') }) {
  const out = [];
  for (const c of comparisons) {
    if (c.pass !== false) continue;
    for (const side of [c.teleport.name, c.peer.name]) {
      const variant = side.split('/')[1];
      const pdir = path.join(profDir, `build-${variant.replace('+', '-')}`);
      fs.rmSync(pdir, { recursive: true, force: true });
      fs.mkdirSync(pdir, { recursive: true });
      const ms = buildOnce(variant, src, ['--cpu-prof', `--cpu-prof-dir=${pdir}`, '--cpu-prof-interval=500']);
      const file = fs.readdirSync(pdir).find((f) => f.endsWith('.cpuprofile'));
      const p = path.join(pdir, file);
      const thread = { thread: 'main', file: path.relative(root, p), ...summariseProfile(p), phases: phaseTimes(p) };
      out.push({ key: `build-${variant}`, for: [c.id], whileProfiled: `${Math.round(ms)} ms`, threads: [thread] });
      console.log(`  profile ${variant}: ${thread.phases.slice(0, 4).map((x) => `${x.phase} ${x.pct}%`).join(', ')}`);
    }
  }
  return out;
}
