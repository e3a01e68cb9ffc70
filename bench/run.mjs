// Benchmark harness: `npm run bench` (add `-- --quick` for a run under two minutes).
//
// Groups (each in its own module, every measurement in fresh child processes):
//   closure-creation, closure-strategies   bench/closures.mjs: what the instrumentation costs
//                                          where functions are created and called
//   workload                               bench/workload.mjs: what it costs on a realistic program
//                                          (an interpreter and a JSON parser, bench/src/interp/)
//   latency, throughput, cpu, capture,     bench/peers.mjs: Teleport against piscina, tinypool,
//   pickle                                 workerpool, raw worker_threads, v8.serialize,
//                                          structuredClone, serialize-javascript and seroval
//   build                                  bench/build.mjs: build time of a generated 50k-line
//                                          codebase, esbuild with vs without the plugin and tsc
//                                          vs tspc with the transformer
//
// Writes bench/results.json, then renders bench/RESULTS.md and bench/ratios.svg from it
// (bench/report.mjs; `npm run bench:report` renders them again from results.json alone).
//
// options: --quick  --runs N  --groups <comma list of groups above, or 'closures'/'peers'>
//          --filter <substring of a benchmark name>  --no-isolated  --no-strategies  --no-profile
//          --profile (profile missed goals in a --quick run too)
//          --out <file> (also write the results there)
//          --wait-idle [--wait-idle-max S]: before each peer run, wait up to S s (120) until other
//          processes leave the CPU idle (for shared machines)
//          --merge (with --groups of peer groups, workload and/or build): the re-measured groups
//          replace theirs in bench/results.json (same mode), and the reports are rendered again
// With --groups or --filter the run is partial: results.json and the reports are left unchanged
// (unless --merge).
// --quick: 3 runs (2 for closure-creation, capture and pickle) with shorter warm-ups and batches,
// closure-creation in program mode only, no closure-strategies, workload on the esbuild builds
// only (paired processes), a smaller generated codebase for build (see bench/build.mjs), and no
// profiles of missed goals unless --profile (1m53s on an idle 2-core machine, the build included;
// a full run takes ~20 min idle, ~30 min on a busy machine).
// The peer groups sample how busy the machine is before each run (other processes' load) and
// the report flags the groups measured on a busy machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GOAL, buildClosures, closureConfig, profileClosures, runClosures, runStrategies, selectedPatterns, setClosureContext } from './closures.mjs';
import { GROUPS as PEER_GROUPS, buildPeers, peerConfig, runPeers } from './peers.mjs';
import { buildWorkload, runWorkload, workloadConfig } from './workload.mjs';
import { GROUP as BUILD_GROUP, buildConfig, profileBuild, runBuild } from './build.mjs';
import { benchDir, cpuBusyNow, machineInfo, roundDeep } from './lib.mjs';
import { printSummary, writeReports } from './report.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const filter = option('--filter');
const runsOption = option('--runs') ? Number(option('--runs')) : undefined;
const started = Date.now();

// ---------- which groups ----------
const ALL = ['closure-creation', 'closure-strategies', 'workload', ...PEER_GROUPS, BUILD_GROUP];
let groups = ALL;
if (option('--groups')) {
  const wanted = option('--groups').split(',').flatMap((g) => (g === 'closures' ? ['closure-creation', 'closure-strategies'] : g === 'peers' ? PEER_GROUPS : [g]));
  for (const g of wanted) if (!ALL.includes(g)) throw new Error(`unknown group ${g}; groups: ${ALL.join(', ')}, closures, peers`);
  groups = ALL.filter((g) => wanted.includes(g));
}
// --filter: the closure groups select their own benchmarks by name (closure-creation/<pattern>,
// closure-strategies/<shape>/<strategy>); a peer group runs when the filter names it
if (filter) groups = groups.filter((g) => g.startsWith('closure-') || g.includes(filter) || filter.startsWith(g));
if (flag('--no-strategies')) groups = groups.filter((g) => g !== 'closure-strategies');
// --quick: the closure benchmarks in program mode only (the headline) and without the strategy
// comparison, so that the whole run, peers included, stays under two minutes on 2 cores
if (quick && !option('--groups') && !filter) groups = groups.filter((g) => g !== 'closure-strategies');
const partial = !!(filter || option('--groups'));

