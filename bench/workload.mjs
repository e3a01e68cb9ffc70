// workload: what the instrumentation costs on a realistic program (issue 4, benchmark 6, goal
// <= 1.03x). bench/src/interp/ (a tokenizer, a recursive-descent parser producing an AST of
// classes, a closure-compiling evaluator with higher-order builtins running recursion and sorts
// written in the interpreted language, and a JSON parser/serializer/visitor) is built four ways:
//   plain     esbuild bundle without the plugin   teleport  esbuild bundle with teleport({ root })
//   tsc       tsc (ts-patch's tspc, no plugin)    tspc      tspc with the Teleport transformer
// and, for attribution, `noprobe`: the teleport bundle with every probe check turned into
// `if (false)` (V8 emits no code for it), i.e. all instrumentation except the per-call probe.
// Every build must print the same output digest. Two measurements, both in fresh processes:
//   paired    (headline) one process per run imports the builds of a toolchain and alternates
//             their timed batches (bench/src/interp/pair.mjs), so load from other processes on
//             this shared machine hits both alike; which build warms up first alternates
//             between runs. Ratio: median over runs of the per-process median batch ratio.
//   separate  each build in its own process, the processes of a run adjacent in time, order
//             alternating between runs (as closure-creation does); ratio: median of per-run ratios.
// When a headline ratio misses the goal, both builds run once more under --cpu-prof (bench/.prof/).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { teleport } from '../dist/plugins/esbuild/index.js';
import { benchDir, child, outDir, pairedRatio, profiledChild, root, stats } from './lib.mjs';

export const WORKLOAD_GOAL = 1.03;
export const workloadConfig = (quick) => (quick
  ? { runs: 3, warmMs: 600, batches: 8, batchMs: 40, pairs: ['esbuild'], separate: false, noprobe: false }
  : { runs: 7, warmMs: 1200, batches: 12, batchMs: 50, pairs: ['esbuild', 'tsc'], separate: true, noprobe: true });

const entry = path.join(benchDir, 'src/interp/main.ts');
const pairDriver = path.join(benchDir, 'src/interp/pair.mjs');
const dirOf = (variant) => path.join(outDir, `workload-${variant}`);
/** the built entry of each variant */
export const workloadBuilds = {
  plain: path.join(dirOf('plain'), 'main.js'),
  teleport: path.join(dirOf('teleport'), 'main.js'),
  noprobe: path.join(dirOf('teleport'), 'noprobe.js'),
  tsc: path.join(dirOf('tsc'), 'interp/main.js'),
  tspc: path.join(dirOf('tspc'), 'interp/main.js'),
};
/** toolchain -> [plain variant, instrumented variant] */
const PAIRS = { esbuild: ['plain', 'teleport'], tsc: ['tsc', 'tspc'] };
const INSTRUMENTED = new Set(['teleport', 'noprobe', 'tspc']);

export async function buildWorkload(pairs) {
  for (const p of pairs) {
    for (const variant of PAIRS[p]) {
      fs.rmSync(dirOf(variant), { recursive: true, force: true });
      if (p === 'esbuild') {
        await esbuild.build({
          entryPoints: [entry], outfile: workloadBuilds[variant], bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error',
          plugins: variant === 'teleport' ? [teleport({ root })] : [],
        });
      } else buildTsc(variant);
    }
    if (p === 'esbuild') {
      // attribution: the same bundle with the probe checks compiled out (`if (false)` emits no bytecode)
      const text = fs.readFileSync(workloadBuilds.teleport, 'utf8');
      const noprobe = text.replace(/if \((\$tp\$p\d*) !== void 0\) return /g, 'if (false) return ');
      if (noprobe === text) throw new Error('workload: no probe check found in the teleport bundle');
      fs.writeFileSync(workloadBuilds.noprobe, noprobe);
    }
  }
}

