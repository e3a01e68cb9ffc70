// Builtin functions travel by reference: maps each well-known builtin (Math.sin, String.prototype.split,
// node:path#join, ...) to a stable path string and back, so workers re-resolve their own copy.

import { createRequire } from 'node:module';

/** Thrown by {@link resolveBuiltin} for a path that names no known builtin on this side. */
export class UnknownBuiltinError extends Error {
  /** the path that could not be resolved */
  readonly path: string;
  constructor(path: string) {
    super(`Unknown builtin: ${JSON.stringify(path)}`);
    this.name = 'UnknownBuiltinError';
    this.path = path;
  }
}

/*
 * Path grammar (resolution is a table lookup; paths are never evaluated):
 *   global       `parseInt`, `Math.sin`, `Array.prototype.map`, `Array.prototype[Symbol.iterator]`
 *   accessor     `get Map.prototype.size`, `set Object.prototype.__proto__`, `get Array[Symbol.species]`
 *   intrinsic    `%TypedArray%.prototype.map`, `%ArrayIteratorPrototype%.next` (spec notation for
 *                builtins that no global names, e.g. the methods every Uint8Array inherits)
 *   node module  `node:path#join`, `node:path#posix.join`, `node:fs/promises#readFile`, `node:events`
 *                (the module's export itself when it is callable)
 * Non-identifier keys are written `["key"]`; only well-known symbol keys are recorded.
 *
 * A function reachable several ways gets its preferred path by a total order that does not depend
 * on walk order, so every thread and process (same Node version) computes the same path:
 * global (0) < intrinsic (1) < node module (2), then shorter, then fewer `.` hops (so
 * `node:fs/promises#readFile` beats `node:fs#promises.readFile`), then code-unit order.
 * Every other path (an alias) still resolves.
 *
 * The table is built lazily in two stages: globals + intrinsics on the first call, Node modules
 * (loaded with createRequire) only when a lookup misses the first stage or a `node:` path is
 * resolved. Measured on Node 20.20 (x64 Linux), fresh process: stage 1 5-8 ms (about half of it
 * Node's lazy globals loading: TextEncoderStream, Crypto...), stage 2 11-16 ms (about 5 ms of it
 * requiring the modules); 18-27 ms in all, ~8 ms to rebuild once everything is loaded.
 * 3,021 paths naming 2,181 distinct functions. After the build a lookup, hit or miss, is one
 * Map.get (~20 ns).
 */

/** ECMAScript globals + Node/Web globals that are walked; nothing else on globalThis is. */
const GLOBAL_NAMES: readonly string[] = [
  // ECMAScript
  'Object', 'Function', 'Array', 'Number', 'parseFloat', 'parseInt', 'Boolean', 'String', 'Symbol',
  'Date', 'Promise', 'RegExp', 'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError',
  'SyntaxError', 'TypeError', 'URIError', 'SuppressedError', 'JSON', 'Math', 'Intl', 'ArrayBuffer',
  'SharedArrayBuffer', 'Atomics', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array',
  'Uint16Array', 'Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array',
  'BigInt64Array', 'BigUint64Array', 'DataView', 'Map', 'BigInt', 'Set', 'WeakMap', 'WeakSet', 'WeakRef',
  'FinalizationRegistry', 'Proxy', 'Reflect', 'Iterator', 'DisposableStack', 'AsyncDisposableStack',
  'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape',
  'isFinite', 'isNaN', 'WebAssembly',
  // Node / Web platform (undici-backed Headers/Request/Response/FormData/WebSocket are left out:
  // their lazy getters load undici, ~25 ms)
  'structuredClone', 'queueMicrotask', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
  'setImmediate', 'clearImmediate', 'atob', 'btoa', 'fetch', 'URL', 'URLSearchParams', 'TextEncoder',
  'TextDecoder', 'TextEncoderStream', 'TextDecoderStream', 'AbortController', 'AbortSignal', 'Blob',
  'File', 'Buffer', 'Event', 'EventTarget', 'CustomEvent', 'DOMException', 'MessageChannel',
  'MessagePort', 'BroadcastChannel', 'ReadableStream', 'ReadableStreamDefaultReader',
  'ReadableStreamBYOBReader', 'ReadableStreamBYOBRequest', 'ReadableByteStreamController',
  'ReadableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController',
  'WritableStream', 'WritableStreamDefaultWriter', 'WritableStreamDefaultController',
  'ByteLengthQueuingStrategy', 'CountQueuingStrategy', 'CompressionStream', 'DecompressionStream',
  'Crypto', 'CryptoKey', 'SubtleCrypto', 'Performance', 'PerformanceEntry', 'PerformanceMark',
  'PerformanceMeasure', 'PerformanceObserver', 'PerformanceObserverEntryList',
  'PerformanceResourceTiming',
  // namespace objects
  'console', 'performance', 'crypto', 'process',
];

