// What the compiler emits, one small module per syntactic form: each output is kept as a file
// snapshot under test/__snapshots__/forms/ so a reviewer can read the instrumentation of each
// form. Every output must also keep the original text on its original lines: the transform only
// inserts on existing lines and appends its tables after the last one.
import { describe, expect, it } from 'vitest';
import { transformModule } from '../dist/transformer/core/index.js';

const root = '/virtual';

interface Form {
  name: string;
  code: string;
  /** compiled as the program's entry module (esbuild knows; tsc leaves it to the runtime) */
  entry?: boolean;
  /** the transform rewrites (not only inserts) text on some lines, e.g. `f.bind(t)` */
  rewrites?: boolean;
}

const forms: Form[] = [
  {
    name: 'arrow',
    code: `const k = 2;
export const double = (x: number) => x * k;
let later: (x: number) => number;
later = (x) => x + k;
`,
  },
  {
    name: 'function-expression',
    code: `const k = 2;
export const scale = function (x: number) { return x * k; };
export const fact = function fact(n: number): number { return n <= 1 ? 1 : n * fact(n - 1); };
`,
  },
  {
    name: 'function-declaration',
    code: `const k = 2;
export function outer(x: number) {
  return inner(x) + k;
  function inner(y: number) { return y * k; }
}
function local() { return k; }
`,
  },
  {
    name: 'class-declaration',
    code: `const unit = 'C';
export class Temperature {
  static count = 0;
  static readonly zero = new Temperature(0);
  constructor(public celsius: number) { Temperature.count++; }
  get fahrenheit() { return this.celsius * 9 / 5 + 32; }
  set fahrenheit(f: number) { this.celsius = (f - 32) * 5 / 9; }
  describe() { return this.celsius + unit; }
  static of(c: number) { return new Temperature(c); }
}
`,
  },
  {
    name: 'class-expression',
    code: `const unit = 'C';
export const Box = class {
  static made = 0;
  constructor(public w: number) { Box.made++; }
  get area() { return this.w * this.w; }
  label() { return this.w + unit; }
  static unit() { return unit; }
};
export const Named = class Inner { static self() { return Inner; } };
`,
  },
  {
    name: 'object-literal-methods',
    code: `const k = 3;
export const shape = {
  size: 2,
  area() { return this.size * this.size * k; },
  get double() { return this.size * 2; },
  set double(v: number) { this.size = v / 2; },
  async load() { return k; },
  *items() { yield k; },
  arrow: (x: number) => x + k,
};
`,
  },
  {
    name: 'closure-over-function-scope',
    code: `export function counter(start: number) {
  let count = start;
  const inc = () => ++count;
  const get = () => count;
  return { inc, get };
}
`,
  },
  {
    name: 'per-iteration-loop-binding',
    code: `export function makeAll(n: number) {
  const fs: (() => number)[] = [];
  for (let i = 0; i < n; i++) fs.push(() => i);
  for (let j = 0; j < n; j++) { fs.push(() => j * 10); }
  for (const x of [1, 2]) { fs.push(() => x); }
  return fs;
}
`,
  },
  {
    name: 'catch-binding',
    code: `export function attempt(f: () => void) {
  try {
    f();
    return () => 'ok';
  } catch (e) {
    return () => (e as Error).message;
  }
}
`,
  },
  {
    name: 'this-in-arrow',
    code: `export class Account {
  balance = 0;
  onChange = () => this.balance;
  deposit(xs: number[]) {
    xs.forEach((x) => { this.balance += x; });
    return () => this.balance;
  }
}
`,
  },
  {
    name: 'expression-arrow-capturing-param',
    code: `export const add = (a: number) => (b: number) => a + b;
export const pair = (a: number) => ({ first: () => a, second: (b: number) => [a, b] });
`,
  },
  {
    name: 'entry-top-level-guards',
    entry: true,
    code: `import { helper } from './helper.js';
const config = { retries: 3 };
const loaded = helper(config);
const { a, b } = helper(config);
export const Service = class { static instance = helper(config); };
class Job extends helper.Base {
  static registry = new Map<string, Job>();
  static { Job.registry.set('default', new Job()); }
}
class Local extends Job {}
console.log(loaded, a, b, Job);
for (const x of [1, 2]) console.log(x);
export default helper(config);
`,
  },
  {
    name: 'eval-untouched',
    code: `export function withEval(a: number) {
  const b = 2;
  return eval('a + b');
}
export const alsoEval = (x: number) => eval('x * 2');
`,
  },
  {
    name: 'shadowed-name-eager-reader',
    code: `export function outer(k: string) {
  let early: () => string;
  {
    const k = 'inner';
    early = () => k;
  }
  return [early, () => k];
}
`,
  },
  {
    name: 'for-header-and-default-params',
    code: `export function header(n: number) {
  const out: (() => number)[] = [];
  for (let i = 0, first = () => i; i < n; i++) out.push(first, () => i);
  return out;
}
export function defaults(a: number, get = () => a, { b, twice = () => b * 2 }: { b: number; twice?: () => number } = { b: 1 }) {
  return [get, twice];
}
`,
  },
  {
    name: 'bind-and-private-fields',
    rewrites: true,
    code: `export class Secret {
  #value: number;
  constructor(v: number) { this.#value = v; }
  reveal() { return this.#value; }
}
export function greet(this: { who: string }, hi: string) { return hi + this.who; }
export const bound = greet.bind({ who: 'you' }, 'hi ');
export const parenthesized = (Math.random() > 2 ? greet : greet).bind({ who: 'p' });
`,
  },
  {
    // functions in the class body that use its private names: no copy (and no env), registered
    // as unsendable; the table names the instance field the initializer fills
    name: 'private-name-closures',
    code: `export class Counter {
  #n = 0;
  inc = () => ++this.#n;
  later() { return () => this.#n * 2; }
  static has(o: object) { return [o].some((x) => #n in x); }
  plain = () => 1;
}
`,
  },
];

describe('transform output per syntactic form', () => {
  it.each(forms)('$name', async ({ name, code, entry, rewrites }) => {
    const r = transformModule(code, `${root}/src/${name}.ts`, { root, ...(entry === undefined ? {} : { entry }) });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    await expect(r.code).toMatchFileSnapshot(`./__snapshots__/forms/${name}.ts.snap`);

    // the original text stays on its lines; the appendix starts on the line after the last one
    const original = code.split('\n');
    const lastLine = original.length; // (the line after the source's final newline counts as one)
    const out = r.code.split('\n');
    expect(out.length).toBeGreaterThan(lastLine);
    expect(out[lastLine]).toMatch(/^;var \$tp\$t, \$tp\$p;function \$tp\$e0\(/);
    if (!rewrites) {
      for (let i = 0; i < lastLine; i++) {
        expect(isSubsequence(original[i], out[i]), `line ${i + 1} of ${name}: ${JSON.stringify(original[i])} inside ${JSON.stringify(out[i])}`).toBe(true);
      }
    }
  });
});

/** Whether `inner` can be obtained from `outer` by deleting characters (insertions only). */
function isSubsequence(inner: string, outer: string): boolean {
  let j = 0;
  for (let i = 0; i < outer.length && j < inner.length; i++) if (outer[i] === inner[j]) j++;
  return j === inner.length;
}
