// The core's own scope analysis of JavaScript (transformer/core/scopes.ts) against
// @typescript-eslint/scope-manager, which it replaces for JavaScript trees: the same scopes in the
// same order, the same variables and definitions, every reference resolved to the same binding
// with the same flags, and the same module model (captures, environments, reader placement,
// probes, by-reference bindings). The corpus: tricky forms written for this test, the fixtures
// compiled to JavaScript, and installed packages' JavaScript.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { parseModule } from '../dist/transformer/core/walk.js';
import { buildModel, scopesOf } from '../dist/transformer/core/model.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type AnyNode = { type: string; range: [number, number] } | null;
const at = (n: AnyNode) => (n ? `${n.type}@${n.range[0]}` : 'null');

/** Every scope, value variable and reference of an analysis, one line each, in the analysis's order. */
function describeScopes(sm: ReturnType<typeof scopesOf>): string[] {
  const out: string[] = [];
  for (const s of sm.scopes) {
    const vars = [...s.set.values()].filter((v) => v.isValueVariable);
    out.push(`scope ${s.type} ${at(s.block)} in ${s.upper ? `${s.upper.type} ${at(s.upper.block)}` : '-'}`);
    for (const v of vars) {
      out.push(`  var ${v.name} defs=${v.defs.map((d) => `${d.type}@${d.name.range[0]}`).join(',')} ids=${v.identifiers.map((i) => i.range[0]).join(',')} refs=${v.references.length}`);
    }
    for (const r of s.references) {
      const flags = `${r.isRead() ? 'r' : ''}${r.isWrite() ? 'w' : ''}${r.init ? 'i' : ''}`;
      out.push(`  ref ${r.identifier.name}@${r.identifier.range[0]} ${flags} -> ${r.resolved ? `${r.resolved.scope.type} ${at(r.resolved.scope.block)}` : 'unresolved'}`);
    }
  }
  return out;
}

/** The module model the emitter works from, one line per unit and environment scope. */
function describeModel(code: string, ast: ReturnType<typeof parseModule>, sm: ReturnType<typeof scopesOf>): string[] {
  const m = buildModel(ast, code, sm);
  const sc = (s: { type: string; block: AnyNode }) => `${s.type} ${at(s.block)}`;
  return [
    ...m.units.map((u) => `unit ${u.index} ${u.kind} ${at(u.node)} captures=${[...u.captures].map((v) => `${v.name}/${sc(v.scope)}`).join(',')} this=${[...u.thisScopes].map(sc).join(',')} home=${u.home.index} site=${sc(u.site.scope)}:${u.site.pos} ${u.unsendable ?? ''} probe=${u.probe?.pos ?? ''} ref=${u.refName ?? ''}`),
    ...m.envScopes.map((e) => `env ${e.index} ${sc(e.scope)} parent=${e.parent?.index} slots=${e.slots.join(',')} ${e.mode} ${e.declAt} ${e.region} ${e.eager} ${e.declScope ? sc(e.declScope) : ''}`),
  ];
}

function compare(code: string, file: string): void {
  const ast = parseModule(code, file, 'js');
  const ours = scopesOf(ast);
  const theirs = scopesOf(ast, 'scope-manager');
  expect(ours).not.toBe(theirs);
  expect(describeScopes(ours), file).toEqual(describeScopes(theirs));
  expect(describeModel(code, ast, ours), file).toEqual(describeModel(code, ast, theirs));
}