/** Node builtin modules walked in stage 2. */
const NODE_MODULES: readonly string[] = [
  'assert', 'assert/strict', 'async_hooks', 'buffer', 'child_process', 'crypto', 'dns', 'dns/promises',
  'events', 'fs', 'fs/promises', 'http', 'https', 'module', 'net', 'os', 'path', 'path/posix',
  'path/win32', 'perf_hooks', 'querystring', 'readline', 'readline/promises', 'stream',
  'stream/promises', 'string_decoder', 'timers', 'timers/promises', 'url', 'util', 'util/types',
  'worker_threads', 'zlib',
];

/** Builtins no global names, in the spec's %Intrinsic% notation. Thunks: evaluated at build time. */
const INTRINSICS: readonly (readonly [string, () => unknown])[] = [
  ['%TypedArray%', () => Object.getPrototypeOf(Int8Array)],
  ['%IteratorPrototype%', () => Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))],
  ['%AsyncIteratorPrototype%', () => Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}.prototype))],
  ['%ArrayIteratorPrototype%', () => Object.getPrototypeOf([][Symbol.iterator]())],
  ['%MapIteratorPrototype%', () => Object.getPrototypeOf(new Map()[Symbol.iterator]())],
  ['%SetIteratorPrototype%', () => Object.getPrototypeOf(new Set()[Symbol.iterator]())],
  ['%StringIteratorPrototype%', () => Object.getPrototypeOf(''[Symbol.iterator]())],
  ['%RegExpStringIteratorPrototype%', () => Object.getPrototypeOf(''.matchAll(/(?:)/g))],
  ['%GeneratorFunction%', () => Object.getPrototypeOf(function* () {}).constructor],
  ['%AsyncGeneratorFunction%', () => Object.getPrototypeOf(async function* () {}).constructor],
  ['%AsyncFunction%', () => Object.getPrototypeOf(async function () {}).constructor],
  ['%GeneratorPrototype%', () => Object.getPrototypeOf(function* () {}.prototype)],
  ['%AsyncGeneratorPrototype%', () => Object.getPrototypeOf(async function* () {}.prototype)],
];

/** Own keys never walked on functions (`prototype` is walked separately). */
const FN_SKIP = new Set<PropertyKey>(['prototype', 'length', 'name', 'caller', 'arguments']);
const IDENT = /^[A-Za-z_$][\w$]*$/;

type Tier = 0 | 1 | 2;

let byFn: Map<Function, string> | undefined; // function -> preferred path
let byPath: Map<string, Function> | undefined; // every recorded path (aliases too) -> function
let nodeDone = false;
let wellKnown: Map<symbol, string>; // Symbol.iterator -> 'iterator'

/** Path of a well-known builtin function/class, or undefined. */
export function builtinPath(fn: Function): string | undefined {
  const map = byFn ?? buildGlobals();
  const hit = map.get(fn);
  if (hit !== undefined || nodeDone) return hit;
  if (typeof fn !== 'function') return undefined;
  buildNode();
  return map.get(fn);
}

/** The builtin at that path; throws {@link UnknownBuiltinError} naming the path if unknown. */
export function resolveBuiltin(path: string): Function {
  if (byPath === undefined) buildGlobals();
  let fn = byPath!.get(path);
  if (fn === undefined && !nodeDone && path.includes('node:')) {
    buildNode();
    fn = byPath!.get(path);
  }
  if (fn === undefined) throw new UnknownBuiltinError(path);
  return fn;
}

