// The tiny surface compiled code imports (`import * as $tp from 'teleport/hooks'`): attach
// metadata to functions, classes and object-literal methods as they are created, register
// modules, and tell a module whether it is being loaded "dry" in a worker.
import { BOUND, ENV, META, OWNER, PRIVATE, isDry, probed, registerModule, restoring, type MemberMeta, type UnitMeta } from './registry.js';

type Fn = Function & { [META]?: UnitMeta | MemberMeta; [ENV]?: unknown; [OWNER]?: Function };

/** Registers a function value; returns it unchanged. */
export function f<F>(fn: F, meta: UnitMeta, env: unknown): F {
  (fn as Fn)[META] = meta;
  (fn as Fn)[ENV] = env;
  return fn;
}

/** Registers a function and gives it the name its syntactic position implies (`x = () => {}`). */
export function n<F>(fn: F, meta: UnitMeta, env: unknown): F {
  (fn as Fn)[META] = meta;
  (fn as Fn)[ENV] = env;
  if (meta.name !== undefined && (fn as Fn).name !== meta.name) Object.defineProperty(fn, 'name', { value: meta.name, configurable: true });
  return fn;
}

/** Registers a class and the methods/accessors it defines; returns it unchanged. */
export function c<C>(cls: C, meta: UnitMeta, env: unknown): C {
  const k = cls as Fn;
  k[META] = meta;
  k[ENV] = env;
  tagMembers(k, meta);
  return cls;
}

/** Points each method/accessor a class defines at its member metadata and at the class. */
export function tagMembers(cls: Function, meta: UnitMeta): void {
  const k = cls as Fn;
  for (const m of meta.memberMetas ?? []) {
    const target = m.isStatic ? k : (k as { prototype?: object }).prototype;
    if (!target) continue;
    const d = Object.getOwnPropertyDescriptor(target, m.key);
    const fn = (d && (m.mkind === 'get' ? d.get : m.mkind === 'set' ? d.set : d.value)) as Fn | undefined;
    if (typeof fn === 'function' && !Object.prototype.hasOwnProperty.call(fn, META)) {
      fn[META] = m;
      fn[OWNER] = k;
    }
  }
}

/** Registers object-literal methods and accessors: (obj, meta1, env1, meta2, env2, ...). */
export function o<O extends object>(obj: O, ...pairs: unknown[]): O {
  for (let i = 0; i < pairs.length; i += 2) {
    const meta = pairs[i] as UnitMeta;
    const d = Object.getOwnPropertyDescriptor(obj, meta.key!);
    const fn = (d && (meta.pkind === 'get' ? d.get : meta.pkind === 'set' ? d.set : d.value)) as Fn | undefined;
    if (typeof fn === 'function' && !Object.prototype.hasOwnProperty.call(fn, META)) {
      fn[META] = meta;
      fn[ENV] = pairs[i + 1];
    }
  }
  return obj;
}

/** Used by rebuilt code: the method/accessor defined by a one-member object literal. */
export function om(obj: object, kind: 'value' | 'get' | 'set'): unknown {
  const key = Reflect.ownKeys(obj)[0];
  const d = Object.getOwnPropertyDescriptor(obj, key)!;
  return kind === 'get' ? d.get : kind === 'set' ? d.set : d.value;
}

/** Marks a function the transform could not make sendable (so sending it fails clearly). */
export function u<F>(fn: F, meta: UnitMeta): F {
  (fn as Fn)[META] = meta;
  return fn;
}

/** `target.bind(...args)`, recording target, this and arguments so the bound function can be sent. */
export function b(target: unknown, ...args: unknown[]): unknown {
  const bound = (target as { bind: (...a: unknown[]) => unknown }).bind(...args);
  if (typeof bound === 'function' && typeof target === 'function' && (target as Function).bind === Function.prototype.bind) {
    (bound as unknown as Record<symbol, unknown>)[BOUND] = [target, args[0], args.slice(1)];
  }
  return bound;
}

/** Registers how to read and write the `#private` fields a class declares. */
export function p(cls: Function, read: (o: object) => unknown[], write: (o: object, v: unknown[]) => void): void {
  (cls as unknown as Record<symbol, unknown>)[PRIVATE] = [read, write];
}

/** Checked by constructors of classes with `#private` fields: `on` while the runtime restores an instance. */
export const R = restoring;

/** The two property keys compiled code stores on each function it creates (metadata, environment). */
export const K = META;
export const V = ENV;

/** Called by an async closure in probe mode (other closures return the reader): hands its environment reader to the pickler. */
export function x(env: unknown): undefined {
  probed.env = env;
  return undefined;
}

export const module = registerModule;
export const dry = isDry;

/** Stand-in value for destructuring declarations skipped in a dry module: yields itself. */
export const DRY: unknown = new Proxy(Object.create(null), {
  get(_t, key) {
    if (key === Symbol.iterator) {
      return function* () {
        for (let i = 0; i < 64; i++) yield DRY;
      };
    }
    return DRY;
  },
});
