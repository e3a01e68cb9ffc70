// Static model of one module: which functions and classes become sendable units, which
// variables each captures (by binding identity, via scope-manager), and the environment
// scopes (the scopes whose bindings some unit captures) that the worker must rebuild.
import { createRequire } from 'node:module';
import { analyzeScopes, type Scope, type ScopeAnalysis, type Variable } from './scopes.js';
import { addTsLists, afterDirectives, contains, isJsTree, keysFor, nodeLists, parentOf, type Node, type TSESTree } from './walk.js';

/** captured bindings above which a scope's reader is built once per scope instance, not per site */
export const BIG_SCOPE = 8;

export type UnitKind = 'arrow' | 'function' | 'declaration' | 'class' | 'class-declaration' | 'object-method';

export interface Unit {
  index: number;
  node: Node; // the function/class node, or the Property for object-literal methods
  fn: Node; // the function node itself (value of the Property for object methods)
  kind: UnitKind;
  parent: Unit | null;
  depth: number;
  /** captured variables (excluding imports and globals) */
  captures: Set<Variable>;
  /** env scopes whose `this` it captures */
  thisScopes: Set<Scope>;
  home: EnvScope; // innermost env scope it captures from (module scope when none)
  /** where its registration (and so the text of its env readers) is evaluated */
  site: { scope: Scope; pos: number };
  unsendable?: string;
  /**
   * Set when the function can hand over its environment itself: it takes only plain
   * parameters, is not a generator, and none of its own names hides a captured one, so a check
   * at the top of its body can return the environment when the pickler calls it in probe mode.
   */
  probe?: { scope: Scope; pos: number };
  /**
   * The module-level binding that always holds this unit's only instance: a top-level function or
   * class declaration, or the initializer of a top-level `const`/`let`/`var` that nothing else
   * writes (`var Parser = function Parser() {}`, `var Immer2 = class {}`: how bundled packages
   * define their functions). Such units travel by reference from modules other than the entry,
   * so a worker uses its own module's function, with its own module state.
   */
  refName?: string;
}

export interface EnvScope {
  index: number;
  scope: Scope;
  parent: EnvScope | null;
  depth: number;
  slots: string[]; // names; 'this' and 'arguments' are special
  vars: (Variable | 'this')[];
  /** how the scope's reader is held: module-level function, a cached `let`, or rebuilt inline */
  mode: 'module' | 'cached' | 'inline';
  /** where `let $tp$eN;` goes (an index just after a `{`) for cached scopes */
  declAt?: number;
  /** an arrow with an expression body that must become a block to hold the cache */
  expressionArrow?: TSESTree.ArrowFunctionExpression;
  /** cached scopes: the source range where the cache variable is visible (a block), and the scope at its start */
  region?: [number, number];
  declScope?: Scope;
  /**
   * cached scopes: the reader is created where the cache is declared rather than on first use,
   * because at some closure's site one of the scope's names (or `this`) means something else
   */
  eager?: boolean;
  children: EnvScope[];
  units: Unit[]; // units whose home is this scope
}

export interface ModuleModel {
  ast: TSESTree.Program;
  units: Unit[];
  envScopes: EnvScope[];
  moduleEnv: EnvScope;
  unitOfFn: Map<Node, Unit>;
}

/** `(function () {…})()`, `(() => {…})()`, `(function () {…}).call(this)`: never a value anyone can send. */
function isImmediatelyInvoked(node: Node): boolean {
  const p = parentOf(node);
  if (!p) return false;
  if ((p.type === 'CallExpression' || p.type === 'NewExpression') && p.callee === node) return true;
  if (p.type === 'MemberExpression' && p.object === node && !p.computed && p.property.type === 'Identifier' && (p.property.name === 'call' || p.property.name === 'apply')) {
    const g = parentOf(p);
    return !!g && g.type === 'CallExpression' && g.callee === p;
  }
  return false;
}

