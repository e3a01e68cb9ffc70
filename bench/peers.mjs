// Benchmarks against peers: task latency, map throughput, CPU-bound speedup, a large capture,
// and pickle speed. The Teleport side is bench/src/teleport.ts, a TypeScript program that uses
// only the public API (`Pool`, `dumps`, `loads`), bundled with esbuild and the Teleport plugin
// exactly as a user builds (bundle, esm, splitting, platform node, `teleport({ root })`). The
// pool peers run bench/src/pools.mjs (plain JavaScript: piscina and tinypool with a static worker
// file, workerpool with exec(fn), and a raw worker_threads ping-pong). The serializer peers run
// inside the Teleport program, on the same values.
//
// Every measurement is one fresh process per contender per run; the contenders of a run are
// adjacent in time and their order alternates between runs. Each child warms up, then times
// several batches (or whole calls) and reports the median; here we take the median over runs,
// the min–max over runs as the spread, and ratios from the per-run pairs. A comparison whose goal
// is missed is measured once more under --cpu-prof (every thread), summarised by category and
// function (bench/.prof/<name>/).
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { teleport } from '../dist/plugins/esbuild/index.js';
import { benchDir, child, cpuBusyNow, otherLoadMeter, outDir, pairedRatio, profiledChild, root, stats } from './lib.mjs';

const tpBundle = path.join(outDir, 'peers/teleport.js');
const peersFile = path.join(benchDir, 'src/pools.mjs');
const cores = os.availableParallelism();

export const GROUPS = ['latency', 'throughput', 'cpu', 'capture', 'pickle'];

export function peerConfig(quick) {
  return quick
    ? {
        runs: 3,
        latency: { warmMs: 400, batches: 5, batchMs: 50 },
        throughput: { n: 1_000_000, reps: 2, peerN: 10_000, peerReps: 1 },
        cpu: { items: 120, iters: 2_000_000, reps: 1, maxWorkers: cores },
        capture: { length: 6_553_600, items: 1000, window: 1 << 20, reps: 1, runs: 2 },
        pickle: { warmMs: 30, batches: 3, batchMs: 15, runs: 2 },
      }
    : {
        runs: 5,
        latency: { warmMs: 2000, batches: 9, batchMs: 100 },
        throughput: { n: 1_000_000, reps: 5, peerN: 30_000, peerReps: 3 },
        cpu: { items: 400, iters: 2_000_000, reps: 3, maxWorkers: cores },
        capture: { length: 6_553_600, items: 1000, window: 1 << 20, reps: 3 },
        pickle: { warmMs: 200, batches: 11, batchMs: 40 },
      };
}

export async function buildPeers() {
  await esbuild.build({
    entryPoints: [path.join(benchDir, 'src/teleport.ts')], outdir: path.dirname(tpBundle), bundle: true, format: 'esm', splitting: true,
    platform: 'node', target: 'node20', sourcemap: true, logLevel: 'error', plugins: [teleport({ root })],
  });
}

// --wait-idle: before each run, wait (up to waitIdle.maxMs) until other processes leave the CPU
// idle; the busy share seen before each run is kept either way, and the report flags busy groups
let waitIdle = null;
let busySeen = [];
let othersDuring = [];
let meter = null;
/** ends the current run's measurement of other processes' CPU share */
function endRun() {
  if (meter) othersDuring.push(meter.stop());
  meter = null;
}
function beforeRun() {
  endRun();
  let busy = cpuBusyNow(250);
  if (waitIdle) {
    const until = Date.now() + waitIdle.maxMs;
    if (busy > 0.15) process.stdout.write(`  (waiting for other processes to leave the CPU idle: ${Math.round(busy * 100)}% busy)\n`);
    while (busy > 0.15 && Date.now() < until) busy = cpuBusyNow(1000);
  }
  busySeen.push(busy);
  meter = otherLoadMeter();
}