const closureCfg = closureConfig(quick);
if (runsOption) closureCfg.runs = runsOption;
const modes = flag('--no-isolated') || quick ? ['program'] : ['program', 'isolated'];
const strategyModes = quick ? ['program'] : modes;
setClosureContext({ cfg: closureCfg, filter, modes, strategyModes });
const peersCfg = peerConfig(quick);
if (runsOption) peersCfg.runs = runsOption;
const workloadCfg = workloadConfig(quick);
if (runsOption) workloadCfg.runs = runsOption;
const buildCfg = buildConfig(quick);
if (runsOption) buildCfg.runs = runsOption;

// ---------- machine ----------
const machine = machineInfo();
machine.cpuBusyAtStart = cpuBusyNow(500); // other processes' load, sampled before anything of ours runs
console.log(`machine: ${machine.cores} cores, ${machine.cpu}${machine.mhz ? ` @ ${machine.mhz} MHz` : ''}, Node ${machine.node} (V8 ${machine.v8}), ${machine.platform}, ${machine.memoryGB} GB, load ${machine.loadavgAtStart.join(' ')}${machine.cpuBusyAtStart === null ? '' : `, CPU ${Math.round(machine.cpuBusyAtStart * 100)}% busy before the run`}`);
console.log(`config: ${quick ? 'quick' : 'full'}; groups: ${groups.join(', ')}`);
console.log(`  closures: ${closureCfg.runs} fresh processes per measurement; each: ${closureCfg.warmMs} ms warm-up, ${closureCfg.batches} timed batches of ~${closureCfg.batchMs} ms; modes: ${modes.join(', ')}`);
console.log(`  workload: ${workloadCfg.runs} runs (${workloadCfg.pairs.join(', ')}); each: ${workloadCfg.warmMs} ms warm-up per build, ${workloadCfg.batches} timed batches of ~${workloadCfg.batchMs} ms per build`);
console.log(`  peers: ${peersCfg.runs} runs, each contender in a fresh process per run`);
console.log(`  build: ${buildCfg.runs} runs after ${buildCfg.warmup} warm-up, ${buildCfg.modules} generated modules, every build a fresh process`);

// ---------- run ----------
const benchmarks = [];
let peers;
if (groups.includes('closure-creation') && selectedPatterns().length) {
  await buildClosures();
  const cc = runClosures();
  if (!flag('--no-profile')) profileClosures(cc);
  benchmarks.push(...cc);
}
if (groups.includes('closure-strategies')) benchmarks.push(...(await runStrategies()));
let workload;
if (groups.includes('workload')) {
  await buildWorkload(workloadCfg.pairs);
  workload = runWorkload(workloadCfg, { profile: quick ? flag('--profile') : !flag('--no-profile') });
  benchmarks.push(...workload.benchmarks);
}
const peerGroups = PEER_GROUPS.filter((g) => groups.includes(g));
if (peerGroups.length) {
  await buildPeers();
  // --quick profiles missed goals only when asked (--profile): it would cost a fifth of its budget
  peers = runPeers(peersCfg, { groups: peerGroups, profile: quick ? flag('--profile') : !flag('--no-profile'), wait: flag('--wait-idle') ? 1000 * Number(option('--wait-idle-max') ?? 120) : 0 });
  benchmarks.push(...peers.entries);
}

let build;
if (groups.includes(BUILD_GROUP)) {
  build = runBuild(buildCfg);
  // like the peer groups: --quick profiles a missed goal only when asked
  if (quick ? flag('--profile') : !flag('--no-profile')) build.profiles = profileBuild(build.comparisons);
  benchmarks.push(...build.entries);
}

