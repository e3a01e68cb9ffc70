// closure-creation and closure-strategies: what the transform's instrumentation costs where
// functions are created and called (moved here from bench/run.mjs; the method is unchanged).
//
// closure-creation: bench/src/closures.ts is bundled twice with esbuild (plain, and with the
// Teleport plugin); each pattern runs in fresh child processes for both builds, alternating, and
// the ratio teleport/plain per pattern is compared with the goal. Patterns whose ratio misses
// the goal are run once more with --cpu-prof (profiles in bench/.prof/, summarised here).
// closure-strategies: bench/src/strategies.mjs, hand-written alternatives to the current
// instrumentation, measured the same way against the same plain code.
//
// Two modes per measurement:
//   program   (headline) before the timed part the child exercises all patterns and several other
//             function kinds, so shared code (the `$tp` hooks) has seen the function shapes a real
//             program feeds it (its property-store inline caches are polymorphic/megamorphic).
//   isolated  the pattern alone: the hooks only ever see one shape (best case, shown for contrast).
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { teleport } from '../dist/plugins/esbuild/index.js';
import { benchDir, child, compare, outDir, profDir, root, summariseProfile } from './lib.mjs';

export const GOAL = 1.3;

export const closureConfig = (quick) => (quick ? { runs: 2, warmMs: 150, batches: 7, batchMs: 10 } : { runs: 5, warmMs: 300, batches: 11, batchMs: 20 });

const bundles = { plain: path.join(outDir, 'plain/closures.js'), teleport: path.join(outDir, 'teleport/closures.js') };
export async function buildClosures() {
  const entry = path.join(benchDir, 'src/closures.ts');
  for (const [variant, outfile] of Object.entries(bundles)) {
    await esbuild.build({
      entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error',
      plugins: variant === 'teleport' ? [teleport({ root })] : [],
    });
  }
  const plainText = fs.readFileSync(bundles.plain, 'utf8');
  const tpText = fs.readFileSync(bundles.teleport, 'utf8');
  if (plainText.includes('$tp.') || !tpText.includes('$tp.f(')) throw new Error('bench build: expected only the teleport bundle to be instrumented');
}

let cfg, filter, modes, strategyModes;
/** ctx: { cfg: { runs, warmMs, batches, batchMs }, filter, modes, strategyModes } */
export function setClosureContext(ctx) {
  ({ cfg, filter, modes, strategyModes } = ctx);
}

// ---------- closure-creation ----------
const ALL_PATTERNS = [
  { key: 'capturing', label: '(a) capturing closure: `make(k)` returns `(x) => x + k`', unit: 'ns/closure' },
  { key: 'captureFree', label: '(b) capture-free arrow `(x) => x * 2` created per iteration', unit: 'ns/closure' },
  { key: 'perIterationLet', label: '(c) closure over a per-iteration `let` (`for (let i…) () => i`)', unit: 'ns/closure' },
  { key: 'objectMethod', label: '(d) object literal with a method, per iteration', unit: 'ns/object' },
  { key: 'classInstance', label: '(e) `new Counter(i)` + method call', unit: 'ns/instance' },
  { key: 'classArrowField', label: '(f) `new Button(i)`, class with an arrow-function field', unit: 'ns/instance' },
  { key: 'callCapturing', label: '(g) calling a capturing closure (probe check per call; 1,024 closures refilled per batch)', unit: 'ns/call', goal: 1.03 },
];
/** the patterns --filter selects */
export const selectedPatterns = () => ALL_PATTERNS.filter((p) => !filter || `closure-creation/${p.key}`.includes(filter));

