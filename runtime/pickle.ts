// Pickling: reduce a value graph to structured-cloneable data (functions become references to
// registered code plus their captured environments; class instances become class reference +
// state), and revive it on the other side. The platform's structured clone (postMessage,
// v8.serialize) then does the byte work, including cycles, Map/Set/Date/RegExp/typed arrays.
import { UnknownBuiltinError, builtinPath, resolveBuiltin } from './builtins.js';
import { FormatError, UnknownModuleError, UnserializableError, VersionSkewError, WorkerError } from './errors.js';
import { BOUND, ENV, META, OWNER, PRIVATE, boundLive, buildId, moduleScope, modules, probed, restoring, unitsById, type MemberMeta, type ModuleRecord, type Reader, type ScopeInstance, type UnitMeta } from './registry.js';
import { CALL, FORMAT_VERSION, type CallPacket, type Packet } from './packet.js';
import { tagMembers } from './hooks.js';
import { callShape, parseTemplate, type CallShape } from './call-shape.js';
import { types } from 'node:util';

/** Key that marks a reduced record; user objects that happen to own it are escaped. */
const TAG = '\u0000tp';

/** Protocol hooks a class can implement, like Python's `__reduce__`. */
export const serialize: unique symbol = Symbol.for('teleport.serialize') as never;
export const deserialize: unique symbol = Symbol.for('teleport.deserialize') as never;

const noSerializeSet = new WeakSet<object>();
/** false until noSerialize is first called: until then the reducer skips the WeakSet lookup per object */
let noSerializeUsed = false;
/** Marks an object or function so that it is sent as `undefined` (like a transient field). */
export function noSerialize<T extends object>(value: T): T {
  noSerializeUsed = true;
  noSerializeSet.add(value);
  return value;
}

type Rec = { [TAG]: string; [k: string]: unknown };

/**
 * Sent in place of an instance field whose value is the function its initializer made but which
 * cannot be sent itself (it uses a private name of its class: `inc = () => ++this.#n`): the
 * instance is restored by running its constructor in restore mode, whose field initializers make
 * that function again, for the restored instance.
 */
const FIELD: Rec = { [TAG]: 'fld' };

function initializedField(v: Function, k: string): boolean {
  if (!Object.prototype.hasOwnProperty.call(v, META)) return false;
  const meta = (v as unknown as Record<symbol, UnitMeta>)[META];
  return !!meta.unsendable && meta.field === k;
}
/**
 * One step of the path to the value being reduced, formatted only when an error needs it: a
 * string is a property key (`.key`), a number an array index (`[i]`), `[text]` any other step.
 */
type Seg = string | number | [string];
const formatSeg = (s: Seg): string => (typeof s === 'string' ? '.' + s : typeof s === 'number' ? `[${s}]` : s[0]);
type AnyFn = Function & { [META]?: UnitMeta | MemberMeta; [ENV]?: Reader; [OWNER]?: Function };

const ERROR_NAMES = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError'] as const;
/** Teleport's own error classes travel by name (`teleport:FormatError`): a worker's FormatError is one at home too. */
const RUNTIME_ERRORS = new Map<string, Function>([FormatError, VersionSkewError, UnknownModuleError, UnserializableError, WorkerError, UnknownBuiltinError].map((c) => [`teleport:${c.name}`, c]));
const RUNTIME_ERROR_NAMES = new Map([...RUNTIME_ERRORS].map(([name, c]) => [c, name]));
const LEAF_PROTOS = new Set<object | null>([
  Date.prototype, RegExp.prototype, ArrayBuffer.prototype, DataView.prototype, Boolean.prototype, Number.prototype,
  String.prototype, BigInt.prototype,
  ...[Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].map((c) => c.prototype),
  ...(typeof SharedArrayBuffer === 'function' ? [SharedArrayBuffer.prototype] : []),
]);

function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol');
}

function describe(v: unknown): string {
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (typeof v === 'symbol') return `symbol ${String(v.description)}`;
  if (v && typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    const ctor = proto && Object.prototype.hasOwnProperty.call(proto, 'constructor') ? proto.constructor : undefined;
    if (ctor && ctor.name) return `instance of ${ctor.name}`;
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    return tag === 'Object' ? 'object' : `${tag} object`;
  }
  return typeof v;
}

function where(meta: UnitMeta): string {
  return `${meta.mod.file}:${meta.line}:${meta.col}`;
}

function fnLabel(meta: UnitMeta): string {
  return `function '${meta.path || '(anonymous)'}' at ${where(meta)}`;
}

class Reducer {
  private memo = new Map<unknown, unknown>();
  private envs = new Map<Reader, Rec>();
  readonly mods = new Set<string>();
  /** path segments from the root (or from the innermost capture) to the value being reduced */
  private path: Seg[] = [];
  /** true once a record (function, instance, symbol, …) was emitted: the receiver must revive */
  tagged = false;
  /** innermost function whose captures are being reduced, for error messages */
  private context: UnitMeta | null = null;
  /** the last own field of an instance that `props` sent as FIELD */
  private field: string | undefined;

  /** oob: when given, large typed arrays are listed here instead of being put in the data (see OOB_MIN) */
  constructor(private rootLabel: string, private oob?: ArrayBufferView[]) {}

  fail(value: unknown, why?: string): never {
    let segs = this.path.map(formatSeg);
    if (!this.context && this.rootLabel === 'task') {
      // pool tasks are packed as [fn, args]: name the argument instead of the array slot
      if (segs[0] === '[1]' && segs[1]) segs = [`argument ${segs[1].slice(1, -1)}`, ...segs.slice(2)];
      else if (segs[0] === '[0]') segs = ['the function', ...segs.slice(1)];
    }
    const chain = [...segs, describe(value)].join(' → ');
    const head = this.context ? `${fnLabel(this.context)} captured ${chain}` : this.rootLabel === 'task' ? chain : `${this.rootLabel} → ${chain}`;
    throw new UnserializableError(`${head}, which cannot be sent${why ? ` (${why})` : ''} (use an import, noSerialize, or a serialize hook)`, this.path.map(formatSeg));
  }