// pickle children expose gc(): a minor GC before each timed batch (see timeInterleaved)
const tp = (bench, cfg) => child(tpBundle, [bench, JSON.stringify(cfg)], bench === 'pickle' ? ['--expose-gc'] : []);
const peer = (bench, name, cfg) => child(peersFile, [bench, name, JSON.stringify(cfg)]);
const alternate = (list, run) => (run % 2 ? [...list].reverse() : list);
const fmtGoal = (op, v) => `${op} ${v}x`;

/** A comparison row: `value` = a / b per run (paired), checked against an optional goal. */
function comparison({ id, group, title, a, b, metric, goal, note }) {
  const r = pairedRatio(a.runs, b.runs);
  const row = { id, group, title, metric, teleport: { name: a.name, median: a.median, unit: a.unit }, peer: { name: b.name, median: b.median, unit: b.unit }, ratio: r.ratio, ratioSpread: r.ratioSpread };
  if (goal) Object.assign(row, { goal: fmtGoal(goal.op, goal.value), goalOp: goal.op, goalValue: goal.value, pass: goal.op === '<=' ? r.ratio <= goal.value : r.ratio >= goal.value });
  if (note) row.note = note;
  return row;
}
function entry(group, name, contender, unit, xs, extra = {}) {
  const s = stats(xs);
  return { name, group, contender, unit, median: s.median, spread: s.spread, runs: s.runs, ...extra };
}

// ---------- 1. task latency ----------
const LATENCY_PEERS = ['piscina', 'tinypool', 'workerpool', 'worker_threads'];
// Teleport twice: the default (the headline ratios) and with the Pool option atomics: 'sync'
const LATENCY_TELEPORT = { teleport: undefined, 'teleport-sync': 'sync' };
const latencyArgs = (cfg, atomics) => (atomics ? { ...cfg.latency, atomics } : cfg.latency);
function runLatency(cfg, runs) {
  const contenders = [...Object.keys(LATENCY_TELEPORT), ...LATENCY_PEERS];
  const raw = Object.fromEntries(contenders.map((c) => [c, { us: [], cpu: [] }]));
  for (let run = 0; run < runs; run++) {
    beforeRun();
    const t0 = Date.now();
    for (const c of alternate(contenders, run)) {
      const out = c in LATENCY_TELEPORT ? tp('latency', latencyArgs(cfg, LATENCY_TELEPORT[c])) : peer('latency', c, cfg.latency);
      raw[c].us.push(out.us);
      raw[c].cpu.push(out.cpuUs);
    }
    console.log(`  latency run ${run + 1}/${runs} (${((Date.now() - t0) / 1000).toFixed(1)} s): ${Object.entries(raw).map(([c, v]) => `${c} ${v.us.at(-1).toFixed(1)}`).join(', ')} µs/call`);
  }
  const label = {
    teleport: 'Teleport `pool.run(closure, x)`', 'teleport-sync': "Teleport `pool.run(closure, x)`, `atomics: 'sync'`", piscina: 'piscina `run(x)`, static worker file', tinypool: 'tinypool `run(x)`, static worker file',
    workerpool: 'workerpool `exec(fn, [x])`', worker_threads: 'raw worker_threads postMessage ping-pong (1 worker)',
  };
  const entries = Object.entries(raw).map(([c, v]) => entry('latency', `latency/${c}`, c, 'µs/call', v.us, { label: label[c], cpuUsPerCall: stats(v.cpu).median }));
  const [tpE, syncE] = entries;
  const metric = 'µs per sequential call, ratio (lower is better)';
  const goal = { op: '<=', value: 1.1 };
  const comparisons = entries.slice(2).map((e) => comparison({
    id: `latency-vs-${e.contender}`, group: 'latency', title: `task latency: Teleport / ${e.contender}`, metric,
    a: tpE, b: e, goal: e.contender === 'piscina' ? goal : undefined,
  }));
  // the same goal for the 'sync' configuration, as a row of its own after the headline one
  const piscina = entries.find((e) => e.contender === 'piscina');
  comparisons.splice(1, 0, comparison({ id: 'latency-sync-vs-piscina', group: 'latency', title: "task latency: Teleport (atomics: 'sync') / piscina", metric, a: syncE, b: piscina, goal }));
  return { entries, comparisons };
}