function unitKind(node: Node): UnitKind | null {
  if ((node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression') && isImmediatelyInvoked(node)) return null;
  switch (node.type) {
    case 'ArrowFunctionExpression':
      return 'arrow';
    case 'FunctionDeclaration':
      return node.body ? 'declaration' : null;
    case 'ClassDeclaration':
      return 'class-declaration';
    case 'ClassExpression':
      return 'class';
    case 'FunctionExpression': {
      const p = parentOf(node);
      if (p && (p.type === 'MethodDefinition' || p.type === 'TSAbstractMethodDefinition')) return null;
      if (p && p.type === 'Property' && p.value === node && (p.method || p.kind !== 'init')) return null;
      return 'function';
    }
    case 'Property':
      return node.value.type === 'FunctionExpression' && (node.method || node.kind !== 'init') && parentOf(node)?.type === 'ObjectExpression'
        ? 'object-method'
        : null;
    default:
      return null;
  }
}

// scope-manager (and the TypeScript lib definitions it loads) only for TypeScript trees
let scopeManager: typeof import('@typescript-eslint/scope-manager') | undefined;

/**
 * The scope analysis of a module: our own for JavaScript (what both front ends hand the core),
 * scope-manager's for TypeScript (types, enums, namespaces, decorators, JSX). Both have the
 * shape the model reads (test/scopes.test.ts compares them on JavaScript).
 */
export function scopesOf(ast: TSESTree.Program, engine: 'auto' | 'scope-manager' = 'auto'): ScopeAnalysis {
  if (engine === 'auto' && isJsTree(ast)) return analyzeScopes(ast, keysFor(ast));
  scopeManager ??= createRequire(import.meta.url)('@typescript-eslint/scope-manager') as typeof import('@typescript-eslint/scope-manager');
  addTsLists(ast);
  return scopeManager.analyze(ast, { sourceType: 'module', lib: [] }) as unknown as ScopeAnalysis;
}

export function buildModel(ast: TSESTree.Program, code: string, sm: ScopeAnalysis = scopesOf(ast)): ModuleModel {
  const fieldScopes = new Map<Node, Scope>();
  for (const sc of sm.scopes) if (sc.type === 'class-field-initializer') fieldScopes.set(sc.block as Node, sc);
  const units: Unit[] = [];
  const unitOfFn = new Map<Node, Unit>();

  // 1. collect units in source order with their nesting (from the candidates listed, in source
  // order, while the tree was linked; the innermost unit above one is its parent; nothing inside
  // a `declare class` is a unit)
  const lists = nodeLists(ast);
  const declared = new Set<Node>();
  for (const n of lists.unitCandidates) {
    const kind = unitKind(n);
    if (!kind) continue;
    let parent: Unit | null = null;
    let skip = false;
    for (let p = parentOf(n); p; p = parentOf(p)) {
      if (declared.has(p)) { skip = true; break; }
      const up = unitOfFn.get(p);
      if (up) { parent = up; break; }
    }
    if (skip) continue;
    if ((n.type === 'ClassDeclaration' || n.type === 'FunctionDeclaration') && (n as { declare?: boolean }).declare) { declared.add(n); continue; }
    const fn = n.type === 'Property' ? (n.value as Node) : n;
    const u: Unit = {
      index: units.length, node: n, fn, kind, parent, depth: parent ? parent.depth + 1 : 0,
      captures: new Set(), thisScopes: new Set(), home: null as unknown as EnvScope, site: null as unknown as Unit['site'],
    };
    units.push(u);
    unitOfFn.set(fn, u);
    if (fn !== n) unitOfFn.set(n, u);
  }

  const innermostUnit = (node: Node): Unit | null => {
    for (let p: Node | null = node; p; p = parentOf(p)) {
      const u = unitOfFn.get(p);
      if (u) return u;
    }
    return null;
  };
  const unitOfScope = new Map<Scope, Unit | null>();
  const innermostUnitOfScope = (scope: Scope): Unit | null => {
    let u = unitOfScope.get(scope);
    if (u === undefined) unitOfScope.set(scope, (u = innermostUnit(scope.block as Node)));
    return u;
  };

  // 2. captures by binding identity
  const capturedScopes = new Set<Scope>();
  const thisCaptured = new Set<Scope>();
  for (const scope of sm.scopes) {
    for (const ref of scope.references) {
      const v = ref.resolved;
      if (!v || !ref.isValueReference) continue;
      if (!v.isValueVariable) continue;
      if (inTypeQuery(ref.identifier as Node)) continue; // `typeof x` in a type: nothing runs
      if (v.defs.some((d) => d.type === 'ImportBinding')) continue;
      const decl = v.scope;
      if (decl.type === 'global') continue;
      for (let u = innermostUnitOfScope(ref.from); u; u = u.parent) {
        if (contains(u.node, decl.block as Node)) break;
        u.captures.add(v);
        capturedScopes.add(decl);
      }
    }
  }

  // 3. `this` in arrows, super/new.target in arrows, direct eval
  // (the nodes were listed in source order while the parser's output was linked)
  for (const n of lists.thisLike) {
    const provider = thisProvider(n);
    const inner = innermostUnit(n);
    for (let u = inner; u; u = u.parent) {
      if (provider && contains(u.fn, provider) && u.fn !== provider) break;
      // an arrow that is itself a class field's initializer (`h = () => this.x`) does not
      // provide `this`: the field initializer does, so the arrow captures it
      if (provider && u.fn === provider && !isFieldValue(provider)) break;
      if (!provider) break; // module-level `this` is undefined: nothing to capture
      if (n.type === 'ThisExpression') {
        const ps = scopeOfProvider(provider);
        if (!ps) { u.unsendable ??= '`this` of an unsupported context'; continue; }
        u.thisScopes.add(ps);
        thisCaptured.add(ps);
      } else {
        u.unsendable ??= n.type === 'Super' ? '`super` inside an arrow function' : '`new.target` inside an arrow function';
      }
    }
  }
  // a function in a class body that uses `#x` of a class around it cannot be rebuilt from a copy
  // outside that class (the name is not in scope there): it and every unit between it and the class
  for (const n of lists.privateNames) {
    if (isMemberKey(n)) continue;
    const cls = declaringClass(n);
    if (!cls) continue;
    for (let u = innermostUnit(n); u && !contains(u.node, cls); u = u.parent) {
      u.unsendable ??= `it uses the private name \`#${n.name}\` of an enclosing class`;
    }
  }
  for (const n of lists.calls) {
    if (n.callee.type === 'Identifier' && n.callee.name === 'eval') {
      for (let u = innermostUnit(n); u; u = u.parent) u.unsendable = 'direct `eval` in its body';
    }
  }

  function scopeOfProvider(provider: Node): Scope | null {
    // a field initializer's scope has the value as its block; when the value is an arrow, the
    // arrow's own function scope shares that block and `acquire(…, true)` would return it
    if (isFieldValue(provider)) return fieldScopes.get(provider) ?? null;
    return sm.acquire(provider as never, true) ?? null;
  }

  // 4. env scopes
  const envByScope = new Map<Scope, EnvScope>();
  const moduleScope = sm.scopes.find((s) => s.type === 'module')!;

  const moduleEnv: EnvScope = {
    index: 0, scope: moduleScope, parent: null, depth: 0, slots: [], vars: [], mode: 'module', children: [], units: [],
  };
  envByScope.set(moduleScope, moduleEnv);
  const envScopes: EnvScope[] = [moduleEnv];
  const depthOf = new Map<Scope, number>();
  const scopeDepth = (s: Scope): number => {
    let d = depthOf.get(s);
    if (d === undefined) { d = 0; for (let p = s.upper; p; p = p.upper) d++; depthOf.set(s, d); }
    return d;
  };
  const ordered = [...new Set([...capturedScopes, ...thisCaptured])].filter((s) => s !== moduleScope)
    .sort((a, b) => scopeDepth(a) - scopeDepth(b) || a.block.range[0] - b.block.range[0]);
  for (const scope of ordered) {
    let parent: EnvScope = moduleEnv;
    for (let p = scope.upper; p; p = p.upper) {
      const e = envByScope.get(p);
      if (e) { parent = e; break; }
    }
    const env: EnvScope = {
      index: envScopes.length, scope, parent, depth: parent.depth + 1, slots: [], vars: [], mode: 'inline', children: [], units: [],
    };
    placeCache(env, code);
    parent.children.push(env);
    envScopes.push(env);
    envByScope.set(scope, env);
  }
  // slots: captured variables in declaration order, then `this`
  const capturedVars = new Set<Variable>();
  for (const u of units) for (const v of u.captures) capturedVars.add(v);
  const sortedVars = [...capturedVars].sort((a, b) => (a.identifiers[0]?.range[0] ?? -1) - (b.identifiers[0]?.range[0] ?? -1));
  for (const v of sortedVars) {
    const env = envByScope.get(v.scope)!;
    env.slots.push(v.name);
    env.vars.push(v);
  }
  for (const s of thisCaptured) {
    const env = envByScope.get(s)!;
    env.slots.push('this');
    env.vars.push('this');
  }

  // 5. homes: the innermost env scope a unit captures from
  for (const u of units) {
    let home = moduleEnv;
    const consider = (s: Scope) => { const e = envByScope.get(s); if (e && e.depth > home.depth) home = e; };
    for (const v of u.captures) consider(v.scope);
    for (const s of u.thisScopes) consider(s);
    u.home = home;
    home.units.push(u);
  }

  // 6. reader placement. The text of a scope's reader (`case 0: return k; …`, parent readers
  // included) is emitted where a closure is registered, and must mean there what it means in the
  // scope itself: a nested block may shadow `k`, a nested function has its own `this` and
  // `arguments`. The cache variable is visible only inside its block (not in a `for` header or in
  // parameters: there the reader is built inline). Where a name is shadowed, the scope's reader
  // is made eagerly where its cache is declared; when even that is impossible the unit is marked
  // unsendable rather than ever reading the wrong binding.
  const scopeAround = (node: Node): Scope => {
    if (isFieldValue(node)) {
      const field = fieldScopes.get(node);
      if (field) return field;
    }
    for (let n = parentOf(node); n; n = parentOf(n)) {
      const s = sm.acquire(n as never, true);
      if (s) return s;
    }
    return moduleScope;
  };
  for (const u of units) {
    let pos = u.node.range[0];
    const container = u.kind === 'declaration' ? parentOf(u.node) : null;
    if (container?.type === 'SwitchCase') pos = container.consequent[0].range[0];
    else if (container && 'body' in container && Array.isArray(container.body)) pos = container.range[0] + 1;
    u.site = { scope: scopeAround(u.node), pos };
  }
  for (const env of envScopes) {
    if (env.mode !== 'cached') continue;
    const body = (env.scope.type === 'for' || env.scope.type === 'catch') ? (env.scope.block as { body: Node }).body : null;
    env.declScope = (body && sm.acquire(body as never, true)) || env.scope;
  }
  // A scope with many captured bindings gets its reader once, where its cache is declared, so the
  // reader's text (a case per binding) is not repeated at every closure it contains.
  for (const env of envScopes) if (env.mode === 'cached' && env.slots.length > BIG_SCOPE) env.eager = true;
  // (looks up whichever is smaller, the scope's own names or the env's slots: a bundle's top-level
  // scope can have thousands of slots, and every closure below it asks)
  const slotNames = new Map<EnvScope, { names: Set<string>; hasThis: boolean }>();
  const slotsOf = (env: EnvScope) => {
    let x = slotNames.get(env);
    if (!x) slotNames.set(env, (x = { names: new Set(env.slots.filter((n) => n !== 'this')), hasThis: env.slots.includes('this') }));
    return x;
  };
  const shadowed = (site: Scope, env: EnvScope): boolean => {
    const { names, hasThis } = slotsOf(env);
    for (let s: Scope | null = site; s && s !== env.scope; s = s.upper) {
      const ownThis = (s.type === 'function' && s.block.type !== 'ArrowFunctionExpression') || s.type === 'class-field-initializer' || s.type === 'class-static-block';
      if (hasThis && ownThis) return true;
      if (s.set.size < names.size) {
        for (const [name, v] of s.set) if (v.isValueVariable && names.has(name)) return true;
      } else {
        for (const name of names) if (s.set.get(name)?.isValueVariable) return true;
      }
    }
    return false;
  };
  const inRegion = (env: EnvScope, pos: number) => env.mode === 'cached' && !!env.region && env.region[0] < pos && pos < env.region[1];
  /** false when the reader text for `from` and its parents cannot be emitted at this site */
  const place = (site: Scope, pos: number, from: EnvScope): boolean => {
    for (let e: EnvScope | null = from; e && e.mode !== 'module'; e = e.parent) {
      const cachedHere = inRegion(e, pos);
      if (cachedHere && e.eager) return true;
      if (!shadowed(site, e)) continue;
      if (cachedHere && !shadowed(e.declScope!, e)) {
        e.eager = true;
        return place(e.declScope!, e.region![0] + 1, e.parent!);
      }
      return false;
    }
    return true;
  };
  const inChain = (u: Unit, env: EnvScope) => { for (let e: EnvScope | null = u.home; e; e = e.parent) if (e === env) return true; return false; };
  for (const u of units) {
    if (u.unsendable || u.home === moduleEnv) continue;
    if (!place(u.site.scope, u.site.pos, u.home)) u.unsendable = 'a variable it captures is shadowed where it is created';
  }
  for (const env of envScopes) {
    if (env.eager && !place(env.declScope!, env.region![0] + 1, env.parent!)) {
      for (const u of units) if (!u.unsendable && inChain(u, env)) u.unsendable = 'a variable it captures is shadowed where it is created';
    }
  }
  for (const u of units) {
    if (u.unsendable || u.home === moduleEnv) continue;
    if (!(u.kind === 'arrow' || u.kind === 'function' || u.kind === 'declaration' || u.kind === 'object-method')) continue;
    const fn = u.fn as TSESTree.FunctionLike;
    if (!fn.body || fn.generator || !fn.params.every((p) => p.type === 'Identifier')) continue;
    const fnScope = sm.acquire(fn as never, true);
    if (!fnScope) continue;
    let ok = true;
    for (let e: EnvScope | null = u.home; ok && e && e.mode !== 'module'; e = e.parent) ok = !shadowed(fnScope, e);
    if (ok) u.probe = { scope: fnScope, pos: fn.body.range[0] + 1 };
  }
  // 7. units that a top-level binding holds for good
  for (const u of units) {
    const n = u.node;
    if ((n.type === 'FunctionDeclaration' || n.type === 'ClassDeclaration') && n.id) {
      let p = parentOf(n);
      if (p && (p.type === 'ExportNamedDeclaration' || p.type === 'ExportDefaultDeclaration')) p = parentOf(p);
      if (p?.type === 'Program') u.refName = n.id.name;
      continue;
    }
    if (u.kind !== 'arrow' && u.kind !== 'function' && u.kind !== 'class') continue;
    let child: Node = n;
    let p = parentOf(n);
    while (p && (p.type === 'TSAsExpression' || p.type === 'TSSatisfiesExpression' || p.type === 'TSNonNullExpression' || p.type === 'TSTypeAssertion')) {
      child = p;
      p = parentOf(p);
    }
    if (!p || p.type !== 'VariableDeclarator' || p.init !== child || p.id.type !== 'Identifier') continue;
    let stmt = parentOf(p);
    if (!stmt || stmt.type !== 'VariableDeclaration' || stmt.kind === 'using' || stmt.kind === 'await using') continue;
    stmt = parentOf(stmt);
    if (stmt?.type === 'ExportNamedDeclaration') stmt = parentOf(stmt);
    if (stmt?.type !== 'Program') continue;
    const v = moduleScope.set.get(p.id.name);
    if (!v || v.defs.length !== 1 || v.references.some((r) => r.isWrite() && !r.init)) continue;
    u.refName = p.id.name;
  }
  return { ast, units, envScopes, moduleEnv, unitOfFn };
}

/** `x` in a type's `typeof x` (or `typeof x.y`): a value reference only for the type checker. */
function inTypeQuery(id: Node): boolean {
  let p = parentOf(id);
  while (p && p.type === 'TSQualifiedName') p = parentOf(p);
  return p?.type === 'TSTypeQuery';
}

/** `#x` as the key of the member that declares it (not a use of it). */
function isMemberKey(n: TSESTree.PrivateIdentifier): boolean {
  const p = parentOf(n) as { type: string; key?: Node } | null;
  return !!p && p.key === n && p.type !== 'MemberExpression';
}

/** The innermost class around `n` that declares `#name` (classes nest: an inner one may redeclare it). */
function declaringClass(n: TSESTree.PrivateIdentifier): Node | null {
  for (let p = parentOf(n); p; p = parentOf(p)) {
    if (p.type !== 'ClassBody') continue;
    const declared = p.body.some((m) => 'key' in m && m.key?.type === 'PrivateIdentifier' && m.key.name === n.name);
    if (declared) return parentOf(p);
  }
  return null;
}

function isFieldValue(n: Node): boolean {
  const p = parentOf(n);
  return !!p && (p.type === 'PropertyDefinition' || p.type === 'AccessorProperty') && p.value === n;
}

/** The node that provides `this` for `n`: the nearest non-arrow function, class field initializer or static block. */
function thisProvider(n: Node): Node | null {
  let prev: Node = n;
  for (let p = parentOf(n); p; prev = p, p = parentOf(p)) {
    if (p.type === 'FunctionExpression' || p.type === 'FunctionDeclaration') return p;
    if (p.type === 'StaticBlock') return p;
    if ((p.type === 'PropertyDefinition' || p.type === 'AccessorProperty') && p.value === prev) return prev;
    if (p.type === 'Program') return null;
  }
  return null;
}

/** Decide where a scope's cached reader lives. */
function placeCache(env: EnvScope, code: string): void {
  const block = env.scope.block as Node;
  const bodyStart = (body: Node | null | undefined): number | undefined =>
    body && body.type === 'BlockStatement' ? body.range[0] + 1 : undefined;
  switch (env.scope.type) {
    case 'function': {
      const fn = block as TSESTree.FunctionLike;
      // (closures made in the parameters, e.g. in defaults, are outside the cache's region and
      // build the reader inline: see step 6)
      if (fn.body && fn.body.type === 'BlockStatement') {
        env.mode = 'cached';
        env.declAt = afterDirectives(fn.body);
        env.region = fn.body.range;
      } else if (fn.type === 'ArrowFunctionExpression') {
        env.mode = 'cached';
        env.expressionArrow = fn;
        env.region = [fn.body.range[0] - 1, fn.body.range[1] + 1];
      }
      break;
    }
    case 'block':
      if (block.type === 'BlockStatement') { env.mode = 'cached'; env.declAt = block.range[0] + 1; env.region = block.range; }
      break;
    case 'for': {
      const body = (block as TSESTree.ForStatement | TSESTree.ForInStatement | TSESTree.ForOfStatement).body;
      const at = bodyStart(body);
      if (at !== undefined) { env.mode = 'cached'; env.declAt = at; env.region = body.range; }
      break;
    }
    case 'catch':
      env.mode = 'cached';
      env.declAt = (block as TSESTree.CatchClause).body.range[0] + 1;
      env.region = (block as TSESTree.CatchClause).body.range;
      break;
    case 'class-static-block':
      env.mode = 'cached';
      env.declAt = code.indexOf('{', block.range[0]) + 1;
      env.region = [env.declAt - 1, block.range[1]];
      break;
    default:
      break;
  }
}