  reduce(v: unknown): unknown {
    if (isPrimitive(v)) return v;
    if (typeof v === 'symbol') return this.symbol(v);
    const seen = this.memo.get(v);
    if (seen !== undefined) return seen;
    if (noSerializeUsed && noSerializeSet.has(v as object)) return undefined;
    if (typeof v === 'function') return this.fn(v as AnyFn);
    return this.object(v as object);
  }

  private at<T>(segment: string, f: () => T): T {
    this.path.push([segment]);
    try {
      return f();
    } finally {
      this.path.pop();
    }
  }

  private symbol(s: symbol): unknown {
    this.tagged = true;
    const key = Symbol.keyFor(s);
    if (key !== undefined) return { [TAG]: 'sym', k: key };
    const name = wellKnownName(s);
    if (name !== undefined) return { [TAG]: 'wks', k: name };
    return this.fail(s, 'only registered (Symbol.for) and well-known symbols can be sent');
  }

  private object(obj: object): unknown {
    const proto = Object.getPrototypeOf(obj);
    if (proto === Object.prototype) return this.plain(obj as Record<string, unknown>);
    if (Array.isArray(obj) && proto === Array.prototype) return this.array(obj);
    if (LEAF_PROTOS.has(proto)) {
      if (this.oob && ArrayBuffer.isView(obj) && obj.byteLength >= OOB_MIN && !(obj.buffer instanceof SharedArrayBuffer)) {
        this.tagged = true;
        const rec = { [TAG]: 'oob', i: this.oob.length, t: Object.prototype.toString.call(obj).slice(8, -1) };
        this.oob.push(obj);
        this.memo.set(obj, rec);
        return rec;
      }
      this.memo.set(obj, obj);
      return obj;
    }
    if (typeof Buffer === 'function' && Buffer.isBuffer(obj)) {
      this.tagged = true;
      // a small Buffer is a slice of a shared pool: send its own bytes, not the pool's
      const whole = obj.byteOffset === 0 && obj.byteLength === obj.buffer.byteLength;
      const rec = { [TAG]: 'buf', v: whole ? new Uint8Array(obj.buffer) : new Uint8Array(obj) };
      this.memo.set(obj, rec);
      return rec;
    }
    if (proto === Map.prototype) {
      const out = new Map();
      this.memo.set(obj, out);
      let i = 0;
      for (const [k, val] of obj as Map<unknown, unknown>) {
        out.set(this.at(`Map key #${i}`, () => this.reduce(k)), this.at(`.get(${isPrimitive(k) ? JSON.stringify(k) ?? String(k) : `key #${i}`})`, () => this.reduce(val)));
        i++;
      }
      return out;
    }
    if (proto === Set.prototype) {
      const out = new Set();
      this.memo.set(obj, out);
      let i = 0;
      for (const val of obj as Set<unknown>) out.add(this.at(`Set item #${i++}`, () => this.reduce(val)));
      return out;
    }
    if (proto === null) {
      this.tagged = true;
      const rec: Rec = { [TAG]: 'np', v: undefined };
      this.memo.set(obj, rec);
      rec.v = this.props(obj as Record<string, unknown>, {});
      return rec;
    }
    if (obj instanceof Error) return this.error(obj);
    return this.instance(obj, proto);
  }

  private plain(obj: Record<string, unknown>): unknown {
    const keys = Object.keys(obj);
    let simple = !Object.prototype.hasOwnProperty.call(obj, TAG);
    for (let i = 0; simple && i < keys.length; i++) simple = isPrimitive(obj[keys[i]]);
    if (simple) {
      this.memo.set(obj, obj);
      return obj;
    }
    if (Object.prototype.hasOwnProperty.call(obj, TAG)) {
      this.tagged = true;
      const rec: Rec = { [TAG]: 'esc', v: undefined };
      this.memo.set(obj, rec);
      rec.v = keys.map((k) => [k, this.prop(obj, k, false)]);
      return rec;
    }
    const out: Record<string, unknown> = {};
    this.memo.set(obj, out);
    return this.props(obj, out, keys);
  }

  private props(obj: Record<string, unknown>, out: Record<string, unknown>, keys = Object.keys(obj), instance = false): Record<string, unknown> {
    for (let i = 0; i < keys.length; i++) out[keys[i]] = this.prop(obj, keys[i], instance);
    return out;
  }

  /** obj[k] reduced (hot: no closure, and primitives skip the path bookkeeping) */
  private prop(obj: Record<string, unknown>, k: string, instance: boolean): unknown {
    const v = obj[k];
    if (isPrimitive(v)) return v;
    if (instance && typeof v === 'function' && initializedField(v, k)) {
      this.field = k;
      return FIELD;
    }
    this.path.push(k);
    try {
      return this.reduce(v);
    } finally {
      this.path.pop();
    }
  }

  private array(arr: unknown[]): unknown {
    let simple = true;
    for (let i = 0; simple && i < arr.length; i++) simple = isPrimitive(arr[i]);
    if (simple) {
      this.memo.set(arr, arr);
      return arr;
    }
    const out: unknown[] = new Array(arr.length);
    this.memo.set(arr, out);
    for (let i = 0; i < arr.length; i++) {
      if (!(i in arr)) continue;
      const v = arr[i];
      if (isPrimitive(v)) {
        out[i] = v;
        continue;
      }
      this.path.push(i);
      try {
        out[i] = this.reduce(v);
      } finally {
        this.path.pop();
      }
    }
    return out;
  }

  private error(err: Error): unknown {
    this.tagged = true;
    const rec: Rec = { [TAG]: 'err', c: undefined, m: err.message, s: err.stack };
    this.memo.set(err, rec);
    const ctor = Object.getPrototypeOf(err)?.constructor as AnyFn | undefined;
    if (ctor && ctor[META] && (ctor[META] as UnitMeta).mod) rec.c = this.at('(class)', () => this.fn(ctor));
    else rec.c = (ctor && RUNTIME_ERROR_NAMES.get(ctor)) ?? ERROR_NAMES.find((n) => (globalThis as Record<string, unknown>)[n] === ctor) ?? 'Error';
    if (Object.prototype.hasOwnProperty.call(err, 'cause')) rec.x = this.at('.cause', () => this.reduce((err as { cause?: unknown }).cause));
    if (err instanceof AggregateError) rec.g = this.at('.errors', () => this.reduce(err.errors));
    const own = Object.keys(err).filter((k) => k !== 'cause');
    if (own.length) rec.v = this.props(Object.fromEntries(own.map((k) => [k, (err as unknown as Record<string, unknown>)[k]])), {});
    return rec;
  }

  private instance(obj: object, proto: object): unknown {
    this.tagged = true;
    const ctor = Object.prototype.hasOwnProperty.call(proto, 'constructor') ? (proto as { constructor: AnyFn }).constructor : undefined;
    // a class, or a constructor function (`function Parser() {}` + prototype methods: pre-ES2015
    // classes, common in shipped packages), which the transform identifies by its directive
    const meta = ctor && (Object.prototype.hasOwnProperty.call(ctor, META) ? ctor[META] as UnitMeta : directiveMeta(ctor));
    if (!ctor || !meta || !meta.mod || meta.kind === 'arrow' || ctor.prototype !== proto) {
      return this.fail(obj, ctor && ctor.name ? `class ${ctor.name} was not compiled with the Teleport transform` : 'its prototype is not a registered class');
    }
    const hook = (obj as { [serialize]?: () => unknown })[serialize];
    if (typeof hook === 'function') {
      const rec: Rec = { [TAG]: 'hook', c: undefined, v: undefined };
      this.memo.set(obj, rec);
      rec.c = this.fn(ctor);
      rec.v = this.at(`.[serialize]()`, () => this.reduce(hook.call(obj)));
      return rec;
    }
    const rec: Rec = { [TAG]: 'inst', c: undefined, v: undefined };
    this.memo.set(obj, rec);
    rec.c = this.fn(ctor);
    const outerField = this.field; // (this instance may be inside another's props)
    this.field = undefined;
    rec.v = this.props(obj as Record<string, unknown>, {}, Object.keys(obj), true);
    const field = this.field;
    this.field = outerField;
    // own properties keyed by registered or well-known symbols (immer's `[immerable] = true` field);
    // other symbol keys cannot mean the same thing in a worker and are left out, as before
    const syms = Object.getOwnPropertySymbols(obj).filter((k) => Object.prototype.propertyIsEnumerable.call(obj, k) && sendableSymbol(k));
    if (syms.length) rec.y = syms.map((k) => [this.symbol(k), this.at(`[${String(k)}]`, () => this.reduce((obj as Record<symbol, unknown>)[k]))]);
    // #private fields, read through the accessors each class registered (most derived first)
    const priv: [unknown, unknown][] = [];
    for (let c: AnyFn | null = ctor; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
      const acc = Object.prototype.hasOwnProperty.call(c, PRIVATE) ? (c as unknown as Record<symbol, [(o: object) => unknown[]]>)[PRIVATE] : undefined;
      if (acc) priv.push([this.fn(c), this.at(`(#private fields of ${c.name})`, () => this.reduce(acc[0](obj)))]);
    }
    if (priv.length) rec.pv = priv;
    else if (field !== undefined) {
      // without #private fields the instance is not constructed, so no initializer makes it again
      // (the path names it as `prop` would: `.field`)
      return this.at('.' + field, () => this.reduce((obj as Record<string, unknown>)[field]));
    }
    return rec;
  }

  fn(fn: AnyFn): unknown {
    const seen = this.memo.get(fn);
    if (seen !== undefined) return seen;
    this.tagged = true;
    const bound = Object.prototype.hasOwnProperty.call(fn, BOUND) ? (fn as unknown as Record<symbol, [Function, unknown, unknown[]]>)[BOUND] : undefined;
    if (bound) {
      const rec: Rec = { [TAG]: 'bnd', f: undefined, t: undefined, a: undefined };
      this.memo.set(fn, rec);
      rec.f = this.at('(bound target)', () => this.fn(bound[0] as AnyFn));
      rec.t = this.at('(bound this)', () => this.reduce(bound[1]));
      rec.a = this.at('(bound arguments)', () => this.reduce(bound[2]));
      return rec;
    }
    const meta = Object.prototype.hasOwnProperty.call(fn, META) ? fn[META] : directiveMeta(fn);
    if (!meta) {
      const path = builtinPath(fn);
      if (path !== undefined) {
        const rec = { [TAG]: 'bi', p: path };
        this.memo.set(fn, rec);
        return rec;
      }
      return this.fail(fn, 'it was not compiled with the Teleport transform, and it is not a known builtin');
    }
    if (meta.kind === 'member') {
      const rec: Rec = { [TAG]: 'mth', c: undefined, k: meta.key, mk: meta.mkind, s: meta.isStatic };
      this.memo.set(fn, rec);
      rec.c = this.fn(fn[OWNER] as AnyFn);
      return rec;
    }
    if (meta.unsendable) {
      throw new UnserializableError(`${fnLabel(meta)} cannot be sent to a worker: ${meta.unsendable} (the transform left it as written; move what needs it out of the function)`, this.path.map(formatSeg));
    }
    const mod = meta.mod;
    this.mods.add(mod.url);
    if (meta.decl && !mod.main) {
      const rec = { [TAG]: 'ref', m: mod.id, j: meta.j, h: meta.hash };
      this.memo.set(fn, rec);
      return rec;
    }
    const rec: Rec = { [TAG]: 'fn', m: mod.id, j: meta.j, h: meta.hash, n: fn.name, e: undefined, p: undefined };
    this.memo.set(fn, rec);
    const outer = this.context;
    const outerPath = this.path;
    this.context = meta;
    this.path = [];
    try {
      rec.e = this.env(envOf(fn, meta), meta);
      const own = Object.keys(fn);
      if (own.length) rec.p = this.props(fn as unknown as Record<string, unknown>, {});
      this.prototypeOf(fn, meta, rec);
    } finally {
      this.context = outer;
      this.path = outerPath;
    }
    return rec;
  }

  /**
   * What statements outside a constructor put on its prototype (`function Range() {}` made in a
   * factory, then `Range.prototype.isRange = true`, `Dense.prototype = new Matrix()`: the copy the
   * worker rebuilds has only what its own text makes). `pp`: enumerable own properties added to
   * the prototype (classes too); `pr`: a prototype object that replaced the original one.
   */
  private prototypeOf(fn: AnyFn, meta: UnitMeta, rec: Rec): void {
    if (meta.kind !== 'function' && meta.kind !== 'declaration' && meta.kind !== 'class' && meta.kind !== 'class-declaration') return;
    const proto = Object.getOwnPropertyDescriptor(fn, 'prototype')?.value as Record<string, unknown> | undefined;
    if (proto === null || typeof proto !== 'object') return;
    const parent = Object.getPrototypeOf(proto);
    if (parent === GENERATOR_PROTOTYPE || parent === ASYNC_GENERATOR_PROTOTYPE) return; // a generator function's
    const isClass = meta.kind === 'class' || meta.kind === 'class-declaration';
    if (!isClass && (parent !== Object.prototype || !Object.prototype.hasOwnProperty.call(proto, 'constructor'))) {
      rec.pr = this.at('.prototype', () => this.reduce(proto));
      return;
    }
    const keys = Object.keys(proto);
    if (keys.length) rec.pp = this.at('.prototype', () => this.props(proto, {}, keys));
  }

  /** Environment record chain for a unit, reading only the slots it uses. */
  private env(reader: Reader, meta: UnitMeta): Rec {
    const mod = meta.mod;
    const chain = new Map<number, [Reader, Rec]>();
    let child: Rec | undefined;
    for (let s = meta.home, r: Reader = reader; s >= 0; s = mod.scopes[s][0]) {
      let rec = this.envs.get(r);
      const known = !!rec;
      if (!rec) {
        rec = { [TAG]: 'env', m: mod.id, s, p: undefined, v: {} };
        this.envs.set(r, rec);
        this.mods.add(mod.url);
      }
      if (child) child.p = rec;
      chain.set(s, [r, rec]);
      child = rec;
      if (s === 0) break;
      if (known && rec.p) {
        // the rest of the chain was linked when this env was first seen
        for (let p = rec.p as Rec; p; p = p.p as Rec) chain.set(p.s as number, [this.readerOf(p), p]);
        break;
      }
      r = r(-1) as Reader;
    }
    const live = boundLive(mod); // the receiver binds the module scope to its own: no values
    for (const [s, slots] of meta.uses) {
      if (s === 0 && live) continue;
      const entry = chain.get(s);
      if (!entry) continue;
      const [r, rec] = entry;
      const names = mod.scopes[s][1];
      const values = rec.v as Record<number, unknown>;
      for (const i of slots) {
        const name = names[i];
        if (name === 'this') {
          if (!('t' in rec)) rec.t = this.at("'this'", () => this.reduce(r(i)));
          continue;
        }
        if (i in values || (name === 'arguments' && 'a' in rec)) continue;
        let value: unknown;
        try {
          value = r(i);
        } catch (e) {
          throw new UnserializableError(`${fnLabel(meta)} captured '${name}', which is not initialized yet when the function is sent (${(e as Error).message})`, [name]);
        }
        if (name === 'arguments') rec.a = this.at("'arguments'", () => this.reduce(Array.from(value as ArrayLike<unknown>)));
        else values[i] = this.at(`'${name}'`, () => this.reduce(value));
      }
    }
    return chain.get(meta.home)![1];
  }

  private readerOf(rec: Rec): Reader {
    for (const [r, x] of this.envs) if (x === rec) return r;
    throw new Error('teleport: internal error: env reader not found');
  }
}

/** Gives back the i-th out-of-band typed array of a sealed payload (protocol.seal), as a private copy. */
export type OutOfBand = (index: number, type: string) => ArrayBufferView;

/** Typed arrays at least this large travel out of band when a payload is sealed (protocol.seal). */
export const OOB_MIN = 1 << 20;

class Reviver {
  private memo = new Map<unknown, unknown>();
  constructor(private senderBuild: string, private oob?: OutOfBand) {}

