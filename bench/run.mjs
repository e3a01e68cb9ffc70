// Benchmark harness: `npm run bench` (add `-- --quick` for a run under two minutes).
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
//
// Writes bench/results.json and bench/RESULTS.md.
//
// options: --quick  --runs N  --filter <substring of a benchmark name>  --no-isolated
//          --no-strategies  --no-profile
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { teleport } from '../dist/plugins/esbuild/index.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(benchDir);
const outDir = path.join(benchDir, '.out');
const profDir = path.join(benchDir, '.prof');

// ---------- options ----------
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const cfg = quick
  ? { runs: 3, warmMs: 150, batches: 7, batchMs: 10 }
  : { runs: 5, warmMs: 300, batches: 11, batchMs: 20 };
if (option('--runs')) cfg.runs = Number(option('--runs'));
const filter = option('--filter');
const modes = flag('--no-isolated') ? ['program'] : ['program', 'isolated'];
// --quick measures the strategies in program mode only (the headline), to stay under two minutes
const strategyModes = quick ? ['program'] : modes;
const GOAL = 1.3;
const started = Date.now();

// ---------- machine ----------
const cpus = os.cpus();
const machine = {
  cores: cpus.length,
  availableParallelism: os.availableParallelism?.() ?? cpus.length,
  cpu: cpus[0]?.model?.trim() ?? 'unknown',
  mhz: cpus[0]?.speed ?? null,
  node: process.version,
  v8: process.versions.v8,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  memoryGB: Math.round(os.totalmem() / 2 ** 30),
  loadavgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
};
console.log(`machine: ${machine.cores} cores, ${machine.cpu}${machine.mhz ? ` @ ${machine.mhz} MHz` : ''}, Node ${machine.node} (V8 ${machine.v8}), ${machine.platform}, ${machine.memoryGB} GB, load ${machine.loadavgAtStart.join(' ')}`);
console.log(`config: ${quick ? 'quick' : 'full'}; ${cfg.runs} fresh processes per measurement; each: ${cfg.warmMs} ms warm-up, ${cfg.batches} timed batches of ~${cfg.batchMs} ms; modes: ${modes.join(", ")} (strategies: ${strategyModes.join(", ")})`);

// ---------- build ----------
const bundles = { plain: path.join(outDir, 'plain/closures.js'), teleport: path.join(outDir, 'teleport/closures.js') };
async function build() {
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

// ---------- children ----------
function child(file, args, nodeArgs = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, file, ...args], { cwd: root, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`child failed: node ${[...nodeArgs, path.relative(root, file), ...args].join(' ')}\n${r.stderr || r.error || ''}`);
  const line = r.stdout.trim().split('\n').pop();
  return JSON.parse(line);
}

// ---------- stats ----------
function quantile(sorted, q) {
  if (sorted.length === 1) return sorted[0];
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), spread: { min: s[0], max: s[s.length - 1], q1: quantile(s, 0.25), q3: quantile(s, 0.75) }, runs: xs };
}
const r2 = (x) => Math.round(x * 100) / 100;
const r3 = (x) => Math.round(x * 1000) / 1000;
function compare(inst, base) {
  const a = stats(inst), b = stats(base);
  const paired = inst.map((x, i) => x / base[i]).sort((x, y) => x - y);
  return { inst: a, base: b, ratio: a.median / b.median, ratioSpread: { min: paired[0], max: paired[paired.length - 1] } };
}

// ---------- closure-creation ----------
const PATTERNS = [
  { key: 'capturing', label: '(a) capturing closure: `make(k)` returns `(x) => x + k`', unit: 'ns/closure' },
  { key: 'captureFree', label: '(b) capture-free arrow `(x) => x * 2` created per iteration', unit: 'ns/closure' },
  { key: 'perIterationLet', label: '(c) closure over a per-iteration `let` (`for (let i…) () => i`)', unit: 'ns/closure' },
  { key: 'objectMethod', label: '(d) object literal with a method, per iteration', unit: 'ns/object' },
  { key: 'classInstance', label: '(e) `new Counter(i)` + method call', unit: 'ns/instance' },
  { key: 'classArrowField', label: '(f) `new Button(i)`, class with an arrow-function field', unit: 'ns/instance' },
  { key: 'callCapturing', label: '(g) calling a capturing closure (probe check per call; 1,024 closures refilled per batch)', unit: 'ns/call', goal: 1.03 },
].filter((p) => !filter || `closure-creation/${p.key}`.includes(filter));