// ---------- 2. map throughput ----------
const THROUGHPUT_PEERS = ['piscina', 'tinypool', 'workerpool'];
function runThroughput(cfg, runs) {
  const c0 = cfg.throughput;
  const raw = Object.fromEntries(['teleport', ...THROUGHPUT_PEERS].map((c) => [c, { ips: [], us: [], messages: [] }]));
  for (let run = 0; run < runs; run++) {
    beforeRun();
    const t0 = Date.now();
    for (const c of alternate(['teleport', ...THROUGHPUT_PEERS], run)) {
      const out = c === 'teleport' ? tp('map', { n: c0.n, reps: c0.reps }) : peer('map', c, { n: c0.peerN, reps: c0.peerReps });
      raw[c].ips.push(out.itemsPerSec);
      raw[c].us.push(out.usPerItem);
      if (out.messagesPerCall) raw[c].messages.push(out.messagesPerCall);
    }
    console.log(`  throughput run ${run + 1}/${runs} (${((Date.now() - t0) / 1000).toFixed(1)} s): ${Object.entries(raw).map(([c, v]) => `${c} ${Math.round(v.ips.at(-1)).toLocaleString('en')}`).join(', ')} items/s`);
  }
  const label = {
    teleport: `Teleport \`pool.map((x) => x * 2, items)\`, ${c0.n.toLocaleString('en')} items, automatic chunking`,
    piscina: `piscina, one \`run(x)\` per item (${c0.peerN.toLocaleString('en')} items, all submitted at once)`,
    tinypool: `tinypool, one \`run(x)\` per item (${c0.peerN.toLocaleString('en')} items)`,
    workerpool: `workerpool, one \`exec(fn, [x])\` per item (${c0.peerN.toLocaleString('en')} items)`,
  };
  const entries = Object.entries(raw).map(([c, v]) => entry('throughput', `throughput/${c}`, c, 'items/s', v.ips, {
    label: label[c], usPerItem: stats(v.us).median, ...(v.messages.length ? { messagesPerCall: stats(v.messages).median } : {}),
  }));
  const tpE = entries[0];
  const comparisons = entries.slice(1).map((e) => comparison({
    id: `throughput-vs-${e.contender}`, group: 'throughput', title: `map throughput: Teleport / ${e.contender} items/s`, metric: 'items per second, ratio (higher is better)',
    a: tpE, b: e, goal: e.contender === 'piscina' ? { op: '>=', value: 20 } : undefined,
  }));
  const perItem = stats(raw.teleport.us);
  comparisons.push({
    id: 'throughput-per-item', group: 'throughput', title: 'map: Teleport wall time per item', metric: 'µs per item (lower is better)',
    teleport: { name: 'throughput/teleport', median: perItem.median, unit: 'µs/item' }, value: perItem.median, valueSpread: perItem.spread, unit: 'µs/item',
    goal: '<= 1.5 µs', goalOp: '<=', goalValue: 1.5, pass: perItem.median <= 1.5,
  });
  return { entries, comparisons };
}

