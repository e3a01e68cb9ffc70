// Shared by the benchmark groups: fresh child processes, statistics, machine description and
// CPU-profile summaries.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const root = path.dirname(benchDir);
export const outDir = path.join(benchDir, '.out');
export const profDir = path.join(benchDir, '.prof');

export function machineInfo() {
  const cpus = os.cpus();
  return {
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
}

/**
 * Share of the machine's CPU time that was busy over the next `ms` (Linux /proc/stat; null
 * elsewhere): sampled while nothing of ours runs, it tells whether other processes compete.
 */
export function cpuBusyNow(ms = 1000) {
  const read = () => {
    try {
      const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      return { idle: f[3] + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
    } catch {
      return null;
    }
  };
  const a = read();
  if (!a) return null;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = read();
  return Math.round((1 - (b.idle - a.idle) / Math.max(1, b.total - a.total)) * 100) / 100;
}

/**
 * Measures how much CPU *other* processes used between start() and stop(), as a share of the
 * machine: the busy time in /proc/stat minus this process's own time and that of the children it
 * waited for (/proc/self/stat utime, stime, cutime, cstime). Linux only; null elsewhere.
 */
export function otherLoadMeter() {
  const read = () => {
    try {
      const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const self = fs.readFileSync('/proc/self/stat', 'utf8');
      const t = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number); // fields from 3 (state) on
      const ours = t[11] + t[12] + t[13] + t[14]; // utime stime cutime cstime (fields 14–17)
      return { total: f.reduce((a, b) => a + b, 0), idle: f[3] + (f[4] ?? 0), ours };
    } catch {
      return null;
    }
  };
  const a = read();
  return {
    stop() {
      const b = read();
      if (!a || !b) return null;
      const total = Math.max(1, b.total - a.total);
      const busy = total - (b.idle - a.idle);
      return Math.round(Math.max(0, Math.min(1, (busy - (b.ours - a.ours)) / total)) * 100) / 100;
    },
  };
}

/** Runs `node [nodeArgs] file args` in a fresh process; returns the JSON of its last stdout line. */
export function child(file, args, nodeArgs = [], timeout = 300_000) {
  const r = spawnSync(process.execPath, [...nodeArgs, file, ...args], { cwd: root, encoding: 'utf8', timeout, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`child failed: node ${[...nodeArgs, path.relative(root, file), ...args].join(' ')}\n${r.stderr || r.error || ''}`);
  const line = r.stdout.trim().split('\n').pop();
  return JSON.parse(line);
}

// ---------- stats ----------
export function quantile(sorted, q) {
  if (sorted.length === 1) return sorted[0];
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), spread: { min: s[0], max: s[s.length - 1], q1: quantile(s, 0.25), q3: quantile(s, 0.75) }, runs: xs };
}
export function compare(inst, base) {
  const a = stats(inst), b = stats(base);
  const paired = inst.map((x, i) => x / base[i]).sort((x, y) => x - y);
  return { inst: a, base: b, ratio: a.median / b.median, ratioSpread: { min: paired[0], max: paired[paired.length - 1] } };
}
/** median of per-run ratios a[i] / b[i], with their range (a and b measured in the same run) */
export function pairedRatio(a, b) {
  const r = a.map((x, i) => x / b[i]).filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  return { ratio: quantile(r, 0.5), ratioSpread: { min: r[0], max: r[r.length - 1] } };
}
export const r3 = (x) => Math.round(x * 1000) / 1000;
export const roundDeep = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? v : Number(v.toPrecision(6))) : Array.isArray(v) ? v.map(roundDeep) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundDeep(x)])) : v);