machine.loadavgAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
machine.cpuBusyAtEnd = cpuBusyNow(500);
const results = roundDeep({
  generated: new Date().toISOString(), quick, seconds: (Date.now() - started) / 1000,
  config: { ...closureCfg, modes, strategyModes, goalRatio: GOAL, groups, peers: peersCfg, workload: workloadCfg, build: buildCfg },
  machine, benchmarks,
  ...(peers ? { notRepresentable: peers.notRepresentable, cpuBusyBeforeGroup: peers.busyBefore } : {}),
  ...(peers || build ? { otherProcessesCpuDuringRuns: { ...peers?.othersDuringRuns, ...(build ? { [BUILD_GROUP]: build.othersDuringRuns } : {}) } } : {}),
  ...(peers || workload || build ? { comparisons: [...(peers?.comparisons ?? []), ...(workload?.comparisons ?? []), ...(build?.comparisons ?? [])], profiles: [...(peers?.profiles ?? []), ...(build?.profiles ?? [])] } : {}),
  ...(build ? { buildCodebase: build.codebase } : {}),
});
printSummary(results);
if (option('--out')) {
  fs.writeFileSync(option('--out'), JSON.stringify(results, null, 2) + '\n');
  console.log(`wrote ${option('--out')}`);
}
const MERGEABLE = [...PEER_GROUPS, 'workload', BUILD_GROUP];
if (partial && flag('--merge') && !filter && (peers || workload || build) && groups.every((g) => MERGEABLE.includes(g))) {
  // re-measured peer groups replace theirs in bench/results.json (same mode only); the report
  // says which groups were re-measured, when, and on what machine state
  const file = path.join(benchDir, 'results.json');
  const old = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (old.quick !== quick) throw new Error(`--merge: bench/results.json is from a ${old.quick ? 'quick' : 'full'} run; re-measure with the same mode`);
  const gs = new Set(groups);
  const merged = {
    ...old,
    benchmarks: [...old.benchmarks.filter((b) => !gs.has(b.group)), ...results.benchmarks],
    comparisons: [...(old.comparisons ?? []).filter((c) => !gs.has(c.group)), ...results.comparisons].sort((a, b) => ALL.indexOf(a.group) - ALL.indexOf(b.group)),
    profiles: [...(old.profiles ?? []).filter((p) => !gs.has(p.key.split('-')[0])), ...(results.profiles ?? [])],
    config: { ...old.config, ...(workload ? { workload: workloadCfg } : {}), ...(build ? { build: buildCfg } : {}) },
    ...(build ? { buildCodebase: results.buildCodebase } : {}),
    cpuBusyBeforeGroup: { ...old.cpuBusyBeforeGroup, ...results.cpuBusyBeforeGroup },
    otherProcessesCpuDuringRuns: { ...old.otherProcessesCpuDuringRuns, ...results.otherProcessesCpuDuringRuns },
    remeasured: [...(old.remeasured ?? []).filter((r) => !r.groups.every((g) => gs.has(g))), { groups, generated: results.generated, seconds: results.seconds, machine: results.machine }],
  };
  merged.benchmarks.sort((a, b) => [...ALL].indexOf(a.group) - [...ALL].indexOf(b.group));
  fs.writeFileSync(file, JSON.stringify(merged, null, 2) + '\n');
  writeReports(merged);
  console.log(`\n--merge: ${groups.join(', ')} replaced in bench/results.json; reports rendered again (${Math.round(results.seconds)} s)`);
} else if (partial) {
  console.log(`\npartial run (--groups/--filter): bench/results.json and the reports left unchanged (${Math.round(results.seconds)} s)`);
} else {
  fs.writeFileSync(path.join(benchDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeReports(results);
  console.log(`\nwrote bench/results.json, bench/RESULTS.md and bench/ratios.svg in ${Math.round(results.seconds)} s`);
}