// ---------- 3. CPU-bound speedup ----------
function runCpu(cfg, runs) {
  const c0 = cfg.cpu;
  const ws = Array.from({ length: c0.maxWorkers }, (_, i) => i + 1);
  const raw = { serial: [], teleport: Object.fromEntries(ws.map((w) => [w, []])), piscina: Object.fromEntries(ws.map((w) => [w, []])) };
  for (let run = 0; run < runs; run++) {
    beforeRun();
    const t0 = Date.now();
    let serialMs;
    const outs = {};
    for (const c of alternate(['teleport', 'piscina'], run)) outs[c] = c === 'teleport' ? tp('cpu', c0) : peer('cpu', 'piscina', c0);
    serialMs = outs.teleport.serialMs;
    raw.serial.push(serialMs);
    for (const w of ws) {
      // each process times its own serial runs, taking turns with its pools
      raw.teleport[w].push(outs.teleport[`w${w}`].speedup);
      raw.piscina[w].push(outs.piscina[`w${w}`].speedup);
    }
    console.log(`  cpu run ${run + 1}/${runs} (${((Date.now() - t0) / 1000).toFixed(1)} s): serial ${serialMs.toFixed(0)} ms; speedup ${ws.map((w) => `w${w} teleport ${raw.teleport[w].at(-1).toFixed(2)} piscina ${raw.piscina[w].at(-1).toFixed(2)}`).join(', ')}`);
  }
  const work = `${c0.items} items of ~${((raw.serial.reduce((a, b) => a + b, 0) / raw.serial.length) / c0.items).toFixed(1)} ms (integer LCG loop)`;
  const entries = [entry('cpu', 'cpu/serial', 'serial', 'ms', raw.serial, { label: `serial, main thread: ${work}` })];
  const comparisons = [];
  for (const w of ws) {
    const e = entry('cpu', `cpu/teleport/w${w}`, 'teleport', 'x speedup', raw.teleport[w], { workers: w, label: `Teleport \`pool.map(fn, items)\`, ${w} worker${w > 1 ? 's' : ''}` });
    const p = entry('cpu', `cpu/piscina/w${w}`, 'piscina', 'x speedup', raw.piscina[w], { workers: w, label: `piscina, one \`run\` per item, ${w} thread${w > 1 ? 's' : ''}` });
    entries.push(e, p);
    const eff = stats(raw.teleport[w].map((x) => x / w));
    comparisons.push({
      id: `cpu-w${w}`, group: 'cpu', title: `CPU-bound speedup / workers, ${w} worker${w > 1 ? 's' : ''} (Teleport)`, metric: 'speedup over serial ÷ workers (higher is better)',
      teleport: { name: e.name, median: e.median, unit: 'x' }, peer: { name: p.name, median: p.median, unit: 'x', note: 'piscina speedup, for reference' },
      ratio: eff.median, ratioSpread: { min: eff.spread.min, max: eff.spread.max }, goal: `>= 0.9x (speedup >= ${(0.9 * w).toFixed(1)})`, goalOp: '>=', goalValue: 0.9, pass: eff.median >= 0.9,
    });
  }
  return { entries, comparisons };
}

// ---------- 4. large capture ----------
function runCapture(cfg, runs) {
  const c0 = cfg.capture;
  const raw = { captured: [], preloaded: [], serial: [], bytesPosted: [] };
  for (let run = 0; run < runs; run++) {
    beforeRun();
    const t0 = Date.now();
    const out = tp('capture', c0);
    raw.captured.push(out.captureMs);
    raw.preloaded.push(out.preloadMs);
    raw.serial.push(out.serialMs);
    raw.bytesPosted.push(out.bytesPostedPerCall);
    console.log(`  capture run ${run + 1}/${runs} (${((Date.now() - t0) / 1000).toFixed(1)} s): captured ${out.captureMs.toFixed(0)} ms, preloaded ${out.preloadMs.toFixed(0)} ms, ${(out.bytesPostedPerCall / 2 ** 20).toFixed(1)} MiB posted per call`);
  }
  const mib = (c0.length * 8) / 2 ** 20;
  const what = `${c0.items} items, each summing a ${(c0.window * 8) / 2 ** 20} MiB window of a ${mib} MiB Float64Array`;
  const a = entry('capture', 'capture/captured', 'teleport', 'ms/call', raw.captured, { label: `Teleport: the array captured by the mapped closure (${what})`, bytesPostedPerCall: stats(raw.bytesPosted).median });
  const b = entry('capture', 'capture/preloaded', 'preloaded', 'ms/call', raw.preloaded, { label: 'Teleport: the same data built in each worker by `setup`, read from a global' });
  const s = entry('capture', 'capture/serial', 'serial', 'ms', raw.serial, { label: 'the same items serially on the main thread, for scale' });
  const overhead = stats(raw.captured.map((x, i) => x - raw.preloaded[i]));
  return {
    entries: [a, b, s],
    comparisons: [comparison({
      id: 'capture', group: 'capture', title: `large capture: ${mib} MiB captured / preloaded in each worker`, metric: 'ms per map call, ratio (lower is better)', a, b,
      goal: { op: '<=', value: 1.2 }, note: `extra time per call ${overhead.median.toFixed(0)} ms (range ${overhead.spread.min.toFixed(0)}–${overhead.spread.max.toFixed(0)})`,
    })],
  };
}

