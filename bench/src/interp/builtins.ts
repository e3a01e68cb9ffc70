// The "workload" benchmark program, part 4 of 6: Mini's built-in functions. The pure ones are a
// module-level table; the ones with state (the output buffer, a seeded random generator) are
// closures made once per run by `runtimeGlobals`. The higher-order builtins (map, filter, reduce,
// sortBy) call Mini functions from JS callbacks, as such builtins are usually written.
import { MiniError } from './ast.js';
import { asList, asNum, call, show, type MiniFn, type Value } from './evaluate.js';

const at = -1; // builtins report errors without a source position

export const PURE: Record<string, MiniFn> = {
  len: ([xs]) => asList(xs, at).length,
  range: ([from, to]) => {
    const out: Value[] = [];
    for (let i = asNum(from, at); i < asNum(to, at); i++) out.push(i);
    return out;
  },
  map: ([xs, f]) => asList(xs, at).map((x) => call(f, [x], at)),
  filter: ([xs, f]) => asList(xs, at).filter((x) => call(f, [x], at) === true),
  reduce: ([xs, f, init]) => asList(xs, at).reduce((acc: Value, x) => call(f, [acc, x], at), init),
  /** stable sort by a key function (JS's sort, with a comparator closure over the keys) */
  sortBy: ([xs, key]) => {
    const keyed = asList(xs, at).map((x) => ({ x, k: asNum(call(key, [x], at), at) }));
    keyed.sort((a, b) => a.k - b.k);
    return keyed.map((p) => p.x);
  },
  slice: ([xs, from, to]) => asList(xs, at).slice(asNum(from, at), asNum(to, at)),
  cons: ([x, xs]) => [x, ...asList(xs, at)],
  head: ([xs]) => {
    const list = asList(xs, at);
    if (!list.length) throw new MiniError('head of an empty list', at);
    return list[0];
  },
  tail: ([xs]) => asList(xs, at).slice(1),
  str: ([x]) => (typeof x === 'string' ? x : show(x)),
  join: ([xs, sep]) => asList(xs, at).map((x) => (typeof x === 'string' ? x : show(x))).join(String(sep)),
  floor: ([x]) => Math.floor(asNum(x, at)),
  sqrt: ([x]) => Math.sqrt(asNum(x, at)),
};

/** builtins with per-run state: `print` appends to `out`; `rand(n)` is a seeded LCG in [0, n) */
export function runtimeGlobals(out: string[], seed: number): Record<string, MiniFn> {
  let state = seed >>> 0;
  return {
    ...PURE,
    print: ([x]) => {
      out.push(typeof x === 'string' ? x : show(x));
      return x;
    },
    rand: ([n]) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % asNum(n, at);
    },
  };
}
