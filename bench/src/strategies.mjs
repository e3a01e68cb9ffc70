// Hand-written instrumentation strategies for closure creation (not produced by the transform),
// so their creation cost can be compared before changing the emitter. bench/run.mjs runs one
// (strategy, shape) per fresh child process:
//
//   node strategies.mjs <strategy> <shape> <warmMs> <batches> <batchMs> <isolated 0|1>
//
// and reads one JSON line like bench/src/closures.ts prints.
//
// shapes:   capturing   `function make(k) { return (x) => x + k }`, one closure per scope instance
//           captureFree `(x) => x * 2` created per iteration (env is the module's, known statically)
// Every strategy keeps the same information reachable from the function: its per-site metadata
// (what `$tp$M[j]` holds) and the reader of its environment (created lazily once per scope
// instance, as the transform does today). The code at each creation site is what the transform
// would emit for that strategy; hooks live in this module (the real ones are a cross-module
// import, which TurboFan inlines the same way).

import { pathToFileURL } from 'node:url';
import { median, warmAndCalibrate } from './timing.mjs';

const RING = 1024;
const MASK = RING - 1;
const ring = new Array(RING).fill((x) => x);

const META = Symbol.for('teleport.meta');
const ENV = Symbol.for('teleport.env');
const TP = Symbol.for('teleport.tp');
const defineProperty = Object.defineProperty;

// per-site metadata, shaped like registry.ts's UnitMeta (frozen: it is per site, never per closure)
const M = [0, 1, 2, 3].map((j) => Object.freeze({ id: `site${j}`, path: `site${j}`, kind: 'arrow', line: j, col: 1, home: j === 1 ? 1 : 0, hash: '0', decl: 0, uses: [], captures: [], mod: null, j }));
function $e0(i) { switch (i) { case 0: return ring; } }

// ---- hooks -------------------------------------------------------------------------------
// (i) the first design: two symbol-keyed stores through one shared hook
function f2(fn, meta, env) { fn[META] = meta; fn[ENV] = env; return fn; }
// (ii) one store of [meta, env]
function fPair(fn, meta, env) { fn[TP] = [meta, env]; return fn; }
// (iii) one store of a reader that also answers meta at index -1
function f1(fn, r) { fn[TP] = r; return fn; }
// (iv) non-enumerable via Object.defineProperty
function fDef2(fn, meta, env) { defineProperty(fn, META, { value: meta, configurable: true }); defineProperty(fn, ENV, { value: env, configurable: true }); return fn; }
function fDef1(fn, r) { defineProperty(fn, TP, { value: r, configurable: true }); return fn; }
// (v) side table
const wm = new WeakMap();
function fWmPair(fn, meta, env) { wm.set(fn, [meta, env]); return fn; }
function fWm1(fn, r) { wm.set(fn, r); return fn; }
// (vii) one hook per syntactic function kind (the transform knows the kind), two stores each:
// every hook's store sites only ever see one function map. Distinct literals on purpose:
// closures of one literal share their feedback.
function f2Arrow(fn, meta, env) { fn[META] = meta; fn[ENV] = env; return fn; }
function f2Function(fn, meta, env) { fn[META] = meta; fn[ENV] = env; return fn; }
function f2Async(fn, meta, env) { fn[META] = meta; fn[ENV] = env; return fn; }
function f2Generator(fn, meta, env) { fn[META] = meta; fn[ENV] = env; return fn; }
function f2AsyncGenerator(fn, meta, env) { fn[META] = meta; fn[ENV] = env; return fn; }
function f2Method(fn, meta, env) { fn[META] = meta; fn[ENV] = env; return fn; }
function f2Class(fn, meta, env) { fn[META] = meta; fn[ENV] = env; return fn; }
const kindHooks = { arrow: f2Arrow, function: f2Function, async: f2Async, generator: f2Generator, asyncGenerator: f2AsyncGenerator, method: f2Method, class: f2Class };
// (viii) the stores written at the creation site itself (`($tp$t = <fn>, $tp$t[META] = …, $tp$t)`):
// each site has its own inline caches, so they stay monomorphic whatever the program does.
// (vi) zero stores: the function itself answers a probe (flag checked on every call)
let probing = false;
let answer = null;
function probe(meta, env) { answer = [meta, env]; return undefined; }