/** tsc through ts-patch's tspc (allowJs: the program imports bench/src/measure.mjs), with or without the transformer */
function buildTsc(variant) {
  const out = dirOf(variant);
  fs.mkdirSync(out, { recursive: true });
  const tsconfig = path.join(out, 'tsconfig.json');
  fs.writeFileSync(tsconfig, JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, allowJs: true, checkJs: false, skipLibCheck: true,
      rootDir: path.join(benchDir, 'src'), outDir: out, types: ['node'], typeRoots: [path.join(root, 'node_modules/@types')],
      plugins: variant === 'tspc' ? [{ transform: path.join(root, 'dist/transformer/tspatch.js'), transformProgram: true, root }] : [],
    },
    files: [entry],
  }, null, 2));
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/ts-patch/bin/tspc.js'), '-p', tsconfig], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`workload: ${variant} build failed (${r.status}):\n${r.stdout}${r.stderr}`);
}

/** the builds one paired process of toolchain `p` measures: plain, instrumented (and noprobe) */
const pairedVariants = (p, cfg) => [...PAIRS[p], ...(p === 'esbuild' && cfg.noprobe ? ['noprobe'] : [])];

/**
 * cfg: { runs, warmMs, batches, batchMs, pairs, separate, noprobe }; returns benchmark entries
 * and comparisons (for the report's goal table and chart).
 */