/** Test-only: forget the table so the next call rebuilds it. */
export function _resetForTests(): void {
  byFn = undefined;
  byPath = undefined;
  nodeDone = false;
}

/** Test-only: every recorded path (aliases included), fully built, sorted. */
export function _allPathsForTests(): string[] {
  if (byPath === undefined) buildGlobals();
  if (!nodeDone) buildNode();
  return [...byPath!.keys()].sort();
}

// ---------------------------------------------------------------------------------------------
// build

function rank(path: string): Tier {
  const p = path.startsWith('get ') || path.startsWith('set ') ? path.slice(4) : path;
  return p.startsWith('node:') ? 2 : p.startsWith('%') ? 1 : 0;
}

function dots(path: string): number {
  let n = 0;
  for (let i = path.indexOf('.'); i !== -1; i = path.indexOf('.', i + 1)) n++;
  return n;
}

/** true if path `a` is preferred over path `b` */
function better(a: string, b: string): boolean {
  const ta = rank(a);
  const tb = rank(b);
  if (ta !== tb) return ta < tb;
  if (a.length !== b.length) return a.length < b.length;
  // equal length: `node:fs/promises#readFile` vs `node:fs#promises.readFile`, take fewer hops
  const da = dots(a);
  const db = dots(b);
  if (da !== db) return da < db;
  return a < b;
}

function record(path: string, fn: Function): void {
  if (!byPath!.has(path)) byPath!.set(path, fn);
  const prev = byFn!.get(fn);
  if (prev === undefined) byFn!.set(fn, path);
  else if (better(path, prev)) byFn!.set(fn, path);
}

function member(base: string, key: PropertyKey): string | undefined {
  if (typeof key === 'symbol') {
    const name = wellKnown.get(key);
    return name === undefined ? undefined : `${base}[Symbol.${name}]`;
  }
  const k = String(key);
  if (!IDENT.test(k)) return `${base}[${JSON.stringify(k)}]`;
  return base.endsWith('#') ? base + k : `${base}.${k}`;
}

function descriptor(obj: object, key: PropertyKey): PropertyDescriptor | undefined {
  try {
    return Reflect.getOwnPropertyDescriptor(obj, key);
  } catch {
    return undefined; // exotic objects (proxies) may throw
  }
}

function ownKeys(obj: object): PropertyKey[] {
  try {
    return Reflect.ownKeys(obj);
  } catch {
    return [];
  }
}