  revive(v: unknown): unknown {
    if (v === null || typeof v !== 'object') return v;
    const seen = this.memo.get(v);
    if (seen !== undefined) return seen;
    if (Array.isArray(v)) {
      this.memo.set(v, v);
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x !== null && typeof x === 'object') v[i] = this.revive(x);
      }
      return v;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype) {
      const tag = (v as Rec)[TAG];
      if (typeof tag === 'string') return this.record(v as Rec);
      this.memo.set(v, v);
      this.fill(v as Record<string, unknown>, v as Record<string, unknown>);
      return v;
    }
    if (proto === Map.prototype) {
      const m = v as Map<unknown, unknown>;
      this.memo.set(v, v);
      const entries = [...m];
      m.clear();
      for (const [k, x] of entries) m.set(this.revive(k), this.revive(x));
      return m;
    }
    if (proto === Set.prototype) {
      const s = v as Set<unknown>;
      this.memo.set(v, v);
      const items = [...s];
      s.clear();
      for (const x of items) s.add(this.revive(x));
      return s;
    }
    return v;
  }

  private fill(from: Record<string, unknown>, to: Record<string, unknown>): void {
    for (const k of Object.keys(from)) {
      const x = from[k];
      to[k] = x !== null && typeof x === 'object' ? this.revive(x) : x;
    }
  }