export function runWorkload(cfg, { profile = false } = {}) {
  const digests = new Map(); // variant -> digest
  const seen = (v, out) => {
    if (out.instrumented !== undefined && out.instrumented !== INSTRUMENTED.has(v)) throw new Error(`workload/${v}: instrumented=${out.instrumented}`);
    if (digests.has(v) && digests.get(v) !== out.digest) throw new Error(`workload/${v}: output differs between runs`);
    digests.set(v, out.digest);
  };
  // paired[p][v] = { ratio: [per run], cpuRatio: [per run], ms: [per run], cpuMs: [per run] }
  const paired = {}, separate = {};
  for (const p of cfg.pairs) paired[p] = Object.fromEntries(pairedVariants(p, cfg).map((v) => [v, { ratio: [], cpuRatio: [], ms: [], cpuMs: [] }]));
  for (const v of cfg.pairs.flatMap((p) => PAIRS[p])) separate[v] = { ms: [], cpuMs: [] };
  for (let run = 0; run < cfg.runs; run++) {
    const t0 = Date.now();
    const line = [];
    for (const p of cfg.pairs) {
      // paired: the first build warms up first; alternate which one that is
      const vs = pairedVariants(p, cfg);
      const order = run % 2 ? [vs[1], vs[0], ...vs.slice(2)] : vs;
      const out = child(pairDriver, [cfg.warmMs, cfg.batches, cfg.batchMs, ...order.map((v) => workloadBuilds[v])], ['--expose-gc']);
      const at = (v) => out.builds[order.indexOf(v)];
      for (const v of vs) {
        seen(v, { ...at(v), digest: out.digest });
        // ratios against order[0]: rebase them on the plain build of the toolchain
        const base = at(vs[0]);
        paired[p][v].ratio.push(at(v).ratio / base.ratio);
        paired[p][v].cpuRatio.push(at(v).cpuRatio / base.cpuRatio);
        paired[p][v].ms.push(at(v).ms);
        paired[p][v].cpuMs.push(at(v).cpuMs);
      }
      line.push(`${p} paired ${vs.slice(1).map((v) => `${v} ${paired[p][v].ratio.at(-1).toFixed(3)}x`).join(', ')}`);
      if (cfg.separate) {
        for (const v of run % 2 ? [...PAIRS[p]].reverse() : PAIRS[p]) {
          const o = child(workloadBuilds[v], [cfg.warmMs, cfg.batches, cfg.batchMs]);
          seen(v, o);
          separate[v].ms.push(o.ms);
          separate[v].cpuMs.push(o.cpuMs);
        }
        const [b, i] = PAIRS[p];
        line.push(`separate ${(separate[i].ms.at(-1) / separate[b].ms.at(-1)).toFixed(3)}x`);
      }
    }
    console.log(`  workload run ${run + 1}/${cfg.runs} (${((Date.now() - t0) / 1000).toFixed(1)} s): ${line.join('; ')}`);
  }
  if (new Set(digests.values()).size !== 1) throw new Error(`workload: builds print different output: ${[...digests].map(([v, d]) => `${v} ${d}`).join(', ')}`);

  const benchmarks = [], comparisons = [];
  const med = (xs) => stats(xs).median;
  for (const p of cfg.pairs) {
    const [base, inst] = PAIRS[p];
    const P = paired[p];
    const ratioOf = (v) => ({ ratio: med(P[v].ratio), ratioSpread: { min: Math.min(...P[v].ratio), max: Math.max(...P[v].ratio) }, cpuRatio: med(P[v].cpuRatio) });
    const r = ratioOf(inst);
    const a = stats(P[inst].ms), b = stats(P[base].ms);
    const row = {
      name: `workload/${p}`, group: 'workload', toolchain: p, unit: 'ms/op', variant: inst, mode: 'paired',
      label: p === 'esbuild' ? 'esbuild bundle, with / without the Teleport plugin' : 'tsc via ts-patch, tspc with / without the Teleport transformer',
      median: a.median, spread: a.spread, runs: a.runs, cpuMs: med(P[inst].cpuMs),
      baseline: { name: `workload/${base}`, median: b.median, spread: b.spread, runs: b.runs, cpuMs: med(P[base].cpuMs) },
      ...r, goal: `<= ${WORKLOAD_GOAL}x`, goalRatio: WORKLOAD_GOAL, pass: r.ratio <= WORKLOAD_GOAL, digest: digests.get(inst),
    };
    if (P.noprobe) row.noprobe = { ...ratioOf('noprobe'), median: med(P.noprobe.ms), cpuMs: med(P.noprobe.cpuMs) };
    if (cfg.separate) {
      const sr = pairedRatio(separate[inst].ms, separate[base].ms);
      row.separate = { median: med(separate[inst].ms), baseline: med(separate[base].ms), ratio: sr.ratio, ratioSpread: sr.ratioSpread, cpuRatio: pairedRatio(separate[inst].cpuMs, separate[base].cpuMs).ratio };
    }
    if (profile && !row.pass) row.profile = profileWorkload(base, inst, cfg);
    benchmarks.push(row);
    comparisons.push({
      id: `workload-${p}`, group: 'workload', title: `realistic workload (interpreter + JSON), ${p === 'esbuild' ? 'esbuild' : 'tspc'}: instrumented / plain`,
      metric: 'ms per operation, ratio (lower is better)',
      teleport: { name: `workload/${inst}`, median: a.median, unit: 'ms/op' }, peer: { name: `workload/${base}`, median: b.median, unit: 'ms/op' },
      ratio: r.ratio, ratioSpread: r.ratioSpread, goal: `<= ${WORKLOAD_GOAL}x`, goalOp: '<=', goalValue: WORKLOAD_GOAL, pass: row.pass,
    });
  }
  return { benchmarks, comparisons };
}

/** both builds of a toolchain once under --cpu-prof: the top self-time functions of each, timed part only */
function profileWorkload(base, inst, cfg) {
  const out = {};
  for (const v of [base, inst]) {
    const { out: o, threads } = profiledChild(`workload-${v}`, workloadBuilds[v], [cfg.warmMs, cfg.batches, cfg.batchMs]);
    const main = threads.find((t) => t.thread === 'main');
    out[v] = { msWhileProfiled: o.ms, file: main?.file, top: main?.top ?? [] };
    console.log(`  profile workload/${v}: ${(main?.top ?? []).slice(0, 3).map((t) => `${t.pctOfBusy}% ${t.fn}`).join('; ')}`);
  }
  return out;
}