// ---------- 5. pickle speed ----------
const GRAPHS = ['plain', 'instances', 'closures', 'graph'];
const SERIALIZERS = ['teleport', 'v8', 'structuredClone', 'serialize-javascript', 'seroval'];
function runPickle(cfg, runs) {
  const raw = {};
  const na = {};
  const describe = {};
  for (const g of GRAPHS) {
    raw[g] = Object.fromEntries(SERIALIZERS.map((s) => [s, { dumpsUs: [], loadsUs: [], roundTripUs: [], bytes: [] }]));
    na[g] = {};
  }
  for (let run = 0; run < runs; run++) {
    beforeRun();
    const t0 = Date.now();
    for (const g of GRAPHS) {
      // whether a serializer can represent a graph does not change between runs: checked in run 1
      const contenders = alternate(SERIALIZERS, run).filter((s) => !na[g][s]);
      const out = tp('pickle', { ...cfg.pickle, graph: g, contenders });
      describe[g] = out.describe;
      for (const s of contenders) {
        const r = out[s];
        if (r.na) {
          na[g][s] = r.na;
          continue;
        }
        for (const k of ['dumpsUs', 'loadsUs', 'roundTripUs', 'bytes']) if (r[k] !== undefined) raw[g][s][k].push(r[k]);
      }
    }
    console.log(`  pickle run ${run + 1}/${runs} (${((Date.now() - t0) / 1000).toFixed(1)} s): ${GRAPHS.map((g) => `${g} teleport ${(raw[g].teleport.roundTripUs.at(-1) / 1000).toFixed(1)} / v8 ${(raw[g].v8.roundTripUs.at(-1) / 1000 || NaN).toFixed(1)} ms`).join(', ')}`);
  }
  const entries = [];
  const comparisons = [];
  for (const g of GRAPHS) {
    const byS = {};
    for (const s of SERIALIZERS) {
      const v = raw[g][s];
      if (na[g][s] || !v.roundTripUs.length) {
        entries.push({ name: `pickle/${g}/${s}`, group: 'pickle', graph: g, describe: describe[g], contender: s, na: na[g][s] ?? 'not measured' });
        continue;
      }
      const e = entry('pickle', `pickle/${g}/${s}`, s, 'µs', v.roundTripUs, { graph: g, describe: describe[g], metric: 'roundTrip' });
      if (v.dumpsUs.length) Object.assign(e, { dumps: stats(v.dumpsUs), loads: stats(v.loadsUs), bytes: stats(v.bytes).median });
      entries.push(e);
      byS[s] = { e, v };
    }
    const t = byS.teleport;
    if (!t) continue;
    for (const s of SERIALIZERS.slice(1)) {
      const p = byS[s];
      if (!p) continue;
      const goal = g === 'plain' && s === 'v8' ? { op: '<=', value: 1.5 } : undefined;
      const parts = p.v.dumpsUs.length ? ['dumps', 'loads', 'roundTrip'] : ['roundTrip'];
      for (const part of parts) {
        const a = { name: `pickle/${g}/teleport`, runs: t.v[`${part}Us`], median: stats(t.v[`${part}Us`]).median, unit: 'µs' };
        const b = { name: `pickle/${g}/${s}`, runs: p.v[`${part}Us`], median: stats(p.v[`${part}Us`]).median, unit: 'µs' };
        comparisons.push(comparison({
          id: `pickle-${g}-${s}-${part}`, group: 'pickle', title: `pickle ${g}: Teleport ${part === 'dumps' ? 'dumps' : part === 'loads' ? 'loads' : 'dumps+loads'} / ${s}${part === 'dumps' ? (s === 'v8' ? '.serialize' : ' serialize') : part === 'loads' ? (s === 'v8' ? '.deserialize' : ' deserialize') : part === 'roundTrip' && s === 'structuredClone' ? '' : ' round trip'}`,
          metric: 'µs per value, ratio (lower is better)', a, b, goal: goal && part !== 'roundTrip' ? goal : undefined,
        }));
      }
    }
  }
  return { entries, comparisons, notRepresentable: na };
}

