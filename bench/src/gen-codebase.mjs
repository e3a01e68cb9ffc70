// Deterministic generator of a realistic TypeScript codebase for the build-cost benchmark
// (bench/build.mjs): `modules` modules that import each other (each from up to four earlier ones),
// with enums, interfaces, generic classes (fields, #private fields, accessors, static members,
// async and generator methods, parameter properties, subclasses of imported classes), closures,
// arrow callbacks, async functions and object literals with methods. No namespaces.
//
// Every module exports `run<i>(seed)`, which exercises what it defines and returns a number;
// src/main.ts runs all of them and prints one JSON line with the checksum, so each build of the
// code (esbuild with and without the plugin, tsc and tspc) can be checked to compute the same
// thing. In instrumented builds main also sends one generated closure through `dumps`/`loads`.
//
//   generate({ dir, modules, seed }) → { files, lines, bytes, entry }
import fs from 'node:fs';
import path from 'node:path';

/** a 31-bit Park–Miller generator: deterministic, and enough for picking names and shapes */
function prng(seed) {
  let x = (seed % 2147483646) + 1;
  return () => (x = (x * 48271) % 2147483647) / 2147483647;
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'sigma', 'kappa', 'lambda', 'theta', 'zeta', 'rho', 'tau', 'phi', 'chi', 'psi', 'eta'];

/** One feature block of module `i` (`f` numbers blocks inside the module): about 60 lines. */
function feature(i, f, rnd, deps) {
  const w = WORDS[Math.floor(rnd() * WORDS.length)];
  const n = `${i}_${f}`;
  const k = 2 + Math.floor(rnd() * 7);
  const dep = deps.length ? deps[Math.floor(rnd() * deps.length)] : null;
  const useDep = dep === null ? `0` : `score${dep}(x % 7)`;
  return `
/** ${w} records of block ${n} */
export interface Rec${n}<T = number> {
  readonly id: number;
  kind: Kind${i};
  value: T;
  tags: readonly string[];
  meta?: { created: number; by?: string };
}

export class Table${n}<T extends Rec${n}<number>> implements Sized {
  static created = 0;
  #rows = new Map<number, T>();
  private readonly listeners: Array<(row: T) => void> = [];
  protected version = 0;
  readonly label: string;

  constructor(public readonly name: string, private factor: number = ${k}) {
    Table${n}.created++;
    this.label = \`\${name}:${w}\`;
  }
  get size(): number { return this.#rows.size; }
  get scaled(): number { return this.#rows.size * this.factor; }
  set scale(v: number) { this.factor = Math.max(1, v | 0); }
  add(row: T): this {
    this.#rows.set(row.id, row);
    this.version++;
    for (const l of this.listeners) l(row);
    return this;
  }
  onAdd(listener: (row: T) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }
  map<U>(fn: (row: T, index: number) => U): U[] {
    return [...this.#rows.values()].map((row, index) => fn(row, index));
  }
  where(pred: (row: T) => boolean): T[] {
    const out: T[] = [];
    this.#rows.forEach((row) => { if (pred(row)) out.push(row); });
    return out;
  }
  *ids(): Generator<number> {
    for (const id of this.#rows.keys()) yield id;
  }
  async total(weight: (row: T) => Promise<number> | number): Promise<number> {
    let sum = 0;
    for (const row of this.#rows.values()) sum += await weight(row);
    return sum * this.factor;
  }
}

export function make${n}(count: number, kind: Kind${i} = Kind${i}.${k % 2 ? 'Low' : 'High'}): Table${n}<Rec${n}> {
  const table = new Table${n}<Rec${n}>('t${n}');
  let seen = 0;
  const stop = table.onAdd((row) => { seen += row.value; });
  for (let j = 0; j < count; j++) {
    const tags = j % 3 === 0 ? ['${w}', String(j)] : [];
    table.add({ id: j, kind, value: (j * ${k}) % 11, tags, meta: j % 2 ? { created: j } : undefined });
  }
  stop();
  table.scale = seen % 5;
  return table;
}

export const weigh${n} = (x: number): number => x * ${k} + ${useDep};

export async function settle${n}(xs: readonly number[]): Promise<number> {
  const parts = await Promise.all(xs.map(async (x, at) => {
    await null;
    return weigh${n}(x) - at;
  }));
  return parts.reduce((a, b) => a + b, 0);
}
`;
}