  /** `fill`, except that fields sent as FIELD keep the value their initializer gave them here. */
  private fillInstance(from: Record<string, unknown>, to: Record<string, unknown>, cls: Function): void {
    for (const k of Object.keys(from)) {
      const x = from[k];
      if (x !== null && typeof x === 'object' && (x as Rec)[TAG] === FIELD[TAG]) {
        if (typeof to[k] !== 'function' || !Object.prototype.hasOwnProperty.call(to, k)) {
          throw new FormatError(`cannot restore field '${k}' of an instance of ${cls.name}: its function uses a private name, so only its initializer can make it, and restoring the instance did not run it (classes without #private fields are not constructed); give the class [Teleport.serialize]() and static [Teleport.deserialize](state)`);
        }
        continue;
      }
      to[k] = x !== null && typeof x === 'object' ? this.revive(x) : x;
    }
  }

  private record(r: Rec): unknown {
    switch (r[TAG]) {
      case 'fn':
        return this.fn(r);
      case 'oob': {
        if (!this.oob) throw new FormatError('payload refers to out-of-band data it does not carry');
        const value = this.oob(r.i as number, r.t as string);
        this.memo.set(r, value);
        return value;
      }
      case 'ref': {
        const mod = loadedModule(r.m as string, this.senderBuild);
        unitOf(mod, r.j as number, r.h as string, this.senderBuild);
        const value = mod.byRef(r.j as number);
        this.memo.set(r, value);
        return value;
      }
      case 'mth': {
        const cls = this.revive(r.c) as Function & { prototype: object };
        const target = r.s ? cls : cls.prototype;
        const d = findDescriptor(target, r.k as string);
        const value = d && (r.mk === 'get' ? d.get : r.mk === 'set' ? d.set : d.value);
        if (typeof value !== 'function') throw new FormatError(`method '${String(r.k)}' not found on class ${cls.name}`);
        this.memo.set(r, value);
        return value;
      }
      case 'bi': {
        const value = resolveBuiltin(r.p as string);
        this.memo.set(r, value);
        return value;
      }
      case 'inst': {
        const cls = this.revive(r.c) as Function & { prototype: object };
        const priv = r.pv as [unknown, unknown][] | undefined;
        const obj = priv ? this.construct(cls, this.revive(priv[0][0]) as Function) : Object.create(cls.prototype);
        this.memo.set(r, obj);
        this.fillInstance(r.v as Record<string, unknown>, obj, cls);
        for (const [k, x] of (r.y as [unknown, unknown][] | undefined) ?? []) (obj as Record<symbol, unknown>)[this.revive(k) as symbol] = this.revive(x);
        for (const [c, values] of priv ?? []) {
          const owner = this.revive(c) as unknown as Record<symbol, [unknown, (o: object, v: unknown[]) => void]>;
          owner[PRIVATE][1](obj, this.revive(values) as unknown[]);
        }
        return obj;
      }
      case 'bnd': {
        const target = this.revive(r.f) as Function;
        const value = target.bind(this.revive(r.t), ...(this.revive(r.a) as unknown[]));
        (value as unknown as Record<symbol, unknown>)[BOUND] = [target, this.revive(r.t), this.revive(r.a)];
        this.memo.set(r, value);
        return value;
      }
      case 'hook': {
        const cls = this.revive(r.c) as Function & { [deserialize]?: (state: unknown) => unknown };
        const state = this.revive(r.v);
        const de = cls[deserialize];
        if (typeof de !== 'function') throw new FormatError(`class ${cls.name} has [serialize]() but no static [deserialize](state)`);
        const obj = de.call(cls, state);
        this.memo.set(r, obj);
        return obj;
      }
      case 'np': {
        const obj = Object.create(null);
        this.memo.set(r, obj);
        this.fill(r.v as Record<string, unknown>, obj);
        return obj;
      }
      case 'esc': {
        const obj: Record<string, unknown> = {};
        this.memo.set(r, obj);
        for (const [k, x] of r.v as [string, unknown][]) obj[k] = this.revive(x);
        return obj;
      }
      case 'buf': {
        const u = r.v as Uint8Array;
        const value = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
        this.memo.set(r, value);
        return value;
      }
      case 'sym': {
        const value = Symbol.for(r.k as string);
        this.memo.set(r, value);
        return value;
      }
      case 'wks': {
        const value = (Symbol as unknown as Record<string, symbol>)[r.k as string];
        this.memo.set(r, value);
        return value;
      }
      case 'err':
        return this.error(r);
      default:
        throw new FormatError(`unknown record type ${JSON.stringify(r[TAG])}`);
    }
  }