// ---- shape: capturing --------------------------------------------------------------------
function makePlain(k) { return (x) => x + k; }
function makeF2(k) { let e1; return f2((x) => x + k, M[1], (e1 ??= (i) => { switch (i) { case 0: return k; default: return $e0; } })); }
function makePair(k) { let e1; return fPair((x) => x + k, M[1], (e1 ??= (i) => { switch (i) { case 0: return k; default: return $e0; } })); }
function makeF1(k) { let r1; return f1((x) => x + k, (r1 ??= (i) => { switch (i) { case -1: return M[1]; case 0: return k; default: return $e0; } })); }
function makeDef2(k) { let e1; return fDef2((x) => x + k, M[1], (e1 ??= (i) => { switch (i) { case 0: return k; default: return $e0; } })); }
function makeDef1(k) { let r1; return fDef1((x) => x + k, (r1 ??= (i) => { switch (i) { case -1: return M[1]; case 0: return k; default: return $e0; } })); }
function makeWmPair(k) { let e1; return fWmPair((x) => x + k, M[1], (e1 ??= (i) => { switch (i) { case 0: return k; default: return $e0; } })); }
function makeWm1(k) { let r1; return fWm1((x) => x + k, (r1 ??= (i) => { switch (i) { case -1: return M[1]; case 0: return k; default: return $e0; } })); }
function makeKind(k) { let e1; return f2Arrow((x) => x + k, M[1], (e1 ??= (i) => { switch (i) { case 0: return k; default: return $e0; } })); }
function makeInline2(k) { let e1, t; return (t = (x) => x + k, t[META] = M[1], t[ENV] = (e1 ??= (i) => { switch (i) { case 0: return k; default: return $e0; } }), t); }
function makeInline1(k) { let r1, t; return (t = (x) => x + k, t[TP] = (r1 ??= (i) => { switch (i) { case -1: return M[1]; case 0: return k; default: return $e0; } }), t); }
function makeProbe(k) { return (x) => { if (probing) return probe(M[1], (i) => { switch (i) { case 0: return k; default: return $e0; } }); return x + k; }; }

// ---- shape: captureFree ------------------------------------------------------------------
const R2 = (i) => (i === -1 ? M[2] : $e0(i)); // per-site constant reader for (iii)

const strategies = {
  plain: {
    label: 'plain (no instrumentation)',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makePlain(i); },
    captureFree(n) { for (let i = 0; i < n; i++) ring[i & MASK] = (x) => x * 2; },
    hook: null,
  },
  twoStores: {
    label: '(i) fn[META]=meta; fn[ENV]=env through one shared hook (the first design)',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makeF2(i); },
    captureFree(n) { for (let i = 0; i < n; i++) ring[i & MASK] = f2((x) => x * 2, M[2], $e0); },
    hook: (fn) => f2(fn, M[3], $e0),
  },
  pair: {
    label: '(ii) fn[TP]=[meta, env] (pair per closure)',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makePair(i); },
    captureFree(n) { for (let i = 0; i < n; i++) ring[i & MASK] = fPair((x) => x * 2, M[2], $e0); },
    hook: (fn) => fPair(fn, M[3], $e0),
  },
  readerMeta: {
    label: '(iii) fn[TP]=reader, reader(-1) is meta',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makeF1(i); },
    captureFree(n) { for (let i = 0; i < n; i++) ring[i & MASK] = f1((x) => x * 2, R2); },
    hook: (fn) => f1(fn, R2),
  },
  kindHooks: {
    label: '(vii) (i) through one hook per function kind',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makeKind(i); },
    captureFree(n) { for (let i = 0; i < n; i++) ring[i & MASK] = f2Arrow((x) => x * 2, M[2], $e0); },
    hook: (fn, kind) => kindHooks[kind](fn, M[3], $e0),
  },
  inlineTwo: {
    label: '(viii) (i) inlined at the creation site',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makeInline2(i); },
    captureFree(n) { let t; for (let i = 0; i < n; i++) ring[i & MASK] = (t = (x) => x * 2, t[META] = M[2], t[ENV] = $e0, t); },
    hook: null, // other sites have their own inline caches
  },
  inlineOne: {
    label: '(viii) (iii) inlined at the creation site',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makeInline1(i); },
    captureFree(n) { let t; for (let i = 0; i < n; i++) ring[i & MASK] = (t = (x) => x * 2, t[TP] = R2, t); },
    hook: null,
  },
  probe: {
    label: '(iii\') no store: fn answers a probe flag',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makeProbe(i); },
    captureFree(n) { for (let i = 0; i < n; i++) ring[i & MASK] = (x) => { if (probing) return probe(M[2], $e0); return x * 2; }; },
    hook: null,
  },
  defineTwo: {
    label: '(iv) defineProperty x2 (non-enumerable)',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makeDef2(i); },
    captureFree(n) { for (let i = 0; i < n; i++) ring[i & MASK] = fDef2((x) => x * 2, M[2], $e0); },
    hook: (fn) => fDef2(fn, M[3], $e0),
  },
  defineOne: {
    label: '(iv) defineProperty x1 of (iii)\'s reader',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makeDef1(i); },
    captureFree(n) { for (let i = 0; i < n; i++) ring[i & MASK] = fDef1((x) => x * 2, R2); },
    hook: (fn) => fDef1(fn, R2),
  },
  weakMapPair: {
    label: '(v) WeakMap fn -> [meta, env]',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makeWmPair(i); },
    captureFree(n) { for (let i = 0; i < n; i++) ring[i & MASK] = fWmPair((x) => x * 2, M[2], $e0); },
    hook: (fn) => fWmPair(fn, M[3], $e0),
  },
  weakMapReader: {
    label: '(v) WeakMap fn -> reader (iii)',
    capturing(n) { for (let i = 0; i < n; i++) ring[i & MASK] = makeWm1(i); },
    captureFree(n) { for (let i = 0; i < n; i++) ring[i & MASK] = fWm1((x) => x * 2, R2); },
    hook: (fn) => fWm1(fn, R2),
  },
};