// ---------- profiles of missed goals ----------
function profileMisses(cfg, comparisons) {
  const profiles = [];
  const done = new Set();
  for (const c of comparisons) {
    if (c.pass !== false) continue;
    let key, bench, args;
    if (c.group === 'latency') [key, bench, args] = c.id.startsWith('latency-sync-') ? ['latency-sync', 'latency', latencyArgs(cfg, 'sync')] : ['latency', 'latency', cfg.latency];
    else if (c.group === 'throughput') [key, bench, args] = ['throughput', 'map', { n: cfg.throughput.n, reps: cfg.throughput.reps }];
    else if (c.group === 'cpu') [key, bench, args] = ['cpu', 'cpu', cfg.cpu];
    else if (c.group === 'capture') [key, bench, args] = ['capture', 'capture', cfg.capture];
    else if (c.group === 'pickle') {
      const g = c.id.split('-')[1];
      [key, bench, args] = [`pickle-${g}`, 'pickle', { ...cfg.pickle, graph: g, contenders: ['teleport'] }];
    }
    if (!key || done.has(key)) continue;
    done.add(key);
    const { out, threads } = profiledChild(key, tpBundle, [bench, JSON.stringify(args)]);
    const p = { key, for: comparisons.filter((x) => x.pass === false && (x.group === c.group) && (c.group !== 'pickle' || x.id.startsWith(`pickle-${key.split('-')[1]}-`)) && (c.group !== 'latency' || x.id.startsWith('latency-sync-') === (key === 'latency-sync'))).map((x) => x.id), threads, whileProfiled: summariseOut(bench, out) };
    profiles.push(p);
    for (const th of threads) console.log(`  profile ${key} [${th.thread}] ${th.busyPct}% busy: ${th.categories.slice(0, 4).map((x) => `${x.pctOfBusy}% ${x.category}`).join('; ')}`);
  }
  return profiles;
}
function summariseOut(bench, out) {
  if (bench === 'latency') return `${out.us.toFixed(1)} µs/call`;
  if (bench === 'map') return `${Math.round(out.itemsPerSec).toLocaleString('en')} items/s`;
  if (bench === 'capture') return `captured ${out.captureMs.toFixed(0)} ms, preloaded ${out.preloadMs.toFixed(0)} ms`;
  if (bench === 'pickle') return `dumps ${(out.teleport.dumpsUs / 1000).toFixed(2)} ms, loads ${(out.teleport.loadsUs / 1000).toFixed(2)} ms`;
  return '';
}

/** Runs the selected groups; returns { entries, comparisons, profiles, notRepresentable, busyBefore, othersDuringRuns }. */
export function runPeers(cfg, { groups, profile, wait }) {
  const result = { entries: [], comparisons: [], profiles: [], notRepresentable: {} };
  waitIdle = wait ? { maxMs: wait } : null;
  const runners = { latency: runLatency, throughput: runThroughput, cpu: runCpu, capture: runCapture, pickle: runPickle };
  result.busyBefore = {};
  result.othersDuringRuns = {};
  for (const g of groups) {
    // other processes' load, sampled before each run while nothing of ours runs
    busySeen = [];
    othersDuring = [];
    const t0 = Date.now();
    const r = runners[g](cfg, cfg[g].runs ?? cfg.runs); // a group may run fewer times (quick pickle)
    endRun();
    result.busyBefore[g] = Math.max(...busySeen);
    result.othersDuringRuns[g] = othersDuring;
    result.entries.push(...r.entries);
    result.comparisons.push(...r.comparisons);
    if (r.notRepresentable) result.notRepresentable = r.notRepresentable;
    console.log(`  ${g}: ${((Date.now() - t0) / 1000).toFixed(1)} s; other processes' CPU share during each run: ${othersDuring.map((x) => (x === null ? '?' : `${Math.round(x * 100)}%`)).join(', ')}`);
  }
  if (profile) result.profiles = profileMisses(cfg, result.comparisons);
  return result;
}