/** The module's shared part: enum, helpers, a subclass of an imported class, run<i>. */
function moduleText(i, rnd, deps, features) {
  const imports = deps.map((d) => `import { Base${d}, Kind${d}, score${d}, memo${d} } from './m${d}.js';`).join('\n');
  const base = deps.length ? `Base${deps[0]}` : null;
  const k = 3 + Math.floor(rnd() * 9);
  const blocks = [];
  for (let f = 0; f < features; f++) blocks.push(feature(i, f, rnd, deps));
  const runs = [];
  for (let f = 0; f < features; f++) {
    runs.push(`  {
    const t = make${i}_${f}(${5 + ((i + f) % 9)});
    acc += t.scaled + t.where((r) => r.tags.length > 0).length;
    acc += t.map((r, at) => r.value * at).reduce((a, b) => a + b, 0);
    for (const id of t.ids()) acc += id % 3;
    acc += await t.total(async (r) => r.value + 1);
    acc += await settle${i}_${f}([seed % 5, 1, 2]);
  }`);
  }
  const depUse = deps.map((d) => `  acc += score${d}(seed + ${i}) + memo${d}(seed % 4) + (Kind${d}.Low === Kind${d}.Low ? 1 : 0);`).join('\n');
  return `// generated by bench/src/gen-codebase.mjs: module ${i} (${features} feature blocks, imports ${deps.length ? deps.map((d) => 'm' + d).join(', ') : 'nothing'})
${imports}

export enum Kind${i} { Low = ${i * 10}, Mid, High }

export interface Sized { readonly size: number }

export type Pair${i}<A, B> = { left: A; right: B };

export function pair${i}<A, B>(left: A, right: B): Pair${i}<A, B> {
  return { left, right };
}

/** a pure function other modules import */
export function score${i}(x: number): number {
  let s = 0;
  for (let j = 0; j <= (x & 15); j++) s += (j * ${k}) % 13;
  return s;
}

/** a memoized function: a closure over a module-level cache */
const cache${i} = new Map<number, number>();
export const memo${i} = (x: number): number => {
  const hit = cache${i}.get(x);
  if (hit !== undefined) return hit;
  const v = score${i}(x * 2) + 1;
  cache${i}.set(x, v);
  return v;
};

export function counter${i}(start = 0) {
  let n = start;
  return {
    next: () => ++n,
    reset(to = 0) { n = to; },
    get current() { return n; },
  };
}

export function adder${i}(k: number): (x: number) => number {
  return (x) => x + k * ${k};
}

export class Base${i} {
  protected items: number[] = [];
  static describe(b: Base${i}): string { return \`Base${i}(\${b.items.length})\`; }
  constructor(protected readonly seed: number) {}
  push(x: number): this { this.items.push(x ^ this.seed); return this; }
  sum(): number { return this.items.reduce((a, b) => a + b, 0); }
}

export class Derived${i} extends ${base ?? `Base${i}`} {
  private bonus = ${k};
  handle = (x: number) => this.push(x + this.bonus);
  override sum(): number { return super.sum() + this.bonus; }
}

${blocks.join('')}
export async function run${i}(seed: number): Promise<number> {
  let acc = 0;
  const c = counter${i}(seed);
  c.next(); c.next();
  acc += c.current;
  c.reset(1);
  const add = adder${i}(seed % 3);
  acc += add(2);
  const d = new Derived${i}(seed);
  [1, 2, 3].forEach(d.handle);
  acc += d.sum() + pair${i}(1, 'x').left;
${depUse}
${runs.join('\n')}
  return acc;
}
`;
}

function mainText(modules) {
  const imports = [];
  const calls = [];
  for (let i = 0; i < modules; i++) {
    imports.push(`import { run${i} } from './m${i}.js';`);
    calls.push(`run${i}`);
  }
  return `// generated by bench/src/gen-codebase.mjs: runs every module and prints one JSON line
import { dumps, loads } from 'teleport';
import { adder0 } from './m0.js';
${imports.join('\n')}

const runs: Array<(seed: number) => Promise<number>> = [${calls.join(', ')}];

declare const console: { log(line: string): void };

async function main(): Promise<void> {
  let checksum = 0;
  for (let seed = 1; seed <= 2; seed++) {
    for (const run of runs) checksum = (checksum * 31 + (await run(seed))) % 1_000_000_007;
  }
  // a generated closure round-tripped through the public API (fails in uninstrumented builds)
  let sent = false;
  const add = adder0(5);
  try {
    sent = (loads(dumps(add)) as typeof add)(1) === add(1);
  } catch {
    sent = false;
  }
  console.log(JSON.stringify({ checksum, sent, modules: runs.length }));
}
await main();
`;
}

/** Writes the codebase into `dir` (replacing it); returns its size. */
export function generate({ dir, modules, seed = 1, features = 3 }) {
  fs.rmSync(dir, { recursive: true, force: true });
  const src = path.join(dir, 'src');
  fs.mkdirSync(src, { recursive: true });
  const rnd = prng(seed);
  let lines = 0, bytes = 0;
  const files = [];
  const write = (name, text) => {
    const file = path.join(src, name);
    fs.writeFileSync(file, text);
    files.push(file);
    lines += text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    bytes += Buffer.byteLength(text);
  };
  for (let i = 0; i < modules; i++) {
    const deps = [];
    const want = Math.min(i, 1 + Math.floor(rnd() * 4));
    while (deps.length < want) {
      // mostly recent modules, sometimes far back: a layered graph without cycles
      const d = rnd() < 0.7 ? i - 1 - Math.floor(rnd() * Math.min(i, 8)) : Math.floor(rnd() * i);
      if (!deps.includes(d)) deps.push(d);
    }
    write(`m${i}.ts`, moduleText(i, rnd, deps, features));
  }
  write('main.ts', mainText(modules));
  return { files, lines, bytes, entry: path.join(src, 'main.ts'), src };
}