  /** An instance of `cls` whose `#private` fields exist: run the constructors in restore mode. */
  private construct(cls: Function, withPrivates: Function): object {
    restoring.on = true;
    try {
      return Reflect.construct(withPrivates, [], cls);
    } catch (e) {
      throw new FormatError(`cannot restore an instance of ${cls.name}: constructing it without arguments failed (${(e as Error).message}); give the class [Teleport.serialize]() and static [Teleport.deserialize](state)`);
    } finally {
      restoring.on = false;
    }
  }

  private error(r: Rec): Error {
    let err: Error;
    const runtimeClass = typeof r.c === 'string' ? RUNTIME_ERRORS.get(r.c) : undefined;
    if (runtimeClass) {
      // (its constructor is not run: the message, stack and own fields come from the record)
      err = Reflect.construct(Error, [r.m], runtimeClass as new () => Error);
    } else if (typeof r.c === 'string') {
      const Ctor = ERROR_NAMES.includes(r.c as never) ? ((globalThis as Record<string, unknown>)[r.c] as ErrorConstructor) : Error;
      err = r.c === 'AggregateError' ? new AggregateError([], r.m as string) : new Ctor(r.m as string);
    } else {
      // a real Error object with the class's prototype, without running its constructor
      const cls = this.revive(r.c) as Function & { prototype: object };
      err = Reflect.construct(Error, [r.m], cls as new () => Error);
    }
    this.memo.set(r, err);
    Object.defineProperty(err, 'stack', { value: r.s, writable: true, configurable: true, enumerable: false });
    if ('x' in r) Object.defineProperty(err, 'cause', { value: this.revive(r.x), writable: true, configurable: true, enumerable: false });
    if ('g' in r) Object.defineProperty(err, 'errors', { value: this.revive(r.g), writable: true, configurable: true, enumerable: false });
    if (r.v) this.fill(r.v as Record<string, unknown>, err as unknown as Record<string, unknown>);
    return err;
  }