function runClosures() {
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
/** Self time by function over the timed batches only (window from the child, same clock as the profile). */
function summariseProfile(file, [fromUs, toUs]) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frame = (n) => {
    const cf = n.callFrame;
    let where = '';
    if (cf.url) {
      const file = cf.url.startsWith('file:') ? path.relative(root, fileURLToPath(cf.url)) : cf.url;
      where = ` ${file.replace(/^bench\/\.out\/teleport\//, 'bundle:')}:${cf.lineNumber + 1}`;
    }
    return `${cf.functionName || '(anonymous)'}${where}`;
  };
  const self = new Map();
  let total = 0;
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    t += dt;
    if (t < fromUs || t > toUs) continue;
    const id = prof.samples[i];
    const n = byId.get(id);
    let key = frame(n);
    if (!n.callFrame.url && !n.callFrame.functionName.startsWith('(') && parent.has(id)) key += ` <- ${frame(byId.get(parent.get(id)))}`; // natives: say who called them
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([fn, us]) => ({ fn, selfPct: Math.round((1000 * us) / total) / 10 }));
}

function profile(entries) {
  fs.mkdirSync(profDir, { recursive: true });
  for (const e of entries) {
    if (e.group !== 'closure-creation' || e.pass) continue;
    const key = e.name.split('/')[1];
    const name = `${key}.cpuprofile`;
    fs.rmSync(path.join(profDir, name), { force: true });
    const out = child(bundles.teleport, [key, cfg.warmMs, cfg.batches, cfg.batchMs, 0], ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${name}`]);
    e.profile = { file: path.relative(root, path.join(profDir, name)), nsWhileProfiled: out.ns, top: summariseProfile(path.join(profDir, name), out.timedUs) };
    console.log(`  profile ${key}: ${e.profile.top.slice(0, 3).map((t) => `${t.selfPct}% ${t.fn}`).join('; ')}`);
  }
}

// ---------- closure-strategies ----------
const strategiesFile = path.join(benchDir, 'src/strategies.mjs');
async function runStrategies() {
  const { STRATEGIES, SHAPES } = await import(strategiesFile);
  const names = Object.keys(STRATEGIES);
  const raw = {};
  for (const shape of SHAPES) for (const s of names) raw[`${shape}/${s}`] = Object.fromEntries(strategyModes.map((m) => [m, []]));
  const chosen = new Set(SHAPES.flatMap((shape) => names.filter((s) => !filter || `closure-strategies/${shape}/${s}`.includes(filter)).map((s) => `${shape}/${s}`)));
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

// ---------- output ----------
const fmtNs = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmtRatio = (x) => `${x.toFixed(2)}x`;
const range = (s) => `${fmtNs(s.min)}–${fmtNs(s.max)}`;
const rrange = (s) => `${s.min.toFixed(2)}–${s.max.toFixed(2)}`;

function markdown(results) {
  const m = results.machine;
  const L = [];
  L.push('# Benchmark results', '');
  L.push(`Generated by \`npm run bench${results.quick ? ' -- --quick' : ''}\` (bench/run.mjs) on ${results.generated.slice(0, 10)}.`, '');
  L.push(`Machine: ${m.cores} cores, ${m.cpu}, Node ${m.node} (V8 ${m.v8}), ${m.platform}, load average at start ${m.loadavgAtStart.join(' ')}.`, '');
  L.push(`Method: every number is the median over ${results.config.runs} fresh Node processes; each process warms up for ${results.config.warmMs} ms, then times ${results.config.batches} batches of about ${results.config.batchMs} ms with \`process.hrtime.bigint()\` and reports its median batch. Everything created is stored into a preallocated ring array that is checksummed (by calling what was created) after each batch, so no allocation can be optimised away. "range" is min–max over the processes; the ratio range is min–max of the per-run ratios (teleport and plain processes of a run are adjacent in time).`, '');
  L.push('*Program* mode (headline): before timing, each process runs all patterns and creates several other function kinds (async, generator, methods, classes), so the shared `$tp` hooks are in the state a real program leaves them in. *Isolated* mode runs the pattern alone, so the hooks only ever see one function shape: a best case, shown for contrast.', '');

  const cc = results.benchmarks.filter((b) => b.group === 'closure-creation');
  if (cc.length) {
    L.push('## closure-creation', '');
    L.push('bench/src/closures.ts bundled with esbuild (bundle, esm, platform node) without and with the Teleport plugin.', '');
    L.push(`| Pattern | Unit | plain | teleport | ratio (range) | isolated ratio | goal | |`);
    L.push('|---|---|---:|---:|---:|---:|---:|---|');
    for (const b of cc) {
      const iso = b.isolated ? `${fmtRatio(b.isolated.ratio)} (${fmtNs(b.isolated.baseline)} → ${fmtNs(b.isolated.median)})` : '–';
      L.push(`| ${b.pattern} | ${b.unit} | ${fmtNs(b.baseline.median)} (${range(b.baseline.spread)}) | ${fmtNs(b.median)} (${range(b.spread)}) | **${fmtRatio(b.ratio)}** (${rrange(b.ratioSpread)}) | ${iso} | ${b.goal} | ${b.pass ? 'ok' : 'over'} |`);
    }
    L.push('');
    const profiled = cc.filter((b) => b.profile);
    if (profiled.length) {
      L.push('### Where the time goes (teleport build, program mode: self time during the timed batches of one `--cpu-prof` run)', '');
      for (const b of profiled) L.push(`- **${b.name.split('/')[1]}** (${b.profile.file}): ${b.profile.top.slice(0, 4).map((t) => `${t.selfPct}% \`${t.fn}\``).join(', ')}`);
      L.push('');
    }
  }

  const cs = results.benchmarks.filter((b) => b.group === 'closure-strategies');
  if (cs.length) {
    L.push('## closure-strategies', '');
    L.push('Hand-written instrumentation strategies measured while choosing the design (the transform now emits the "no store: fn answers a probe flag" strategy for closures over function scopes and a directive, with no store at all, for module-level functions) (bench/src/strategies.mjs), ns per created closure. *capturing*: `function make(k) { return (x) => x + k }` in a loop (one env reader per scope instance, created lazily as the transform does). *captureFree*: `(x) => x * 2` created per iteration (module env, known statically). Ratios are against the uninstrumented code of the same shape, in the same mode.', '');
    const shapes = [...new Set(cs.map((b) => b.shape))];
    const strategies = [...new Set(cs.map((b) => b.strategy))];
    const head = ['Strategy', ...shapes.flatMap((s) => [`${s} ns (range)`, `${s} ratio`, `${s} isolated`])];
    L.push(`| ${head.join(' | ')} |`);
    L.push(`|---|${shapes.map(() => '---:|---:|---:|').join('')}`);
    for (const st of strategies) {
      const cells = shapes.flatMap((sh) => {
        const b = cs.find((x) => x.shape === sh && x.strategy === st);
        if (!b) return ['–', '–', '–'];
        const plain = b.name.endsWith('/plain');
        return [`${fmtNs(b.median)} (${range(b.spread)})`, plain ? '1.00x' : `**${fmtRatio(b.ratio)}** (${rrange(b.ratioSpread)})`, b.isolated ? (plain ? '1.00x' : fmtRatio(b.isolated.ratio)) : '–'];
      });
      L.push(`| ${st} | ${cells.join(' | ')} |`);
    }
    L.push('');
  }
  L.push(`Raw numbers: bench/results.json. Total harness time ${Math.round(results.seconds)} s.`, '');
  return L.join('\n');
}

function printTable(entries) {
  for (const b of entries) {
    const iso = b.isolated ? `  isolated ${fmtRatio(b.isolated.ratio)}` : '';
    console.log(`  ${b.name.padEnd(44)} ${fmtNs(b.baseline.median).padStart(6)} -> ${fmtNs(b.median).padStart(6)} ${b.unit.padEnd(12)} ${fmtRatio(b.ratio).padStart(7)} [${rrange(b.ratioSpread)}]${iso}  ${b.group === 'closure-creation' ? (b.pass ? 'ok' : `over ${b.goal}`) : ''}`);
  }
}

// ---------- main ----------
await build();
const benchmarks = [];
if (PATTERNS.length) {
  const cc = runClosures();
  if (!flag('--no-profile')) profile(cc);
  benchmarks.push(...cc);
}
if (!flag('--no-strategies')) benchmarks.push(...(await runStrategies()));

const roundDeep = (v) => (typeof v === 'number' ? r3(v) : Array.isArray(v) ? v.map(roundDeep) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundDeep(x)])) : v);
const results = {
  generated: new Date().toISOString(), quick, config: { ...cfg, modes, strategyModes, goalRatio: GOAL }, seconds: (Date.now() - started) / 1000,
  machine, benchmarks: roundDeep(benchmarks),
};
console.log('\nresults (median ns, plain -> instrumented/strategy, ratio [per-run range]):');
printTable(results.benchmarks);
if (filter) {
  console.log(`\n--filter: partial run, bench/results.json and bench/RESULTS.md left unchanged (${r2(results.seconds)} s)`);
} else {
  fs.writeFileSync(path.join(benchDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(benchDir, 'RESULTS.md'), markdown(results));
  console.log(`\nwrote bench/results.json and bench/RESULTS.md in ${r2(results.seconds)} s`);
}
