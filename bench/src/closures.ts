// Closure-creation micro-benchmark. bench/run.mjs bundles this file twice with esbuild (plain, and
// with the Teleport plugin) and runs one pattern per fresh child process:
//
//   node closures.js <pattern> <warmMs> <batches> <batchMs> <isolated 0|1>
//
// and reads one JSON line: { ns: median ns per created unit over the timed batches, ... }.
//
// Every created value is stored into a preallocated ring (it escapes, so V8 cannot drop or
// scalar-replace the allocation) and the ring is checksummed after every batch by calling what
// was created (outside the timed region). Unless `isolated` is 1, every pattern and a handful of
// other function kinds run briefly first, so shared code (the `$tp` hooks in the instrumented
// build, the ring store) is in the state a real program puts it in rather than monomorphic.

import { median, warmAndCalibrate } from './timing.mjs';

const RING = 1024; // power of two; larger than any inline-allocation trick could cover
const MASK = RING - 1;
const ring: unknown[] = new Array(RING).fill(null);

// (a) capturing closure returned by a factory, called in a hot loop
function make(k: number) {
  return (x: number) => x + k;
}
function capturing(n: number): void {
  for (let i = 0; i < n; i++) ring[i & MASK] = make(i);
}

// (b) capture-free arrow created on every iteration (what `arr.map(x => x * 2)` does per call)
function captureFree(n: number): void {
  for (let i = 0; i < n; i++) ring[i & MASK] = (x: number) => x * 2;
}

// (c) closure over the per-iteration `let` of a for loop
function perIterationLet(n: number): void {
  for (let i = 0; i < n; i++) ring[i & MASK] = (x: number) => x + i;
}

// (d) object literal with a method, created on every iteration
function objectMethod(n: number): void {
  for (let i = 0; i < n; i++) {
    ring[i & MASK] = {
      v: i,
      get(x: number) {
        return x + this.v;
      },
    };
  }
}

// (e) class instance creation plus a method call (methods live on the prototype)
class Counter {
  n: number;
  constructor(n: number) {
    this.n = n;
  }
  inc(): number {
    return ++this.n;
  }
}
function classInstance(n: number): void {
  for (let i = 0; i < n; i++) {
    const c = new Counter(i);
    c.inc();
    ring[i & MASK] = c;
  }
}

// (f) class instance with an arrow-function field (bound handler): one closure per instance
class Button {
  label: number;
  constructor(label: number) {
    this.label = label;
  }
  onClick = (x: number) => x + this.label;
}
function classArrowField(n: number): void {
  for (let i = 0; i < n; i++) ring[i & MASK] = new Button(i);
}

// (g) calling capturing closures (not creating them): what the probe check at the top of a
// closure's body costs per call. The ring is filled once; the timed loop only calls.
let callSum = 0;
function callCapturing(n: number): void {
  if (ring[0] === null || typeof ring[0] !== 'function' || (ring[0] as Fn1).length !== 1) for (let j = 0; j < RING; j++) ring[j] = make(j);
  let s = callSum;
  for (let i = 0; i < n; i++) s = (s + (ring[i & MASK] as Fn1)(i)) | 0;
  callSum = s;
}

// checksums: call everything in the ring (not timed)
type Fn1 = (x: number) => number;
function sumFns(): number {
  let s = 0;
  for (let j = 0; j < RING; j++) s = (s + (ring[j] as Fn1)(j)) | 0;
  return s;
}
function sumObjects(): number {
  let s = 0;
  for (let j = 0; j < RING; j++) s = (s + (ring[j] as { get: Fn1 }).get(j)) | 0;
  return s;
}
function sumCounters(): number {
  let s = 0;
  for (let j = 0; j < RING; j++) s = (s + (ring[j] as Counter).n) | 0;
  return s;
}
function sumButtons(): number {
  let s = 0;
  for (let j = 0; j < RING; j++) s = (s + (ring[j] as Button).onClick(j)) | 0;
  return s;
}

// `fnOf` picks the function whose metadata the instrumented build must have attached (sanity check)
interface Pattern { run: (n: number) => void; check: () => number; unit: string; fnOf: (v: unknown) => unknown }
const identity = (v: unknown) => v;
const patterns: Record<string, Pattern> = {
  capturing: { run: capturing, check: sumFns, unit: 'ns/closure', fnOf: identity },
  captureFree: { run: captureFree, check: sumFns, unit: 'ns/closure', fnOf: identity },
  perIterationLet: { run: perIterationLet, check: sumFns, unit: 'ns/closure', fnOf: identity },
  objectMethod: { run: objectMethod, check: sumObjects, unit: 'ns/object', fnOf: (v) => (v as { get: Fn1 }).get },
  classInstance: { run: classInstance, check: sumCounters, unit: 'ns/instance', fnOf: (v) => Object.getPrototypeOf(v).inc },
  classArrowField: { run: classArrowField, check: sumButtons, unit: 'ns/instance', fnOf: (v) => (v as Button).onClick },
  callCapturing: { run: (n) => { for (let j = 0; j < RING; j++) ring[j] = make(j); callCapturing(n); }, check: () => callSum, unit: 'ns/call', fnOf: identity },
};

// Other function kinds a real program creates, so the hooks see more than one function shape.
const sink: unknown[] = [];
function otherKinds(i: number): void {
  sink.length = 0;
  sink.push(
    function (x: number) { return x + i; },
    async (x: number) => x + i,
    async function (x: number) { return x + i; },
    function* (x: number) { yield x + i; },
    async function* (x: number) { yield x + i; },
    { m(x: number) { return x + i; } },
    { get g() { return i; } },
  );
}

function main(argv: string[]): void {
  const [name, warmMsS, batchesS, batchMsS, isolatedS] = argv;
  const p = patterns[name];
  if (!p) throw new Error(`unknown pattern ${name}; one of ${Object.keys(patterns).join(', ')}`);
  const warmMs = Number(warmMsS ?? 300), batches = Number(batchesS ?? 15), batchMs = Number(batchMsS ?? 20);
  let checksum = 0;
  if (isolatedS !== '1') {
    for (let r = 0; r < 20; r++) {
      otherKinds(r);
      for (const q of Object.values(patterns)) {
        q.run(2000);
        checksum = (checksum + q.check()) | 0;
      }
    }
  }
  const w = warmAndCalibrate(p.run, p.check, warmMs, batchMs);
  const size = w.size;
  checksum = (checksum + w.sum) | 0;
  const ns: number[] = [];
  const timedFrom = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    p.run(size);
    const t1 = process.hrtime.bigint();
    ns.push(Number(t1 - t0) / size);
    checksum = (checksum + p.check()) | 0;
  }
  const timedTo = process.hrtime.bigint();
  const fn = p.fnOf(ring[7]) as Record<symbol, unknown>;
  // registered by a stored pointer, or (module-level environment) by the `"tp:<id>"` directive
  const instrumented = typeof fn === 'function' && (fn[Symbol.for('teleport.meta')] !== undefined || /\{\s*"tp:/.test(Function.prototype.toString.call(fn)));
  const out = { pattern: name, unit: p.unit, ns: median(ns), min: Math.min(...ns), max: Math.max(...ns), batches: ns.length, size, checksum, instrumented,
    // CLOCK_MONOTONIC microseconds, the clock of --cpu-prof timestamps: lets the harness keep only the timed part
    timedUs: [Number(timedFrom / 1000n), Number(timedTo / 1000n)] };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main(process.argv.slice(2));