  private fn(r: Rec): unknown {
    const mod = loadedModule(r.m as string, this.senderBuild);
    const meta = unitOf(mod, r.j as number, r.h as string, this.senderBuild);
    if (meta.decl && !mod.dry) {
      // this thread runs the module itself: its top-level declarations are the real ones
      const value = mod.byRef(meta.j);
      this.memo.set(r, value);
      return value;
    }
    const env = this.env(r.e as Rec);
    const again = this.memo.get(r); // a captured value may have referred back to this function
    if (again !== undefined) return again;
    const fn = makeFunction(mod, meta, env);
    this.memo.set(r, fn);
    const f = fn as AnyFn;
    if (typeof r.n === 'string' && f.name !== r.n) Object.defineProperty(f, 'name', { value: r.n, configurable: true });
    if (r.p) this.fill(r.p as Record<string, unknown>, f as unknown as Record<string, unknown>);
    if (r.pp) this.fill(r.pp as Record<string, unknown>, f.prototype as Record<string, unknown>);
    if (r.pr) (f as { prototype: unknown }).prototype = this.revive(r.pr);
    return fn;
  }

  private env(r: Rec): ScopeInstance {
    const seen = this.memo.get(r) as ScopeInstance | undefined;
    if (seen) return seen;
    const mod = loadedModule(r.m as string, this.senderBuild);
    let inst: ScopeInstance;
    if (r.s === 0) {
      inst = moduleScope(mod);
    } else {
      const parent = this.env(r.p as Rec);
      const again = this.memo.get(r) as ScopeInstance | undefined;
      if (again) return again;
      const thisValue = 't' in r ? this.revive(r.t) : undefined;
      const args = 'a' in r ? (this.revive(r.a) as unknown[]) : [];
      const again2 = this.memo.get(r) as ScopeInstance | undefined;
      if (again2) return again2;
      inst = parent[3](r.s as number).apply(thisValue, args);
    }
    this.memo.set(r, inst);
    const values = r.v as Record<string, unknown>;
    for (const k of Object.keys(values)) inst[1](Number(k), this.revive(values[k]));
    return inst;
  }
}

/** Symbols that mean the same in every thread: registered (Symbol.for) and well-known ones. */
function sendableSymbol(s: symbol): boolean {
  return Symbol.keyFor(s) !== undefined || wellKnownName(s) !== undefined;
}

/** The name of a well-known symbol (`'iterator'` for Symbol.iterator), or undefined. */
function wellKnownName(s: symbol): string | undefined {
  return Object.getOwnPropertyNames(Symbol).find((n) => (Symbol as unknown as Record<string, unknown>)[n] === s);
}

/** The [[Prototype]] of a generator function's (async generator function's) `prototype` object. */
const GENERATOR_PROTOTYPE = Object.getPrototypeOf(function* () { /* */ }).prototype as object;
const ASYNC_GENERATOR_PROTOTYPE = Object.getPrototypeOf(async function* () { /* */ }).prototype as object;

const DIRECTIVE = /\{\s*["']tp:([^"']+)["']/;

/** Metadata of a function identified by the `"tp:<id>"` directive the transform put in its body. */
/** functions already looked up (a function's directive never changes): sending one again is cheap */
const directiveCache = new WeakMap<Function, UnitMeta>();

function directiveMeta(fn: Function): UnitMeta | undefined {
  let meta = directiveCache.get(fn);
  if (meta === undefined && (meta = readDirective(fn)) !== undefined) directiveCache.set(fn, meta);
  return meta;
}

function readDirective(fn: Function): UnitMeta | undefined {
  let src: string;
  try {
    src = Function.prototype.toString.call(fn);
  } catch {
    return undefined;
  }
  const m = DIRECTIVE.exec(src);
  return m ? unitsById.get(m[1]) : undefined;
}

/** The environment reader of a function: stored on it, or (module-level environment) its module's. */
function envOf(fn: AnyFn, meta: UnitMeta): Reader {
  const stored = Object.prototype.hasOwnProperty.call(fn, ENV) ? fn[ENV] : undefined;
  if (stored) return stored;
  const mod = meta.mod;
  if (meta.home !== 0) {
    // the closure was compiled to answer a probe: call it with the module's probe flag on; it
    // returns its environment reader (an async one hands it over through hooks.x)
    probed.env = undefined;
    mod.probe(true);
    let ret: unknown;
    try {
      ret = Reflect.apply(fn, undefined, []);
    } finally {
      mod.probe(false);
    }
    const env = (probed.env ?? ret) as Reader | undefined;
    probed.env = undefined;
    if (typeof env !== 'function') throw new UnserializableError(`${fnLabel(meta)} did not hand over its environment when probed`, []);
    return env;
  }
  // in a thread that loaded the module dry, every function of it was rebuilt from the factories
  return mod.dry ? moduleScope(mod)[0] : mod.reader;
}


function findDescriptor(target: object, key: string): PropertyDescriptor | undefined {
  return Object.getOwnPropertyDescriptor(target, key);
}

/**
 * A packet may carry `flat: 1`: its data holds no records (no functions, instances, symbols,
 * errors, …), so it is plain structured-clone data that needs no reviving. Readers that do not
 * know the flag revive it anyway, which returns the same value.
 */
type MaybeFlat = Packet & { flat?: 1 };

/**
 * True when `value` is plain data that the reducer would hand to the structured clone unchanged
 * (up to copying): primitives other than symbols, and plain objects (without the escape key),
 * arrays, Maps and Sets of such values, and leaves (Date, RegExp, typed arrays, ArrayBuffer, …).
 * Such a value is sent as it is, with no copy and no reviving. One pass with an explicit stack
 * (deep data cannot overflow it), stopping at the first value that needs a record. Only containers
 * that hold objects are remembered (for cycles and shared parts): all-primitive ones are leaves.
 * Proxies and arguments objects are left to the reducer: the structured clone rejects them.
 */
export function isPlainData(value: unknown): boolean {
  if (isPrimitive(value)) return true;
  let seen: Set<object> | undefined;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) return false; // function or symbol (primitives are never pushed)
    if (noSerializeUsed && noSerializeSet.has(v)) return false;
    if (seen !== undefined && seen.has(v)) continue;
    const proto = Object.getPrototypeOf(v);
    if (LEAF_PROTOS.has(proto)) continue;
    const mark = stack.length;
    if (proto === Object.prototype) {
      if (types.isProxy(v) || types.isArgumentsObject(v)) return false;
      // for-in: no key array per object (it also visits enumerable keys inherited from
      // Object.prototype, which only makes the check stricter)
      for (const k in v) {
        if (k === TAG) return false;
        const x = (v as Record<string, unknown>)[k];
        if (!isPrimitive(x)) stack.push(x);
      }
    } else if (proto === Array.prototype && Array.isArray(v)) {
      if (types.isProxy(v)) return false;
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (!isPrimitive(x)) stack.push(x);
      }
    } else if ((proto === Map.prototype || proto === Set.prototype) && !types.isProxy(v)) {
      for (const x of proto === Map.prototype ? [...(v as Map<unknown, unknown>)].flat() : (v as Set<unknown>)) {
        if (!isPrimitive(x)) stack.push(x);
      }
    } else {
      return false;
    }
    if (stack.length > mark) (seen ??= new Set()).add(v);
  }
  return true;
}