function isPlainObject(v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function recordAccessor(d: PropertyDescriptor, path: string): void {
  if (typeof d.get === 'function') record(`get ${path}`, d.get);
  if (typeof d.set === 'function') record(`set ${path}`, d.set);
}

/**
 * One property of a walked object: record functions/accessors, descend while depth allows.
 * `lazy` (a Node module's top level only): an enumerable accessor there is one of Node's lazy
 * loaders (fs.opendir, util.parseArgs, crypto.getRandomValues...), so read it deliberately;
 * a non-enumerable one is a deprecated alias (crypto.fips, crypto.rng...) and is skipped.
 */
function walkProp(obj: object, key: PropertyKey, base: string, depth: number, lazy = false): void {
  const d = descriptor(obj, key);
  if (d === undefined) return;
  const path = member(base, key);
  if (path === undefined) return;
  let v: unknown;
  if ('value' in d) v = d.value;
  else if (!lazy) return recordAccessor(d, path);
  else if (!d.enumerable || typeof d.get !== 'function') return;
  else {
    try {
      v = d.get.call(obj);
    } catch {
      return;
    }
  }
  if (typeof v === 'function') walkFunction(v, path, depth);
  else if (depth > 0 && isPlainObject(v)) walkNamespace(v, path, depth);
}

/**
 * Record `fn`; with depth left, its static members and its `prototype`'s members too.
 * `base` is what member paths hang off (`node:events#` for a callable module export).
 */
function walkFunction(fn: Function, path: string, depth: number, base = path, lazy = false): void {
  record(path, fn);
  if (depth <= 0) return;
  for (const key of ownKeys(fn)) if (!FN_SKIP.has(key)) walkProp(fn, key, base, depth - 1, lazy);
  const d = descriptor(fn, 'prototype');
  const proto: unknown = d !== undefined && 'value' in d ? d.value : undefined;
  if ((typeof proto === 'object' && proto !== null) || typeof proto === 'function') {
    walkPrototype(proto, member(base, 'prototype')!);
  }
}

/** The own members of a namespace object (Math, path.posix, ...). */
function walkNamespace(ns: object, path: string, depth: number, lazy = false): void {
  for (const key of ownKeys(ns)) walkProp(ns, key, path, depth - 1, lazy);
}

/** Methods and accessors of a prototype-like object, one level, `constructor` excluded. */
function walkPrototype(proto: object, path: string): void {
  if (typeof proto === 'function') record(path, proto); // Function.prototype is itself a function
  for (const key of ownKeys(proto)) {
    if (key === 'constructor') continue;
    const d = descriptor(proto, key);
    if (d === undefined) continue;
    const p = member(path, key);
    if (p === undefined) continue;
    if (!('value' in d)) recordAccessor(d, p);
    else if (typeof d.value === 'function') record(p, d.value as Function);
  }
}

function buildGlobals(): Map<Function, string> {
  byFn = new Map();
  byPath = new Map();
  nodeDone = false;
  wellKnown = new Map();
  for (const key of Object.getOwnPropertyNames(Symbol)) {
    const v = descriptor(Symbol, key)?.value;
    if (typeof v === 'symbol') wellKnown.set(v, key);
  }

  for (const name of GLOBAL_NAMES) {
    const d = descriptor(globalThis, name);
    if (d === undefined) continue;
    let v: unknown;
    try {
      // Deliberate: Node defines many of these globals as lazy getters that load on first access.
      v = 'value' in d ? d.value : d.get?.call(globalThis);
    } catch {
      continue;
    }
    if (typeof v === 'function') walkFunction(v, name, 1);
    else if (typeof v === 'object' && v !== null) walkGlobalNamespace(v, name);
  }

  for (const [name, get] of INTRINSICS) {
    let v: unknown;
    try {
      v = get();
    } catch {
      continue;
    }
    if (typeof v === 'function') walkFunction(v, name, 1);
    else if (typeof v === 'object' && v !== null) walkPrototype(v, name);
  }
  return byFn;
}

/**
 * Math, JSON, Intl, console, process...; for instances (crypto, performance) also their class's
 * methods. Accessors on these objects are not recorded: on process they are per-process state and
 * Node's lazy ones turn into data properties once read, so recording them would not be
 * deterministic. (Prototype accessors are recorded, e.g. `get Performance.prototype.timeOrigin`.)
 */
function walkGlobalNamespace(ns: object, name: string): void {
  const own = ownKeys(ns);
  for (const key of own) {
    if (typeof key === 'string' && key.startsWith('_')) continue; // process._kill, console._stdout: internals, differ per thread
    const d = descriptor(ns, key);
    if (d !== undefined && 'value' in d) walkProp(ns, key, name, 1);
  }
  const proto: unknown = Object.getPrototypeOf(ns);
  if (proto === null || proto === Object.prototype || typeof proto !== 'object') return;
  const shadowed = new Set(own);
  for (const key of ownKeys(proto)) {
    if (key === 'constructor' || shadowed.has(key)) continue;
    const d = descriptor(proto, key);
    const p = d && member(name, key);
    if (d !== undefined && p !== undefined && 'value' in d && typeof d.value === 'function') record(p, d.value as Function);
  }
}

function buildNode(): void {
  if (byFn === undefined) buildGlobals();
  nodeDone = true;
  const require = createRequire(import.meta.url);
  for (const mod of NODE_MODULES) {
    let exp: unknown;
    try {
      exp = require(`node:${mod}`);
    } catch {
      continue; // absent on this Node version
    }
    if (typeof exp === 'function') walkFunction(exp, `node:${mod}`, 2, `node:${mod}#`, true);
    else if (typeof exp === 'object' && exp !== null) walkNamespace(exp, `node:${mod}#`, 2, true);
  }
}
