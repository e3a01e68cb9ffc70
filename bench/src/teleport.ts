// The Teleport side of the peer benchmarks. bench/run.mjs bundles this program with esbuild and
// the Teleport plugin (bundle, esm, splitting, platform node) and runs one measurement per fresh
// process:
//
//   node bench/.out/peers/teleport.js <benchmark> '<json config>'
//
// and reads one JSON line. Everything goes through the public API (`Pool`, `dumps`, `loads`).
import os from 'node:os';
import v8 from 'node:v8';
import { Pool, dumps, loads } from 'teleport';
import serializeJavascript from 'serialize-javascript';
import * as seroval from 'seroval';
import { makeData, spin, windowSum } from './workload.mjs';
import { median, reply, timeInterleaved, timeOps, timeReps } from './measure.mjs';

interface Timing { warmMs: number; batches: number; batchMs: number }
const [bench = '', json = '{}'] = process.argv.slice(2);
const cfg = JSON.parse(json) as Record<string, unknown> & Timing;
const size = (cfg.size as number | undefined) ?? os.availableParallelism();

// ---------- 1. task latency: sequential pool.run(closure, x) ----------
/** a closure over a function-scope variable, as user code writes it */
function adder(k: number) {
  return (x: number) => x + k;
}
async function latency(): Promise<unknown> {
  // cfg.atomics: 'sync' for the contender whose idle workers block in Atomics.wait (Pool option)
  await using pool = new Pool({ size, ...(cfg.atomics === 'sync' ? { atomics: 'sync' as const } : {}) });
  const add = adder(1);
  await Promise.all(Array.from({ length: size * 2 }, (_, i) => pool.run(add, i))); // every worker started
  let ok = true;
  const t = await timeOps(async (i: number) => {
    if ((await pool.run(add, i)) !== i + 1) ok = false;
  }, cfg);
  if (!ok) throw new Error('latency: wrong results');
  return { us: t.us, batches: t.batches, batchSize: t.batchSize, cpuUs: t.cpuUs, window: t.window };
}

// ---------- 2. throughput: map over 10^6 trivial items, automatic chunking ----------
async function mapThroughput(): Promise<unknown> {
  const n = cfg.n as number;
  await using pool = new Pool({ size });
  const items = Array.from({ length: n }, (_, i) => i);
  await pool.map((x: number) => x * 2, [1, 2, 3, 4]); // workers started
  let last: number[] = [];
  let messages = 0;
  const t = await timeReps(async () => {
    const before = pool.stats.tasks;
    last = await pool.map((x: number) => x * 2, items);
    messages = pool.stats.tasks - before;
  }, { warm: 1, reps: cfg.reps as number });
  if (last.length !== n || last[n - 1] !== (n - 1) * 2) throw new Error('map: wrong results');
  return { ms: t.ms, reps: t.reps, itemsPerSec: n / (t.ms / 1000), usPerItem: (t.ms * 1000) / n, messagesPerCall: messages, window: t.window };
}