/** per function object: its call shape, or null when its calls go through the general reducer */
const shapes = new WeakMap<Function, CallShape | null>();

function shapeOf(fn: AnyFn): CallShape | null {
  if (Object.prototype.hasOwnProperty.call(fn, BOUND)) return null;
  const meta = Object.prototype.hasOwnProperty.call(fn, META) ? fn[META] : directiveMeta(fn);
  if (!meta || meta.kind === 'member' || meta.unsendable) return null;
  if (meta.kind !== 'arrow' && meta.kind !== 'object-method' && meta.kind !== 'function' && meta.kind !== 'declaration') return null;
  if (meta.decl && !meta.mod.main) return null; // sent by reference
  let reader: Reader;
  try {
    reader = envOf(fn, meta);
  } catch {
    return null;
  }
  return callShape(meta, reader, fn.name);
}

/**
 * True when the reducer would emit nothing for `fn` beyond its unit and environment: no own
 * enumerable properties, the same name as when its shape was taken, not marked noSerialize, and
 * (function expressions and declarations) a prototype that statements outside it did not change
 * (see Reducer.prototypeOf).
 */
function pristine(fn: AnyFn, shape: CallShape): boolean {
  if (noSerializeUsed && noSerializeSet.has(fn)) return false;
  for (const _ in fn) return false;
  if (fn.name !== shape.name) return false;
  const proto = Object.getOwnPropertyDescriptor(fn, 'prototype')?.value as object | null | undefined;
  if (proto === null || typeof proto !== 'object') return true;
  const parent = Object.getPrototypeOf(proto);
  if (parent === GENERATOR_PROTOTYPE || parent === ASYNC_GENERATOR_PROTOTYPE) return true;
  if (parent !== Object.prototype || !Object.prototype.hasOwnProperty.call(proto, 'constructor')) return false;
  for (const _ in proto) return false;
  return true;
}

/**
 * The payload of a pool call `fn(...args)`: `pack([fn, args], 'task')`, or, when fn is a closure
 * whose captured values and the arguments are all plain data, a {@link CallPacket} (then only the
 * values are read and posted; the closure's records travel as a template).
 */
export function packCall(fn: Function, args: unknown[]): Packet | CallPacket {
  let shape = shapes.get(fn);
  if (shape === undefined) shapes.set(fn, (shape = shapeOf(fn as AnyFn)));
  if (shape !== null && pristine(fn as AnyFn, shape)) {
    const reads = shape.reads;
    const packet: unknown[] = [CALL, FORMAT_VERSION, buildId(), shape.url, shape.template];
    let read = true;
    try {
      for (let k = 0; k < reads.length; k++) packet.push(reads[k]![0](reads[k]![1]));
    } catch {
      read = false; // not initialized yet (TDZ): the reducer reports it
    }
    if (read) {
      for (let k = 0; k < args.length; k++) packet.push(args[k]);
      if (isPlainData(packet)) return packet as CallPacket;
    }
  }
  return pack([fn, args], 'task');
}

/**
 * [fn, args] of a call packet whose module is loaded: the closure rebuilt the way reviving the
 * reducer's records rebuilds it (Reviver.fn and Reviver.env for one function whose environment
 * chain holds only plain values), without the records. The values and arguments are plain data
 * (see packCall): they need no reviving.
 */
/** The registry record of a module a payload refers to, which this thread must have loaded. */
function loadedModule(id: string, senderBuild: string): ModuleRecord {
  const mod = modules.get(id);
  if (!mod) throw new UnknownModuleError(`payload refers to module ${id}, which this process has not loaded (sender build ${senderBuild}, receiver build ${buildId()})`);
  return mod;
}

/** Unit `j` of a module, which must have the body hash `h` the sender's build gave it. */
function unitOf(mod: ModuleRecord, j: number, h: string, senderBuild: string): UnitMeta {
  const meta = mod.units[j];
  if (!meta || meta.hash !== h) {
    throw new VersionSkewError(
      `payload from build ${senderBuild} refers to ${meta ? `'${meta.path}' in ${mod.file}` : `unit #${String(j)} of ${mod.file}`}, whose code differs in this build (${buildId()}); rebuild both sides from the same sources`,
      senderBuild, buildId());
  }
  return meta;
}

