// Shared by the transparency workloads (plain JavaScript, so that every toolchain compiles them
// as they are: node directly, esbuild, tsc with allowJs). Side-effect free: workers import it.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

/** 'local': run the workload and print its hash and time; 'pool': send functions to workers. */
export const mode = process.env.TP_WORK === 'pool' ? 'pool' : 'local';

/** JSON.stringify that also writes what plain JSON cannot (BigInt, RegExp, Map, Set, undefined). */
export function stringify(value) {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === 'bigint') return { $bigint: String(v) };
    if (v instanceof RegExp) return { $regexp: String(v) };
    if (v instanceof Map) return { $map: [...v] };
    if (v instanceof Set) return { $set: [...v] };
    if (v === undefined) return { $undefined: 1 };
    return v;
  });
}

export function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : stringify(p));
  return h.digest('hex');
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One result line on stdout. */
export function emit(record) {
  process.stdout.write(JSON.stringify(record) + '\n');
}

/**
 * Runs `work` (which returns { hash, ...stats }) TP_ITER times (default 1) and emits the result
 * with the fastest iteration's wall time and CPU time of the process (ms; CPU time is what other
 * load on the machine disturbs least). Every iteration must give the same hash.
 */
export function runTimed(name, work) {
  const iterations = Math.max(1, Number(process.env.TP_ITER ?? 1));
  let result;
  let ms = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < iterations; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = work();
    ms = Math.min(ms, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
    if (result && r.hash !== result.hash) throw new Error(`${name}: iteration ${i} gave a different hash`);
    result = r;
  }
  emit({ name, ...result, ms, cpu });
}

/**
 * Pool check: `fn` over `items` in workers and in this thread; emits whether they agree and the
 * hash of the worker results (the test compares it with the oracle's local results).
 */
export async function viaPool(pool, name, fn, items) {
  // remote first (as in fixtures/harness.ts): workers get the state before this thread runs `fn`
  const remote = pool ? await pool.map(fn, items) : null;
  const local = items.map((x, i) => fn(x, i));
  const lh = sha256(local);
  if (!pool) return emit({ name, same: true, hash: lh, items: items.length }); // the oracle: local only
  const rh = sha256(remote);
  emit({ name, same: rh === lh, hash: rh, items: items.length });
}

/** The pool of a 'pool' run, or null in the uncompiled oracle (TP_NOPOOL=1: local results only). */
export async function openPool() {
  if (process.env.TP_NOPOOL === '1') return null;
  const { Pool } = await import('teleport');
  return new Pool({ size: 2 });
}

/**
 * A description of a package's API surface: every property reachable from `root` (depth-limited),
 * with its descriptor flags, the type of its value, and each function's name, length and
 * prototype. Teleport's own symbol-keyed properties are left out (a documented difference), and
 * so is source text (`fn.toString()` shows the instrumentation).
 */
export function shape(root, maxDepth = 5) {
  const seen = new Map();
  const out = [];
  const visit = (v, path, depth) => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) {
      out.push(`${path} = ${typeof v} ${typeof v === 'symbol' ? String(v) : String(v).slice(0, 60)}`);
      return;
    }
    if (seen.has(v)) return void out.push(`${path} -> ${seen.get(v)}`);
    seen.set(v, path);
    const proto = Object.getPrototypeOf(v);
    out.push(`${path} : ${typeof v === 'function' ? `function ${v.name}/${v.length}` : Object.prototype.toString.call(v)} frozen=${Object.isFrozen(v)} proto=${seen.get(proto) ?? (proto === null ? 'null' : proto === Object.prototype ? 'Object' : proto === Function.prototype ? 'Function' : '?')}`);
    if (depth >= maxDepth || v instanceof Map || v instanceof Set || ArrayBuffer.isView(v)) return;
    for (const k of Reflect.ownKeys(v)) {
      if (typeof k === 'symbol' && String(k.description).startsWith('teleport.')) continue;
      const d = Object.getOwnPropertyDescriptor(v, k);
      const flags = `${'value' in d ? 'v' : ''}${d.get ? 'g' : ''}${d.set ? 's' : ''}${d.enumerable ? 'e' : ''}${d.configurable ? 'c' : ''}${d.writable ? 'w' : ''}`;
      const p = `${path}.${String(k)}`;
      out.push(`${p} [${flags}]`);
      if ('value' in d) visit(d.value, p, depth + 1);
      else for (const [which, f] of [['get', d.get], ['set', d.set]]) if (f) visit(f, `${p}<${which}>`, depth + 1);
    }
    if (proto && proto !== Object.prototype && proto !== Function.prototype && proto !== Array.prototype) visit(proto, `${path}.__proto__`, depth + 1);
  };
  visit(root, '$', 0);
  return out;
}

/** Emits the hash of `shape(root)` (TP_SHAPE_OUT: also writes the lines there, for diffing). */
export function emitShape(root) {
  const lines = shape(root);
  if (process.env.TP_SHAPE_OUT) writeFileSync(process.env.TP_SHAPE_OUT, lines.join('\n') + '\n');
  emit({ name: 'shape', hash: sha256(lines.join('\n')), entries: lines.length });
}
