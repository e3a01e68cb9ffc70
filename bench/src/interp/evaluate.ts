// The "workload" benchmark program, part 3 of 6: Mini's evaluator. The AST is compiled once into
// a tree of JS closures, `(env) => value` (the "closure compilation" technique): every node
// becomes a closure over its children's closures, variables are resolved at compile time to
// (depth, slot), and a Mini function value is itself a JS closure over its defining environment.
// So nearly all of the run time is spent calling closures created inside functions: the shape
// the transform's per-call probe check applies to.
import { type Binary, type Block, type Bool, type Call, type Fn, type If, type Index, type ListLit, MiniError, type Node, type Num, type Ref, type Str, type Unary, type Visitor } from './ast.js';

export type MiniFn = (args: Value[]) => Value;
export type Value = number | string | boolean | Value[] | MiniFn;
type Code = (env: Env) => Value;

/** one activation: the slots of a block or a call, and the environment it was created in */
export class Env {
  constructor(readonly slots: Value[], readonly parent: Env | null) {}
}

class Scope {
  constructor(readonly names: string[], readonly parent: Scope | null) {}
  resolve(name: string): { depth: number; slot: number } | undefined {
    let depth = 0;
    for (let s: Scope | null = this; s; s = s.parent, depth++) {
      const slot = s.names.lastIndexOf(name);
      if (slot >= 0) return { depth, slot };
    }
    return undefined;
  }
}

// ---------- value helpers ----------
export function show(v: Value): string {
  if (typeof v === 'function') return '<fn>';
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? JSON.stringify(x) : show(x))).join(', ')}]`;
  return String(v);
}
export function asNum(v: Value, pos: number): number {
  if (typeof v !== 'number') throw new MiniError(`expected a number, got ${show(v)}`, pos);
  return v;
}
export function asList(v: Value, pos: number): Value[] {
  if (!Array.isArray(v)) throw new MiniError(`expected a list, got ${show(v)}`, pos);
  return v;
}
export function call(f: Value, args: Value[], pos: number): Value {
  if (typeof f !== 'function') throw new MiniError(`${show(f)} is not a function`, pos);
  return f(args);
}
const truthy = (v: Value) => v !== false && v !== 0 && v !== '';
function equal(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  return a === b;
}
function add(a: Value, b: Value, pos: number): Value {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' || typeof b === 'string') return show(a) + show(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.concat(b);
  throw new MiniError(`cannot add ${show(a)} and ${show(b)}`, pos);
}

/** arithmetic and comparison operators on numbers */
const NUMERIC: Record<string, (a: number, b: number) => Value> = {
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

// ---------- the compiler ----------
class Compiler implements Visitor<Code> {
  constructor(private scope: Scope) {}

  compile(n: Node): Code {
    return n.accept(this);
  }
  private inScope<T>(names: string[], f: () => T): T {
    const outer = this.scope;
    this.scope = new Scope(names, outer);
    try {
      return f();
    } finally {
      this.scope = outer;
    }
  }

  num(n: Num): Code { const v = n.value; return () => v; }
  str(n: Str): Code { const v = n.value; return () => v; }
  bool(n: Bool): Code { const v = n.value; return () => v; }

  ref(n: Ref): Code {
    const r = this.scope.resolve(n.name);
    if (!r) throw new MiniError(`unknown name ${n.name}`, n.pos);
    const { depth, slot } = r;
    if (depth === 0) return (env) => env.slots[slot];
    if (depth === 1) return (env) => env.parent!.slots[slot];
    return (env) => {
      let e = env;
      for (let d = depth; d > 0; d--) e = e.parent!;
      return e.slots[slot];
    };
  }

  unary(n: Unary): Code {
    const operand = this.compile(n.operand), pos = n.pos;
    return n.op === '-' ? (env) => -asNum(operand(env), pos) : (env) => !truthy(operand(env));
  }

  binary(n: Binary): Code {
    const l = this.compile(n.left), r = this.compile(n.right), pos = n.pos;
    switch (n.op) {
      case '&&': return (env) => { const a = l(env); return truthy(a) ? r(env) : a; };
      case '||': return (env) => { const a = l(env); return truthy(a) ? a : r(env); };
      case '==': return (env) => equal(l(env), r(env));
      case '!=': return (env) => !equal(l(env), r(env));
      case '+': return (env) => add(l(env), r(env), pos);
    }
    const op = NUMERIC[n.op];
    if (!op) throw new MiniError(`unknown operator ${n.op}`, pos);
    return (env) => op(asNum(l(env), pos), asNum(r(env), pos));
  }

  call(n: Call): Code {
    const f = this.compile(n.callee), pos = n.pos;
    const args = n.args.map((a) => this.compile(a));
    switch (args.length) {
      case 0: return (env) => call(f(env), [], pos);
      case 1: { const [a] = args; return (env) => call(f(env), [a(env)], pos); }
      case 2: { const [a, b] = args; return (env) => call(f(env), [a(env), b(env)], pos); }
      default: return (env) => call(f(env), args.map((a) => a(env)), pos);
    }
  }

  fn(n: Fn): Code {
    const body = this.inScope(n.params, () => this.compile(n.body));
    const arity = n.params.length, pos = n.pos;
    return (env) => (args) => {
      if (args.length !== arity) throw new MiniError(`expected ${arity} arguments, got ${args.length}`, pos);
      return body(new Env(args, env));
    };
  }

  if(n: If): Code {
    const test = this.compile(n.test), then = this.compile(n.then), otherwise = this.compile(n.otherwise);
    return (env) => (truthy(test(env)) ? then(env) : otherwise(env));
  }

  /** `let`s are recursive: every name of the block is in scope in every initializer */
  block(n: Block): Code {
    if (!n.lets.length) return this.compile(n.result);
    const names = n.lets.map((l) => l.name);
    const [inits, result] = this.inScope(names, () => [n.lets.map((l) => this.compile(l.value)), this.compile(n.result)] as const);
    const size = names.length;
    return (env) => {
      const inner = new Env(new Array<Value>(size).fill(false), env);
      for (let i = 0; i < size; i++) inner.slots[i] = inits[i](inner);
      return result(inner);
    };
  }

  list(n: ListLit): Code {
    const items = n.items.map((i) => this.compile(i));
    return (env) => items.map((item) => item(env));
  }

  index(n: Index): Code {
    const target = this.compile(n.target), index = this.compile(n.index), pos = n.pos;
    return (env) => {
      const xs = asList(target(env), pos), i = asNum(index(env), pos);
      if (i < 0 || i >= xs.length || i !== Math.floor(i)) throw new MiniError(`index ${i} out of range`, pos);
      return xs[i];
    };
  }
}

/** Compiles a parsed program against the global names; returns a function that runs it in the global values. */
export function compileProgram(program: Node, globals: Record<string, Value>): () => Value {
  const names = Object.keys(globals);
  const code = new Compiler(new Scope(names, null)).compile(program);
  return () => code(new Env(names.map((k) => globals[k]), null));
}
