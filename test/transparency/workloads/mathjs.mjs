// mathjs workload: parse and evaluate thousands of generated expressions (arithmetic, functions,
// comparisons, conditionals, user-defined functions, ranges and matrix literals), matrix algebra
// (multiply, inverse, determinant, LU solve, eigenvalues, sparse), units and conversions,
// fractions, bignumbers and complex numbers (instances configured for them), and symbolic work
// (simplify, derivative, rationalize, toTex); every result formatted and hashed.
// Pool mode sends closures over mathjs, and parsed expression trees as items.
import * as mathNs from 'mathjs';
import { add, all, complex, create, derivative, evaluate, format, fraction, isFraction, multiply, parse, simplify } from 'mathjs';
import { big as defaultBig, frac as defaultFrac, math as defaultMath } from './mathjs-instances.mjs';
import { emit, emitShape, mode, openPool, prng, runTimed, sha256, stringify, viaPool } from './common.mjs';

const EXPRESSIONS = Number(process.env.TP_MATHJS_EXPRESSIONS ?? 1500);

/** Deterministic expressions of many kinds. */
function expressions(seed, n) {
  const rnd = prng(seed);
  const int = (m) => 1 + Math.floor(rnd() * m);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const atom = () => pick([String(int(20)), `${int(9)}.${int(99)}`, 'x', 'y', 'pi', 'e', `${int(5)}/${int(7)}`]);
  const expr = (d) => {
    if (d <= 0) return atom();
    switch (int(9)) {
      case 1: return `(${expr(d - 1)} ${pick(['+', '-', '*', '/'])} ${expr(d - 1)})`;
      case 2: return `${pick(['sin', 'cos', 'sqrt', 'abs', 'log', 'exp', 'floor', 'round', 'cube'])}(${expr(d - 1)})`;
      case 3: return `${expr(d - 1)} ^ ${int(3)}`;
      case 4: return `max(${expr(d - 1)}, ${expr(d - 1)}, ${int(10)})`;
      case 5: return `(${expr(d - 1)} > ${int(10)} ? ${expr(d - 1)} : -${atom()})`;
      case 6: return `mod(${int(100)}, ${int(9)}) + gcd(${int(60)}, ${int(36)})`;
      case 7: return `f(${expr(d - 1)})`;
      case 8: return `sum([${int(9)}, ${atom()}, ${int(9)}])`;
      default: return `${atom()} ${pick(['+', '-', '*'])} ${atom()}`;
    }
  };
  return Array.from({ length: n }, () => expr(1 + int(3)));
}

const show = (m, v) => {
  try {
    return m.format(v, { precision: 12 });
  } catch (e) {
    return `format error ${e.message}`;
  }
};

/** `m.evaluate(e)` formatted, or the error. */
const ev = (m, e) => {
  try {
    return show(m, m.evaluate(e));
  } catch (err) {
    return `${err.constructor.name}: ${err.message}`;
  }
};

/** Evaluates expressions with a scope that defines x, y and f. */
function evaluateAll(m, exprs) {
  const out = [];
  const scope = new Map();
  m.evaluate('x = 3; y = 1.5; f(t) = t^2 - 2t + 1', scope);
  for (const e of exprs) {
    try {
      out.push(show(m, m.evaluate(e, scope)));
    } catch (err) {
      out.push(`${err.constructor.name}: ${err.message}`);
    }
  }
  return out;
}

/** Matrices: dense and sparse, decompositions, solving. */
function matrices(seed, math = defaultMath) {
  const rnd = prng(seed);
  const n = 4 + (seed % 4);
  const a = math.matrix(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? n * 3 : Math.floor(rnd() * 10) - 5))));
  const b = math.matrix(Array.from({ length: n }, () => [Math.floor(rnd() * 20)]));
  const sym = math.add(a, math.transpose(a));
  const out = [
    math.det(a), math.inv(a), math.multiply(a, math.transpose(a)), math.lusolve(a, b), math.lup(a).p,
    math.eigs(sym, { precision: 1e-10 }).values, math.trace(a), math.norm(a, 'fro'), math.kron(math.identity(2), math.ones(2, 2)),
    math.sparse(a).valueOf().length, math.multiply(math.sparse(a), b), math.map(a, (v) => v * 2 - 1), math.filter([1, 2, 3, 4, 5, 6], (v) => v % 2 === 0),
    math.concat(a, a, 0).size(), math.reshape(math.range(0, 12), [3, 4]), math.sort(math.flatten(a).valueOf()), math.cross([1, 2, 3], [4, 5, 6]),
    math.qr(a).R, math.evaluate('[1, 2; 3, 4] * [5; 6]'), math.evaluate('A = [1, 2, 3; 4, 5, 6]; A[2, :]'), math.subset(a, math.index(1, [0, 1])),
  ];
  return out.map((v) => show(math, v));
}

/**
 * Units, fractions, bignumbers, complex numbers. (Not a pure function of `seed`: mathjs instances
 * keep state, e.g. `9.81 m/s^2 * 70 kg` prints `686.7 N` on a fresh instance and `0.6867 kN` after
 * one run of this function; the pool check passes fresh instances.)
 */