const FORMS = String.raw`
import def, { a as b, c } from './m.js';
import * as ns from './n.js';
export { b as bee, c };
export * from './o.js';
export { x as y } from './p.js';
export default b;
var hoisted = 1;
let counter = 0;
counter++;
counter += 2;
[counter, hoisted] = [hoisted, counter];
({ a: counter, [hoisted]: ns.k, ...ns.rest } = def);
const obj = { counter, [c]: 1, m() { return this; }, get g() { return counter; }, set s(v) { counter = v; } };
function params(p = later, q = arguments, { r = p, [q]: s } = {}, ...rest) { var later = 1; return () => [p, q, r, s, rest, later, arguments]; }
const named = function self(n) { return n ? self(n - 1) : arguments.length; };
const arrow = (a, b = a) => (c) => a + b + c + counter;
class Base { static count = 0; }
export class Derived extends (counter ? Base : Object) {
  #secret = hoisted;
  field = () => this.#secret + counter;
  static s = Derived.count;
  [c] = 1;
  static { var inBlock = counter; Derived.x = () => inBlock; }
  constructor(v) { super(); this.v = v; }
  method(z = this.v) { const inner = () => z + this.v; return inner; }
}
const Expr = class Named { make() { return new Named(); } };
label: for (let i = 0; i < 2; i++) { if (i) continue label; const f = () => i; break label; }
for (const [k, v = k] of new Map()) { const g = () => k + v; }
for (const key in obj) { ((key) => key)(key); }
for (counter of [1]) {}
for (ns.prop in obj) {}
for (var vi = 0, vj = vi; vi < 1; vi++) { var deep = vj; }
try { throw 1; } catch ({ message = counter, ...others }) { const h = () => message + others; } finally { counter = 0; }
try {} catch { }
switch (counter) { case 1: let sw = 1; const sf = () => sw; break; default: function inSwitch() { return sw; } }
{ function blockFn() { return blockLet; } let blockLet = 1; blockFn(); }
if (counter) { const shadow = 1; { const shadow = 2; const use = () => shadow; } }
const tagged = String.raw${'`'}a${'${'}counter${'}'}b${'`'};
const chain = obj?.m?.()?.[c];
const meta = import.meta.url;
const dyn = import('./q.js');
async function* gen() { for await (const x of gen()) yield x; await dyn; }
new.target;
export function outer(k) { function inner() { return k + arguments[0]; } return inner; }
`;

describe('scope analysis of JavaScript', () => {
  it('agrees with scope-manager on the tricky forms', () => {
    compare(FORMS.replace('new.target;', ''), '/p/forms.js');
  });

  it('agrees with scope-manager on a script with `with` and sloppy-mode declarations', () => {
    compare('var o = { a: 1 }; with (o) { a = 2; (function () { return a; }); } function f() { g = 1; if (1) { function h() {} } return h; }', '/p/script.js');
  });

  it('agrees with scope-manager on the fixtures compiled to JavaScript', async () => {
    const dirs = ['fixtures', 'fixtures/cases', 'fixtures/cases/lib', 'fixtures/programs'];
    let n = 0;
    for (const dir of dirs) {
      for (const f of fs.readdirSync(path.join(root, dir))) {
        if (!f.endsWith('.ts')) continue;
        const file = path.join(root, dir, f);
        const js = await esbuild.transform(fs.readFileSync(file, 'utf8'), { loader: 'ts', target: 'esnext' });
        compare(js.code, file);
        n++;
      }
    }
    expect(n).toBeGreaterThan(10);
  });

  it('agrees with scope-manager on installed packages', () => {
    const files = [
      'node_modules/marked/lib/marked.esm.js',
      'node_modules/immer/dist/immer.mjs',
      'node_modules/acorn/dist/acorn.mjs',
      'node_modules/magic-string/dist/index.mjs',
      'node_modules/rxjs/dist/esm/internal/Observable.js',
      'node_modules/rxjs/dist/esm/internal/operators/mergeInternals.js',
      'node_modules/mathjs/lib/esm/expression/parse.js',
    ];
    for (const f of files) compare(fs.readFileSync(path.join(root, f), 'utf8'), path.join(root, f));
  });

  it('can fail: a difference in resolution shows', () => {
    const code = 'let k = 1; function f(k2 = k) { let k = 2; return () => k; }';
    const ast = parseModule(code, '/p/x.js', 'js');
    const ours = describeScopes(scopesOf(ast));
    const moved = describeScopes(scopesOf(parseModule(code.replace('let k = 2;', ''), '/p/x.js', 'js')));
    expect(ours).not.toEqual(moved);
  });
});