// ---------- 3. CPU-bound speedup over serial, 1..N workers ----------
async function cpuSpeedup(): Promise<unknown> {
  const items = cfg.items as number;
  const iters = cfg.iters as number;
  const reps = cfg.reps as number;
  const seeds = Array.from({ length: items }, (_, i) => i + 1);
  const expected = seeds.map((s) => spin(s, iters));
  const ws = Array.from({ length: cfg.maxWorkers as number }, (_, i) => i + 1);
  const pools = ws.map((w) => new Pool({ size: w }));
  try {
    const variants: [string, () => Promise<number[]> | number[]][] = [
      ['serial', () => seeds.map((s) => spin(s, iters))],
      ...ws.map((w, i): [string, () => Promise<number[]>] => [`w${w}`, () => pools[i]!.map((s: number) => spin(s, iters), seeds)]),
    ];
    const ms: Record<string, number[]> = Object.fromEntries(variants.map(([k]) => [k, []]));
    for (const [, run] of variants) if ((await run()).some((x, i) => x !== expected[i])) throw new Error('cpu: wrong results'); // warm-up
    // serial and every pool size take turns, so a burst of load from elsewhere hits them alike
    const from = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) {
      for (let j = 0; j < variants.length; j++) {
        const [k, run] = variants[(r + j) % variants.length]!;
        const t0 = process.hrtime.bigint();
        await run();
        ms[k]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    const window = [Number(from / 1000n), Number(process.hrtime.bigint() / 1000n)];
    const serialMs = median(ms.serial!);
    return { serialMs, serialReps: ms.serial, window, ...Object.fromEntries(ws.map((w) => [`w${w}`, { ms: median(ms[`w${w}`]!), reps: ms[`w${w}`], speedup: serialMs / median(ms[`w${w}`]!) }])) };
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
}

// ---------- 4. a 50 MB typed array captured by the mapped function vs preloaded in each worker ----------
declare global {
  // eslint-disable-next-line no-var
  var benchData: Float64Array | undefined;
}
async function largeCapture(): Promise<unknown> {
  const n = cfg.length as number;
  const items = Array.from({ length: cfg.items as number }, (_, i) => i);
  const w = cfg.window as number;
  const data = makeData(n);
  await using capturing = new Pool({ size });
  await using preloaded = new Pool({ size, setup: () => { globalThis.benchData = makeData(n); } });
  const viaCapture = () => capturing.map((i: number) => windowSum(data, i, w), items);
  const viaPreload = () => preloaded.map((i: number) => windowSum(globalThis.benchData!, i, w), items);
  const a0 = await viaCapture();
  const b0 = await viaPreload();
  if (a0.some((x, i) => x !== b0[i])) throw new Error('capture: results differ');
  // alternate the two, so both see the same machine state
  const capMs: number[] = [];
  const preMs: number[] = [];
  const from = process.hrtime.bigint();
  for (let r = 0; r < (cfg.reps as number); r++) {
    for (const [f, into] of (r % 2 ? [[viaPreload, preMs], [viaCapture, capMs]] : [[viaCapture, capMs], [viaPreload, preMs]]) as [() => Promise<number[]>, number[]][]) {
      const t0 = process.hrtime.bigint();
      await f();
      into.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  const window = [Number(from / 1000n), Number(process.hrtime.bigint() / 1000n)];
  const serialT0 = process.hrtime.bigint();
  for (const i of items) windowSum(data, i, w);
  const serialMs = Number(process.hrtime.bigint() - serialT0) / 1e6;
  const st = capturing.stats;
  return {
    captureMs: median(capMs), captureReps: capMs, preloadMs: median(preMs), preloadReps: preMs, ratio: median(capMs) / median(preMs),
    bytes: data.byteLength, serialMs, window, fnLoadsPerCall: st.fnLoads / (1 + (cfg.reps as number)), bytesPostedPerCall: st.fnBytesPosted / (1 + (cfg.reps as number)),
  };
}

// ---------- 5. pickle speed ----------
class Address {
  constructor(public street: string, public city: string, public zip: string) {}
  label(): string {
    return `${this.street}, ${this.zip} ${this.city}`;
  }
}
class Customer {
  constructor(public id: number, public name: string, public address: Address) {}
}
class Line {
  constructor(public sku: string, public qty: number, public price: number) {}
  total(): number {
    return this.qty * this.price;
  }
}
class Order {
  constructor(public id: number, public customer: Customer, public lines: Line[], public placed: string) {}
  total(): number {
    return this.lines.reduce((s, l) => s + l.total(), 0);
  }
}
function scaler(factor: number, offsets: number[], name: string) {
  return (x: number) => x * factor + offsets[x % offsets.length] + name.length;
}
interface TreeNode { id: number; label: string; weight: number; parent: TreeNode | null; root: TreeNode | null; first: TreeNode | null; children: TreeNode[] }

const GRAPHS: Record<string, { describe: string; make: () => unknown; check: (original: any, copy: any) => boolean }> = {
  plain: {
    describe: '2,000 JSON-like records (strings, numbers, booleans, nested objects and arrays)',
    make: () => Array.from({ length: 2000 }, (_, i) => ({
      id: i, name: `user ${i}`, email: `user${i}@example.com`, active: i % 3 !== 0, score: i * 1.25, tags: ['alpha', 'beta', `t${i % 7}`],
      address: { street: `${i} Main St`, city: 'Springfield', zip: String(10000 + i) },
      history: [{ t: i, v: i * 2 }, { t: i + 1, v: i * 3 }, { t: i + 2, v: i * 5 }],
    })),
    check: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  },
  instances: {
    describe: '1,000 orders: class instances (Order → Customer → Address, Line[]) with methods',
    make: () => Array.from({ length: 1000 }, (_, i) => new Order(i, new Customer(i, `c${i}`, new Address(`${i} Main St`, 'Springfield', String(10000 + i))),
      [new Line(`sku${i}`, 1 + (i % 3), 9.5), new Line(`sku${i + 1}`, 2, 3.25)], `2024-01-${String(1 + (i % 28)).padStart(2, '0')}`)),
    check: (a: Order[], b: Order[]) => b.length === a.length && b.every((o, i) => o instanceof Order && o.customer instanceof Customer && o.total() === a[i]!.total() && o.customer.address.label() === a[i]!.customer.address.label()),
  },
  closures: {
    describe: '1,000 closures, each capturing a number, an array and a string',
    make: () => Array.from({ length: 1000 }, (_, i) => scaler(i, [i, i + 1, i + 2], `s${i}`)),
    check: (a: ((x: number) => number)[], b: ((x: number) => number)[]) => b.length === a.length && b.every((f, i) => typeof f === 'function' && f(7) === a[i]!(7)),
  },
  graph: {
    describe: '10^5-node tree with cycles (parent, root and first-sibling back-references)',
    make: () => {
      const nodes: TreeNode[] = [];
      for (let i = 0; i < 100_000; i++) {
        const node: TreeNode = { id: i, label: `n${i}`, weight: i * 0.5, parent: null, root: null, first: null, children: [] };
        if (i > 0) {
          node.parent = nodes[(i - 1) >> 2]!;
          node.parent.children.push(node);
        }
        nodes.push(node);
      }
      for (const node of nodes) {
        node.root = nodes[0]!;
        node.first = node.parent ? node.parent.children[0]! : node;
      }
      return nodes[0];
    },
    check: (a: TreeNode, b: TreeNode) => {
      let count = 0;
      const stack = [b];
      while (stack.length) {
        const n = stack.pop()!;
        count++;
        if (n.root !== b || (n.parent ? n.first !== n.parent.children[0] || !n.parent.children.includes(n) : n.first !== n)) return false;
        for (const c of n.children) stack.push(c);
      }
      return count === 100_000 && b.children.length === a.children.length;
    },
  },
};

interface Contender { dumps?: (v: unknown) => unknown; loads?: (b: any) => unknown; roundTrip?: (v: unknown) => unknown }
const CONTENDERS: Record<string, Contender> = {
  teleport: { dumps, loads: (b: Uint8Array) => loads(b) },
  v8: { dumps: (v) => v8.serialize(v), loads: (b: Buffer) => v8.deserialize(b) },
  structuredClone: { roundTrip: (v) => structuredClone(v) },
  'serialize-javascript': { dumps: (v) => serializeJavascript(v), loads: (s: string) => (0, eval)('(' + s + ')') },
  seroval: { dumps: (v) => seroval.serialize(v), loads: (s: string) => seroval.deserialize(s) },
};

async function pickle(): Promise<unknown> {
  const graph = GRAPHS[cfg.graph as string]!;
  const value = graph.make();
  const out: Record<string, unknown> = { describe: graph.describe };
  const names = cfg.contenders as string[];
  const ops: Record<string, () => void> = {};
  for (const name of names) {
    const c = CONTENDERS[name]!;
    // can it represent the value? one round trip, checked
    let reason: string | undefined;
    let size: number | undefined;
    try {
      const copy = c.roundTrip ? c.roundTrip(value) : c.loads!((() => { const d = c.dumps!(value); size = typeof d === 'string' ? Buffer.byteLength(d) : (d as Uint8Array).byteLength; return d; })());
      if (!graph.check(value, copy)) reason = 'round trip is not faithful (lost classes, captures or identity)';
    } catch (e) {
      const err = e as Error;
      const msg = String(err?.message ?? e).replace(/\s+/g, ' ');
      reason = `throws ${err?.name ?? 'an error'}: ${msg.length > 80 ? `${msg.slice(0, 30)} … ${msg.slice(-45)}` : msg}`;
      // a function sent as source text arrives without the variables it closes over
      if (err?.name === 'ReferenceError') reason += ' (the source text arrived without the variables it closes over)';
    }
    if (reason) {
      out[name] = { na: reason };
      continue;
    }
    if (c.roundTrip) {
      ops[`${name}:roundTrip`] = () => void c.roundTrip!(value);
    } else {
      const bytes = c.dumps!(value);
      ops[`${name}:dumps`] = () => void c.dumps!(value);
      ops[`${name}:loads`] = () => void c.loads!(bytes);
      out[name] = { bytes: size };
    }
  }
  // every representable serializer, timed side by side (batches take turns)
  const t = timeInterleaved(ops, cfg);
  for (const [key, r] of Object.entries(t)) {
    const [name, part] = key.split(':') as [string, string];
    const o = (out[name] ??= {}) as Record<string, unknown>;
    o[`${part}Us`] = r.us;
    o[`${part}Batches`] = r.batches;
    out.window = r.window;
  }
  for (const name of names) {
    const o = out[name] as Record<string, number> | undefined;
    if (o && o.dumpsUs !== undefined) o.roundTripUs = o.dumpsUs + o.loadsUs!;
  }
  return out;
}

const BENCHES: Record<string, () => Promise<unknown>> = { latency, map: mapThroughput, cpu: cpuSpeedup, capture: largeCapture, pickle };
const run = BENCHES[bench];
if (!run) throw new Error(`unknown benchmark ${bench}; one of ${Object.keys(BENCHES).join(', ')}`);
reply(await run());