// ---------- CPU profiles ----------
function frameName(n) {
  const cf = n.callFrame;
  let where = '';
  if (cf.url) {
    let file = cf.url.startsWith('file:') ? path.relative(root, fileURLToPath(cf.url)) : cf.url;
    file = file.replace(/^node_modules\//, '').replace(/^bench\/\.out\/[^/]+\//, 'bundle:').replace(/^node:internal\//, 'node:');
    where = ` ${file}:${cf.lineNumber + 1}`;
  }
  return `${cf.functionName || '(anonymous)'}${where}`;
}

/** What a frame belongs to, for the per-category split of a profile. */
function category(n) {
  const { url, functionName } = n.callFrame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)' || functionName === 'atomicsWaitLoop') return 'idle';
  if (functionName === '(program)' || functionName === '(root)') return 'V8/runtime (program)';
  if (/\/dist\/runtime\/(pickle|registry|hooks|builtins)\.js/.test(url)) return 'Teleport pickling (reduce/revive)';
  if (/\/dist\/runtime\//.test(url)) return 'Teleport pool/protocol/worker';
  if (url === 'node:v8' || /node:internal\/v8/.test(url)) return 'v8.serialize/deserialize';
  if (/node_modules\/(piscina|tinypool|workerpool)\//.test(url)) return 'pool library (piscina)';
  if (!url && /postMessage|receiveMessageOnPort/.test(functionName)) return 'postMessage (native)';
  if (/bench\/(\.out|src)\//.test(url)) return 'benchmark program';
  // build profiles (bench/build.mjs)
  if (/\/dist\/transformer\/core\//.test(url)) return 'Teleport transform (our code)';
  if (/\/dist\/(transformer\/tspatch|plugins\/esbuild)\.?/.test(url)) return 'Teleport front end (plugin, tspatch)';
  if (/node_modules\/@typescript-eslint\/typescript-estree\//.test(url)) return 'typescript-estree (TS AST to ESTree)';
  if (/node_modules\/@typescript-eslint\/scope-manager\//.test(url)) return 'scope analysis (scope-manager)';
  if (/node_modules\/acorn\//.test(url)) return 'acorn';
  if (/node_modules\/meriyah\//.test(url)) return 'meriyah (the core\'s JavaScript parser)';
  if (/node_modules\/(magic-string|@jridgewell)\//.test(url)) return 'source maps (magic-string, codec, remapping)';
  if (/node_modules\/typescript\/lib\/typescript\.js/.test(url)) return 'TypeScript parser (module loaded by typescript-estree)';
  if (/^evalmachine/.test(url) || /node_modules\/typescript\/lib\/(tsc|_tsc)\.js/.test(url)) return 'TypeScript compiler (tsc, as ts-patch runs it)';
  if (/node_modules\/esbuild\//.test(url)) return 'esbuild JS API (IPC with the esbuild binary)';
  if (/^node:/.test(url)) return 'Node internals (promises, ports, events)';
  return 'other';
}

/**
 * Self time by function and by category of one .cpuprofile, over the window [fromUs, toUs]
 * (profile clock) when given. Native frames are named with their caller.
 */
export function summariseProfile(file, window) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const cats = new Map();
  let total = 0, busy = 0;
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    t += dt;
    if (window && (t < window[0] || t > window[1])) continue;
    const id = prof.samples[i];
    const n = byId.get(id);
    const cat = category(n);
    total += dt;
    cats.set(cat, (cats.get(cat) ?? 0) + dt);
    if (cat === 'idle') continue;
    busy += dt;
    let key = frameName(n);
    if (!n.callFrame.url && !n.callFrame.functionName.startsWith('(') && parent.has(id)) key += ` <- ${frameName(byId.get(parent.get(id)))}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const pct = (us, of) => Math.round((1000 * us) / (of || 1)) / 10;
  return {
    ms: Math.round(total / 1000),
    busyPct: pct(busy, total),
    categories: [...cats].filter(([c]) => c !== 'idle').sort((a, b) => b[1] - a[1]).map(([c, us]) => ({ category: c, pctOfBusy: pct(us, busy) })),
    top: [...self].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([fn, us]) => ({ fn, pctOfBusy: pct(us, busy) })),
  };
}

/**
 * Runs a child under --cpu-prof (every thread writes a profile) and summarises each thread.
 * Returns { out, threads: [{ thread, file, ...summary }] }.
 */
export function profiledChild(name, file, args) {
  const dir = path.join(profDir, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const out = child(file, args, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200']);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  // Node names profiles CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread
  const threads = files.map((f) => {
    const thread = Number(f.split('.').at(-3));
    return { thread: thread === 0 ? 'main' : `worker ${thread}`, file: path.relative(root, path.join(dir, f)), ...summariseProfile(path.join(dir, f), out.window) };
  }).filter((t) => t.busyPct > 0);
  return { out, threads };
}