function numbers(seed, m = defaultMath, frac = defaultFrac, big = defaultBig) {
  const rnd = prng(seed);
  const k = 1 + Math.floor(rnd() * 50);
  const out = [];
  out.push(...['5 cm + 2 inch', `${k} km/h to m/s`, `${k} degF to degC`, '9.81 m/s^2 * 70 kg', `${k} kWh to J`, '1 au to km', `${k} mile / 2 h`, 'sqrt(16 m^2)', `${k} kg m^2 / s^2 to J`]
    .map((e) => ev(m, e)));
  const u = m.unit(k, 'N');
  out.push(show(m, m.multiply(u, m.unit('3 m'))), u.toNumber('kN'), show(m, m.unit('5 ft').to('cm')), u.equalBase(m.unit('1 kg m/s^2')));
  out.push(...[`1/3 + ${k}/7`, `(2/3) ^ 3`, `${k}/12 * 3/5`, 'fraction(0.125)'].map((e) => ev(frac, e)));
  out.push(show(m, m.add(m.fraction(1, 3), m.fraction(k, 7))), m.fraction(k, 6).toFraction());
  out.push(...['sqrt(2)', `${k}! / 3`, 'pi * 1e30', `exp(${k} / 7)`, '0.1 + 0.2', `${k} ^ 40`, 'log(10) * 2'].map((e) => ev(big, e)));
  out.push(big.bignumber(k).div(7).toFixed(30));
  out.push(...['sqrt(-4)', `(${k} + 2i) * (3 - i)`, 'exp(i * pi)', `abs(3 + ${k}i)`, 'arg(1 + i)', 'log(-1)'].map((e) => ev(m, e)));
  out.push(show(m, m.complex(k, -1).pow(2)));
  return out;
}

/** Symbolic: simplify, derivative, rationalize, trees to strings and TeX. */
function symbolic(seed, math = defaultMath) {
  const rnd = prng(seed);
  const k = 1 + Math.floor(rnd() * 9);
  const exprs = [`${k}x + 3x - x`, `(x + ${k})^2`, `x^${k} * x^2 / x`, `sin(x)^2 + cos(x)^2`, `2 * (x + y) - ${k} * y`, `x / x + 0 * y`, `(${k} * x^2 + x) / x`];
  const out = [];
  for (const e of exprs) {
    out.push(simplify(e).toString());
    out.push(derivative(e, 'x').toString());
    const node = parse(e);
    out.push(node.toTex(), node.toString({ parenthesis: 'all' }), node.filter((n) => n.isSymbolNode).map((n) => n.name).join(','));
    out.push(show(math, node.compile().evaluate({ x: k, y: 2 })));
  }
  out.push(math.rationalize(`(x + ${k}) / (x - 1) + 1 / x`).toString());
  out.push(simplify('x * y * -x / (x ^ 2)').toString(), simplify('a + a', [], {}, { exactFractions: true }).toString());
  out.push(parse(`f(x) = x^${k} + 1`).toString(), show(math, math.evaluate(`g(x) = x^${k}; g(2)`).entries ?? math.evaluate(`g(x) = x^${k}; g(2)`)));
  return out;
}

/** The whole workload, on fresh instances (they keep state: see `numbers`), so every run gives the same. */
function work(n) {
  const math = create(all, {});
  const big = create(all, { number: 'BigNumber', precision: 40 });
  const frac = create(all, { number: 'Fraction' });
  let hash = '';
  const exprs = expressions(5, n);
  const results = evaluateAll(math, exprs);
  hash = sha256(hash, results.join('\n'));
  hash = sha256(hash, evaluateAll(big, exprs.slice(0, Math.floor(n / 10))).join('\n'));
  hash = sha256(hash, evaluateAll(frac, exprs.filter((e) => !/sin|cos|sqrt|log|exp|pi|e\b|\./.test(e)).slice(0, Math.floor(n / 10))).join('\n'));
  for (let s = 0; s < 12; s++) hash = sha256(hash, matrices(s, math).join('\n'), numbers(s, math, frac, big).join('\n'), s % 3 === 0 ? symbolic(s, math).join('\n') : '');
  return { hash, expressions: n, errors: results.filter((r) => /Error/.test(r)).length };
}

if (mode === 'local') {
  emitShape(mathNs);
  runTimed('mathjs', () => work(EXPRESSIONS));
} else {
  const pool = await openPool();
  try {
    const chunks = Array.from({ length: 8 }, (_, i) => expressions(100 + i, 40));
    await viaPool(pool, 'closure calling evaluate', (exprs) => exprs.map((e) => { try { return format(evaluate(e, { x: 2, y: 3, f: (t) => t + 1 }), { precision: 12 }); } catch (err) { return err.message; } }), chunks);
    await viaPool(pool, 'closures over mathjs instances', (seed) => [
      matrices(seed), numbers(seed, create(all, {}), create(all, { number: 'Fraction' }), create(all, { number: 'BigNumber', precision: 40 })),
    ].join('\n'), [1, 2, 3, 4]);
    await viaPool(pool, 'symbolic', (seed) => symbolic(seed).join('\n'), [1, 2, 3]);
    // values of mathjs's ESM dependencies as items: Fraction (fraction.js), Complex (complex.js)
    const values = [fraction(3, 7), complex(2, -3), fraction(-5, 2), complex(0, 1), fraction(1, 1e6), complex(-1.5, 0)];
    await viaPool(pool, 'values as items', (v) => [format(multiply(add(v, v), 3), { precision: 14 }), isFraction(v), v.toString()].join(' '), values);
    await viaPool(pool, 'their methods called in the worker', (v) => v.mul(v).neg().add(1).toString(), values);
    // functions of mathjs sent directly (plain functions: by reference)
    await viaPool(pool, 'a mathjs function sent directly', isFraction, values);
    // Not sendable (UnserializableError naming the function and the captured variable), so not
    // checked: mathjs instances, typed functions (add, evaluate, …), expression trees, compiled
    // expressions, matrices, ranges and units (the methods on their prototypes): their environments
    // reach functions of seedrandom and tiny-emitter, CommonJS packages the transform does not
    // compile (ESM only); BigNumber instances: their prototype (`Object.create(Decimal.prototype)`,
    // made by mathjs) has no own `constructor`, so nothing names their class.
  } finally {
    await pool?.close();
  }
  emit({ name: 'done' });
}
