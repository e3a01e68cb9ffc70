// The short form of a `pool.run` call for the common case: a closure (arrow, function expression
// or declaration, object method) whose captures and arguments are plain data. The record the
// reducer would emit for such a closure (its unit and environment chain) depends only on the
// function object, so it is worked out once per function object and travels as a short template
// string; what is read per call is only the captured values (a snapshot, as always). The receiver
// rebuilds from template + values what reviving the reducer's records would rebuild (see
// pickle.reviveCall): every call still gets a freshly rebuilt function and environment.
import { FormatError } from './errors.js';
import { boundLive, type Reader, type UnitMeta } from './registry.js';

export interface CallShape {
  /** the environment slots read on every call, in the template's order: [reader, slot index] */
  reads: [Reader, number][];
  /** [module id, unit index, body hash, name, scopes from the home scope up to 0, [scope level, slot][]] as JSON */
  template: string;
  /** the function's name when the shape was taken (the record carries it) */
  name: string;
  /** URL of the function's module (the receiver imports it if needed) */
  url: string;
}

/**
 * The shape of a closure whose environment reader is `reader`, or null when its record needs more
 * than slot values (a captured `this` or `arguments`): those go through the general reducer.
 * Mirrors Reducer.env for one function: the chain from the unit's home scope up to the module
 * scope, and the slots the unit uses in it (module slots left out when the receiver binds the
 * module scope to its own).
 */
export function callShape(meta: UnitMeta, reader: Reader, name: string): CallShape | null {
  const mod = meta.mod;
  const scopes: number[] = [];
  const readers: Reader[] = [];
  for (let s = meta.home, r = reader; s >= 0; s = mod.scopes[s]![0]) {
    scopes.push(s);
    readers.push(r);
    if (s === 0) break;
    r = r(-1) as Reader;
  }
  const live = boundLive(mod);
  const reads: [Reader, number][] = [];
  const slots: [number, number][] = [];
  const seen = new Set<string>();
  for (const [s, idxs] of meta.uses) {
    if (s === 0 && live) continue;
    const level = scopes.indexOf(s);
    if (level < 0) continue;
    const names = mod.scopes[s]![1];
    for (const i of idxs) {
      if (names[i] === 'this' || names[i] === 'arguments') return null;
      if (seen.has(`${s}:${i}`)) continue;
      seen.add(`${s}:${i}`);
      reads.push([readers[level]!, i]);
      slots.push([level, i]);
    }
  }
  return { reads, template: JSON.stringify([mod.id, meta.j, meta.hash, name, scopes, slots]), name, url: mod.url };
}

/** A parsed template: the unit, and the slots to set per scope level (from the home scope up to 0). */
export interface CallTemplate {
  m: string;
  j: number;
  h: string;
  n: string;
  scopes: number[];
  /** per level: [slot, index of its value][], by ascending slot (the order the reducer's records set them) */
  levels: [number, number][][];
  /** how many captured values precede the arguments */
  count: number;
}

const TEMPLATES_MAX = 1024;
/** parsed templates by their text (per thread: a worker sees the same few again and again) */
const templates = new Map<string, CallTemplate>();

export function parseTemplate(text: string): CallTemplate {
  let t = templates.get(text);
  if (t) return t;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const [m, j, h, n, scopes, slots] = Array.isArray(raw) ? raw : [];
  const ok = typeof m === 'string' && Number.isSafeInteger(j) && typeof h === 'string' && typeof n === 'string'
    && Array.isArray(scopes) && scopes.length > 0 && scopes.every((s) => Number.isSafeInteger(s) && s >= 0) && scopes.at(-1) === 0
    && Array.isArray(slots) && slots.every((x) => Array.isArray(x) && x.length === 2 && Number.isSafeInteger(x[0]) && x[0] >= 0 && x[0] < scopes.length && Number.isSafeInteger(x[1]) && x[1] >= 0);
  if (!ok) throw new FormatError('malformed call template in a Teleport payload');
  const levels: [number, number][][] = (scopes as number[]).map(() => []);
  (slots as [number, number][]).forEach(([level, i], k) => levels[level]!.push([i, k]));
  for (const l of levels) l.sort((a, b) => a[0] - b[0]);
  t = { m, j, h, n, scopes, levels, count: slots.length } as CallTemplate;
  if (templates.size >= TEMPLATES_MAX) templates.clear();
  templates.set(text, t);
  return t;
}
