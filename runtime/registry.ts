// The registry the instrumented code talks to: each compiled module registers its unit table,
// env reader and factories once; every function it creates gets a metadata pointer and, when it
// captures anything, the reader of its enclosing environment. Reading captures happens only at
// pickle time.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';

export const META: unique symbol = Symbol.for('teleport.meta') as never;
export const ENV: unique symbol = Symbol.for('teleport.env') as never;
export const OWNER: unique symbol = Symbol.for('teleport.owner') as never;
export const BOUND: unique symbol = Symbol.for('teleport.bound') as never;
export const PRIVATE: unique symbol = Symbol.for('teleport.private') as never;

/** Where a probed closure leaves its environment reader (see hooks.x). */
export const probed: { env: unknown } = { env: undefined };

/** Set while the runtime constructs an instance to restore (see hooks.p). */
export const restoring = { on: false };

/** Reads slot `i` of an environment; any other index returns the parent environment's reader. */
export type Reader = (i: number) => unknown;
/** [reader, setSlot, createUnit, childFactory] — one rebuilt scope instance in a worker. */
export type ScopeInstance = [Reader, (i: number, v: unknown) => void, (j: number) => unknown, (n: number) => (this: unknown, ...args: unknown[]) => ScopeInstance];

export interface UnitTableEntry {
  id: string;
  path: string;
  kind: 'arrow' | 'function' | 'declaration' | 'class' | 'class-declaration' | 'object-method';
  line: number;
  col: number;
  home: number;
  hash: string;
  decl: 0 | 1;
  members?: [string, 'method' | 'get' | 'set', 0 | 1][];
  key?: string;
  pkind?: 'value' | 'get' | 'set';
  /** name implied by the unit's position, when the hook must set it */
  name?: string;
  uses: [number, number[]][];
  captures: string[];
  unsendable?: string;
  /** (unsendable units) the key of the instance field whose initializer this unit is */
  field?: string;
}

export interface ModuleTable {
  module: string;
  file: string;
  units: UnitTableEntry[];
  scopes: [number, string[]][];
}

export interface ModuleRecord {
  id: string;
  file: string;
  url: string;
  /** true when this is the program's entry module (sent by value, never executed in workers) */
  main: boolean;
  /** true when this thread loaded the module without running it (the entry module, in a worker) */
  dry: boolean;
  units: UnitMeta[];
  scopes: [number, string[]][];
  reader: Reader;
  /** rebuilds the module scope from payload values (absent when the module is known not to be an entry) */
  factory?: () => ScopeInstance;
  /**
   * the module scope as it is in this thread (absent in a known entry): functions of a module that is
   * not the program's entry are rebuilt bound to it, so their module state is this thread's own
   */
  live?: () => ScopeInstance;
  byRef: (j: number) => unknown;
  /** switches the module's probe flag: its closures then return their environment when called */
  probe: (on: boolean) => void;
  /** the module scope rebuilt in this thread (created on first use) */
  instance?: ScopeInstance;
  /** `live()`'s result (created on first use) */
  liveInstance?: ScopeInstance;
  /** module-level declarations created from `instance`, so their identity is stable per thread */
  decls: Map<number, unknown>;
}

export interface UnitMeta extends UnitTableEntry {
  mod: ModuleRecord;
  j: number;
  memberMetas?: MemberMeta[];
}

export interface MemberMeta {
  kind: 'member';
  owner: UnitMeta;
  key: string;
  mkind: 'method' | 'get' | 'set';
  isStatic: 0 | 1;
}

export const modules = new Map<string, ModuleRecord>();
/** every registered unit by ID (IDs are unique within a build) */
export const unitsById = new Map<string, UnitMeta>();

let mainUrl: string | null | undefined;
export function mainModuleUrl(): string | null {
  if (mainUrl !== undefined) return mainUrl;
  const fromWorker = (globalThis as { __teleportMain?: string }).__teleportMain;
  if (fromWorker) return (mainUrl = fromWorker);
  try {
    mainUrl = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : null;
  } catch {
    mainUrl = null;
  }
  return mainUrl;
}