function checksum() {
  let s = 0;
  for (let j = 0; j < RING; j++) s = (s + ring[j](j)) | 0;
  return s;
}

// Other function kinds a real program registers through the same hook (each has its own map).
function otherKinds(hook, i) {
  const out = [
    [function (x) { return x + i; }, 'function'],
    [(x) => x - i, 'arrow'],
    [async (x) => x + i, 'async'],
    [async function (x) { return x + i; }, 'async'],
    [function* (x) { yield x + i; }, 'generator'],
    [async function* (x) { yield x + i; }, 'asyncGenerator'],
    [{ m(x) { return x + i; } }.m, 'method'],
    [class { constructor() { this.i = i; } }, 'class'],
  ];
  if (hook) for (const [fn, kind] of out) hook(fn, kind);
  return out.length;
}

export const STRATEGIES = Object.fromEntries(Object.entries(strategies).map(([k, v]) => [k, v.label]));
export const SHAPES = ['capturing', 'captureFree'];

function main(argv) {
  const [name, shape, warmMsS, batchesS, batchMsS, isolatedS] = argv;
  const s = strategies[name];
  if (!s || !SHAPES.includes(shape)) throw new Error(`usage: strategies.mjs <${Object.keys(strategies).join('|')}> <${SHAPES.join('|')}> ...`);
  const warmMs = Number(warmMsS ?? 300), batches = Number(batchesS ?? 15), batchMs = Number(batchMsS ?? 20);
  const run = s[shape];
  let sum = 0;
  if (isolatedS !== '1') {
    for (let r = 0; r < 50; r++) {
      sum += otherKinds(s.hook, r);
      for (const sh of SHAPES) { s[sh](2000); sum = (sum + checksum()) | 0; }
    }
  }
  const w = warmAndCalibrate(run, checksum, warmMs, batchMs);
  const size = w.size;
  sum = (sum + w.sum) | 0;
  const ns = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    run(size);
    const t1 = process.hrtime.bigint();
    ns.push(Number(t1 - t0) / size);
    sum = (sum + checksum()) | 0;
  }
  // the information must still be reachable (and correct) from a created function
  const fn = ring[5];
  const got = name === 'twoStores' || name === 'defineTwo' || name === 'kindHooks' || name === 'inlineTwo' ? [fn[META], fn[ENV]]
    : name === 'pair' ? fn[TP]
    : name === 'readerMeta' || name === 'defineOne' || name === 'inlineOne' ? [fn[TP](-1), fn[TP]]
    : name === 'weakMapPair' ? wm.get(fn)
    : name === 'weakMapReader' ? [wm.get(fn)(-1), wm.get(fn)]
    : name === 'probe' ? (probing = true, fn(0), probing = false, answer)
    : [M[shape === 'capturing' ? 1 : 2], null];
  if (got[0] !== M[shape === 'capturing' ? 1 : 2]) throw new Error(`${name}/${shape}: metadata not reachable`);
  process.stdout.write(JSON.stringify({ strategy: name, shape, unit: 'ns/closure', ns: median(ns), min: Math.min(...ns), max: Math.max(...ns), batches: ns.length, size, checksum: sum }) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