export function runClosures() {
  const PATTERNS = selectedPatterns();
  const raw = {}; // raw[pattern][mode][variant] = [ns per run]
  for (const p of PATTERNS) raw[p.key] = Object.fromEntries(modes.map((m) => [m, { plain: [], teleport: [] }]));
  for (let run = 0; run < cfg.runs; run++) {
    const t0 = Date.now();
    for (const p of PATTERNS) {
      for (const mode of modes) {
        const order = run % 2 ? ['plain', 'teleport'] : ['teleport', 'plain'];
        for (const variant of order) {
          const out = child(bundles[variant], [p.key, cfg.warmMs, cfg.batches, cfg.batchMs, mode === 'isolated' ? 1 : 0]);
          if (out.instrumented !== (variant === 'teleport')) throw new Error(`${p.key}/${variant}: instrumented=${out.instrumented}`);
          raw[p.key][mode][variant].push(out.ns);
        }
      }
    }
    console.log(`  closure-creation run ${run + 1}/${cfg.runs} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  return PATTERNS.map((p) => {
    const c = compare(raw[p.key].program.teleport, raw[p.key].program.plain);
    const entry = {
      name: `closure-creation/${p.key}`, group: 'closure-creation', pattern: p.label, unit: p.unit, variant: 'teleport', mode: 'program',
      median: c.inst.median, spread: c.inst.spread, runs: c.inst.runs,
      baseline: { name: 'plain (same source, esbuild without the plugin)', median: c.base.median, spread: c.base.spread, runs: c.base.runs },
      ratio: c.ratio, ratioSpread: c.ratioSpread, goal: `<= ${p.goal ?? GOAL}x`, goalRatio: p.goal ?? GOAL, pass: c.ratio <= (p.goal ?? GOAL),
    };
    if (raw[p.key].isolated) {
      const ci = compare(raw[p.key].isolated.teleport, raw[p.key].isolated.plain);
      entry.isolated = { median: ci.inst.median, spread: ci.inst.spread, baseline: ci.base.median, ratio: ci.ratio, ratioSpread: ci.ratioSpread };
    }
    return entry;
  });
}

// ---------- CPU profile of patterns over the goal ----------
export function profileClosures(entries) {
  fs.mkdirSync(profDir, { recursive: true });
  for (const e of entries) {
    if (e.group !== 'closure-creation' || e.pass) continue;
    const key = e.name.split('/')[1];
    const name = `${key}.cpuprofile`;
    fs.rmSync(path.join(profDir, name), { force: true });
    const out = child(bundles.teleport, [key, cfg.warmMs, cfg.batches, cfg.batchMs, 0], ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${name}`]);
    const summary = summariseProfile(path.join(profDir, name), out.timedUs);
    e.profile = { file: path.relative(root, path.join(profDir, name)), nsWhileProfiled: out.ns, top: summary.top.map((t) => ({ fn: t.fn, selfPct: t.pctOfBusy })) };
    console.log(`  profile ${key}: ${e.profile.top.slice(0, 3).map((t) => `${t.selfPct}% ${t.fn}`).join('; ')}`);
  }
}

// ---------- closure-strategies ----------
const strategiesFile = path.join(benchDir, 'src/strategies.mjs');
export async function runStrategies() {
  const { STRATEGIES, SHAPES } = await import(strategiesFile);
  const names = Object.keys(STRATEGIES);
  const raw = {};
  for (const shape of SHAPES) for (const s of names) raw[`${shape}/${s}`] = Object.fromEntries(strategyModes.map((m) => [m, []]));
  const chosen = new Set(SHAPES.flatMap((shape) => names.filter((s) => !filter || `closure-strategies/${shape}/${s}`.includes(filter)).map((s) => `${shape}/${s}`)));
  if (!chosen.size) return [];
  for (const shape of SHAPES) if ([...chosen].some((k) => k.startsWith(shape + '/'))) chosen.add(`${shape}/plain`); // the baseline
  const wanted = (shape, s) => chosen.has(`${shape}/${s}`);
  for (let run = 0; run < cfg.runs; run++) {
    const t0 = Date.now();
    for (const shape of SHAPES) {
      const order = run % 2 ? [...names].reverse() : names;
      for (const s of order) {
        if (!wanted(shape, s)) continue;
        for (const mode of strategyModes) {
          const out = child(strategiesFile, [s, shape, cfg.warmMs, cfg.batches, cfg.batchMs, mode === 'isolated' ? 1 : 0]);
          raw[`${shape}/${s}`][mode].push(out.ns);
        }
      }
    }
    console.log(`  closure-strategies run ${run + 1}/${cfg.runs} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const entries = [];
  for (const shape of SHAPES) {
    for (const s of names) {
      const r = raw[`${shape}/${s}`];
      const base = raw[`${shape}/plain`];
      if (!r.program.length || !base.program.length) continue;
      const c = compare(r.program, base.program);
      const entry = {
        name: `closure-strategies/${shape}/${s}`, group: 'closure-strategies', shape, strategy: STRATEGIES[s], unit: 'ns/closure', mode: 'program',
        median: c.inst.median, spread: c.inst.spread, runs: c.inst.runs,
        baseline: { name: `closure-strategies/${shape}/plain`, median: c.base.median, spread: c.base.spread, runs: c.base.runs },
        ratio: c.ratio, ratioSpread: c.ratioSpread, goal: `<= ${GOAL}x`, goalRatio: GOAL, pass: c.ratio <= GOAL,
      };
      if (r.isolated?.length) {
        const ci = compare(r.isolated, base.isolated);
        entry.isolated = { median: ci.inst.median, spread: ci.inst.spread, baseline: ci.base.median, ratio: ci.ratio, ratioSpread: ci.ratioSpread };
      }
      entries.push(entry);
    }
  }
  return entries;
}