/** Called once by each compiled module; returns the per-unit metadata array (`$tp$M`). */
/**
 * `entryCode`: 1 = an entry point (known to the bundler), 0 = not an entry point, 2 = unknown (tsc
 * output: one file per module, so the module whose URL is the script node runs is the entry),
 * 3 = not an entry point, in a file of its own (tsc with the `entries` option).
 */
export function registerModule(tableOrJson: ModuleTable | string, url: string, reader: Reader, factory: (() => ScopeInstance) | undefined, byRef: (j: number) => unknown, entryCode: EntryCode = 2, probe: (on: boolean) => void = () => {}, live?: () => ScopeInstance): UnitMeta[] {
  // the transform emits the table as a JSON string: one token for the compilers that follow it
  // to parse and print, instead of an object literal of thousands of nodes
  const table: ModuleTable = typeof tableOrJson === 'string' ? (JSON.parse(tableOrJson) as ModuleTable) : tableOrJson;
  const existing = modules.get(table.module);
  if (existing && existing.url === url) return existing.units;
  if (entryCode === 3 && url === mainModuleUrl()) {
    // built without the tree a worker needs to load the entry dry: a worker would run its top level
    throw new Error(`teleport: ${table.file} runs as the program's entry script, but it was built as a module that is not one (ts-patch plugin option 'entries'); list it there and rebuild`);
  }
  const entry = entryCode === 3 ? 0 : entryCode;
  const mod: ModuleRecord = {
    id: table.module, file: table.file, url, main: entry !== 0 && url === mainModuleUrl(), dry: isDry(url, entry), units: [], scopes: table.scopes,
    reader, factory, live, byRef, probe, decls: new Map(),
  };
  mod.units = table.units.map((u, j) => {
    const meta: UnitMeta = { ...u, mod, j };
    if (u.members) meta.memberMetas = u.members.map(([key, mkind, isStatic]) => ({ kind: 'member', owner: meta, key, mkind, isStatic }));
    return meta;
  });
  if (!existing) {
    modules.set(table.module, mod);
    for (const u of mod.units) unitsById.set(u.id, u);
  }
  buildIdCache = undefined;
  return mod.units;
}

let buildIdCache: string | undefined;
/** Hash of every registered unit's ID and body hash: identifies the code this thread runs. */
export function buildId(): string {
  if (buildIdCache) return buildIdCache;
  const h = createHash('sha256');
  for (const id of [...modules.keys()].sort()) {
    h.update(id + ':');
    for (const u of modules.get(id)!.units) h.update(u.id + '=' + u.hash + ',');
  }
  return (buildIdCache = h.digest('hex').slice(0, 16));
}

/** 1 entry, 0 not an entry, 2 unknown, 3 not an entry in a file of its own (see registerModule) */
export type EntryCode = 0 | 1 | 2 | 3;

/** True in a worker for the program's entry module: its top-level statements must not run. */
export function isDry(url: string, entry: EntryCode = 2): boolean {
  return entry !== 0 && entry !== 3 && (globalThis as { __teleportMain?: string }).__teleportMain === url;
}

/**
 * True when functions of `mod` are rebuilt bound to the module scope of the thread they run in
 * (the module is not the program's entry, so every thread runs it), and so are sent without the
 * values of the module-level bindings they capture. Both sides of a payload agree: `main` is the
 * same in every thread of a program.
 */
export function boundLive(mod: ModuleRecord): boolean {
  return !mod.main && !mod.dry && mod.live !== undefined;
}

/** The module scope that functions of `mod` rebuilt in this thread close over. */
export function moduleScope(mod: ModuleRecord): ScopeInstance {
  if (boundLive(mod)) return (mod.liveInstance ??= mod.live!());
  if (!mod.factory) throw new Error(`teleport: internal error: module ${mod.file} has no scope factory`);
  return (mod.instance ??= mod.factory());
}
