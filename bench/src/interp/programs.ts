// The "workload" benchmark program, part 6 of 6: the inputs. A Mini program (recursion, three
// sorts, closures composed through higher-order builtins, string building) and a generated JSON
// document (records with nested objects, arrays and escaped strings), both deterministic.
import type { Json } from './json.js';

export const MINI_PROGRAM = `
# recursion
let fib = fn(n) if n < 2 then n else fib(n - 1) + fib(n - 2);

# three sorts: quicksort over filter, merge sort over indices, the sortBy builtin
let qsort = fn(xs) if len(xs) <= 1 then xs else {
  let p = head(xs);
  let rest = tail(xs);
  qsort(filter(rest, fn(x) x < p)) + [p] + qsort(filter(rest, fn(x) x >= p))
};
let merge = fn(a, b) {
  let go = fn(i, j, acc)
    if i >= len(a) then acc + slice(b, j, len(b))
    else if j >= len(b) then acc + slice(a, i, len(a))
    else if a[i] <= b[j] then go(i + 1, j, acc + [a[i]])
    else go(i, j + 1, acc + [b[j]]);
  go(0, 0, [])
};
let msort = fn(xs) if len(xs) <= 1 then xs else {
  let mid = floor(len(xs) / 2);
  merge(msort(slice(xs, 0, mid)), msort(slice(xs, mid, len(xs))))
};

# closures: adders composed into one function, counters threaded through reduce
let compose = fn(f, g) fn(x) f(g(x));
let twice = fn(f) compose(f, f);
let add = fn(n) fn(x) x + n;
let pipeline = reduce(map(range(0, 24), add), compose, fn(x) x);
let isPrime = fn(n) {
  let check = fn(d) if d * d > n then true else if n % d == 0 then false else check(d + 1);
  n >= 2 && check(2)
};

let data = map(range(0, SIZE), fn(i) rand(1000));
let sorted = qsort(data);
let primes = filter(range(0, 6 * SIZE), isPrime);
let stats = reduce(data, fn(acc, x) [acc[0] + x, if x > acc[1] then x else acc[1], acc[2] + 1], [0, 0, 0]);
let words = map(range(0, 40), fn(i) join(map(range(0, 1 + i % 5), fn(j) str(i * j % 7)), "-"));
let table = map(range(1, 13), fn(i) map(range(1, 13), fn(j) i * j));

print(fib(FIB));
print(sorted == msort(data) && sorted == sortBy(data, fn(x) x));
print(slice(sorted, 0, 12));
print(len(primes) + " primes, last " + primes[len(primes) - 1]);
print(pipeline(1) + twice(twice(add(3)))(0));
print(stats);
print(join(words, " "));
print(reduce(map(table, fn(row) reduce(row, fn(a, b) a + b, 0)), fn(a, b) a + b, 0));
[fib(10), len(sorted), stats[0]]
`;

/** the program with its size parameters filled in */
export const miniProgram = (size: number, fib: number) => MINI_PROGRAM.replace(/\bSIZE\b/g, String(size)).replace(/\bFIB\b/g, String(fib));

/** `n` records of a fake inventory, from a seeded generator */
export function makeDocument(n: number, seed: number): Json {
  let s = seed >>> 0;
  const rnd = (k: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % k;
  };
  const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'quote"d', 'tab\there', 'line\nbreak', 'üñí'];
  const word = () => WORDS[rnd(WORDS.length)];
  const records: Json[] = [];
  for (let i = 0; i < n; i++) {
    records.push({
      id: i,
      name: `${word()} ${word()}`,
      price: rnd(100000) / 100,
      stock: rnd(3) ? rnd(500) : null,
      active: rnd(2) === 1,
      tags: Array.from({ length: rnd(5) }, word),
      dims: { w: rnd(100), h: rnd(100), d: rnd(100), unit: rnd(2) ? 'cm' : 'in' },
      history: Array.from({ length: rnd(4) }, (_, k) => ({ at: 1700000000 + k * 86400 + rnd(1000), qty: rnd(50) - 25 })),
    });
  }
  return { version: 3, generated: 'bench', records };
}