/**
 * A unit made from its factory in a rebuilt environment, tagged with its metadata and reader (a
 * module-level declaration is made once per module and thread: every payload shares it).
 */
function makeFunction(mod: ModuleRecord, meta: UnitMeta, env: ScopeInstance): unknown {
  const module0 = meta.home === 0 && meta.decl;
  let fn = module0 ? mod.decls.get(meta.j) : undefined;
  if (!fn) {
    fn = env[2](meta.j);
    const f = fn as AnyFn;
    f[META] = meta;
    f[ENV] = env[0];
    if (meta.memberMetas) tagMembers(f, meta);
    if (module0) mod.decls.set(meta.j, fn);
  }
  return fn;
}

function reviveCall(p: CallPacket): [Function, unknown[]] {
  const t = parseTemplate(p[4]);
  const start = 5 + t.count;
  if (p.length < start) throw new FormatError('call payload: fewer captured values than its template has');
  const mod = loadedModule(t.m, p[2]);
  const meta = unitOf(mod, t.j, t.h, p[2]);
  const args = p.slice(start);
  if (meta.decl && !mod.dry) return [mod.byRef(meta.j) as Function, args];
  let env: ScopeInstance | undefined;
  for (let level = t.scopes.length - 1; level >= 0; level--) {
    const s = t.scopes[level]!;
    env = s === 0 ? moduleScope(mod) : env![3](s).apply(undefined, []);
    for (const [i, k] of t.levels[level]!) env[1](i, p[5 + k]);
  }
  const fn = makeFunction(mod, meta, env!) as Function;
  if (fn.name !== t.n) Object.defineProperty(fn, 'name', { value: t.n, configurable: true });
  return [fn, args];
}

/** The value of a packet whose modules are loaded. */
function revivePacket(p: Packet | CallPacket, oob?: OutOfBand): unknown {
  if (Array.isArray(p)) return reviveCall(p);
  if ((p as MaybeFlat).flat === 1) return p.data;
  return new Reviver(p.build, oob).revive(p.data);
}

/** The module URLs a packet needs loaded. */
function modsOf(p: Packet | CallPacket): readonly string[] {
  return Array.isArray(p) ? [p[3]] : p.mods;
}

/** Reduce a value into a Packet (structured-cloneable). `label` names the root in error messages. */
export function pack(value: unknown, label = 'value', oob?: ArrayBufferView[]): Packet {
  if (!oob && isPlainData(value)) {
    const packet: MaybeFlat = { v: FORMAT_VERSION, build: buildId(), mods: [], data: value, flat: 1 };
    return packet;
  }
  const r = new Reducer(label, oob);
  const data = r.reduce(value);
  const packet: MaybeFlat = { v: FORMAT_VERSION, build: buildId(), mods: [...r.mods], data };
  if (!r.tagged) packet.flat = 1;
  return packet;
}

function checkPacket(p: unknown): Packet | CallPacket {
  if (Array.isArray(p) && p[0] === CALL) {
    if (p[1] !== FORMAT_VERSION) throw new FormatError(`Teleport payload has format version ${String(p[1])}; this runtime reads version ${FORMAT_VERSION}`);
    if (typeof p[2] !== 'string' || typeof p[3] !== 'string' || typeof p[4] !== 'string') throw new FormatError('not a Teleport payload');
    return p as CallPacket;
  }
  const ok = !!p && typeof p === 'object' && (p as Packet).v === FORMAT_VERSION && typeof (p as Packet).build === 'string'
    && Array.isArray((p as Packet).mods) && (p as Packet).mods.every((m) => typeof m === 'string') && 'data' in (p as object);
  if (!ok) {
    const v = p && typeof p === 'object' ? (p as Packet).v : undefined;
    throw new FormatError(typeof v === 'number' && v !== FORMAT_VERSION
      ? `Teleport payload has format version ${v}; this runtime reads version ${FORMAT_VERSION}`
      : 'not a Teleport payload');
  }
  return p as Packet;
}

/** Revive a Packet whose modules are already loaded in this thread. */
export function unpackSync(packet: Packet | CallPacket): unknown {
  const p = checkPacket(packet);
  for (const url of modsOf(p)) {
    if (![...modules.values()].some((m) => m.url === url)) {
      throw new UnknownModuleError(`payload needs module ${url}, which is not loaded in this thread (import it first, or use a Pool)`);
    }
  }
  return revivePacket(p);
}

const loaded = new Set<string>();
/** a module URL this thread has loaded (remembered: every packet of a warm thread asks again) */
function isLoaded(url: string): boolean {
  if (loaded.has(url)) return true;
  for (const m of modules.values()) {
    if (m.url === url) {
      loaded.add(url);
      return true;
    }
  }
  return false;
}

/** Import the modules a Packet needs (only modules compiled by the same build register), then revive it. */
export async function unpack(packet: Packet | CallPacket, oob?: OutOfBand): Promise<unknown> {
  const p = checkPacket(packet);
  for (const url of modsOf(p)) {
    if (isLoaded(url)) continue;
    if (!url.startsWith('file:')) throw new UnknownModuleError(`refusing to import non-file module URL ${url}`);
    await import(url);
    loaded.add(url);
  }
  return revivePacket(p, oob);
}

/**
 * The Packet revived at once when every module it needs is already loaded (a warm worker: no
 * promise, no turn of the microtask queue), else undefined: then use {@link unpack}.
 */
export function unpackLoaded(packet: Packet | CallPacket, oob?: OutOfBand): { value: unknown } | undefined {
  const p = checkPacket(packet);
  if (Array.isArray(p)) return isLoaded(p[3]) ? { value: reviveCall(p) } : undefined;
  for (const url of p.mods) if (!isLoaded(url)) return undefined;
  return { value: revivePacket(p, oob) };
}
