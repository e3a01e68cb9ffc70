// Scope analysis of JavaScript module trees (meriyah's ESTree): which scopes there are, which
// variables each declares, and which binding every identifier reference resolves to. It answers
// the questions the model asks with the data model and resolution rules of
// @typescript-eslint/scope-manager (scope kinds, `var` hoisting, class and field-initializer
// scopes, named-function-expression scopes, the parameter/body rule, reference order), which the
// core still uses for TypeScript trees; test/scopes.test.ts checks both agree on real code.
// One recursive pass with a switch per node kind, no visitor objects: several times faster.
import type { Node, TSESTree } from './walk.js';

export type ScopeType =
  | 'global' | 'module' | 'function' | 'function-expression-name' | 'class' | 'class-field-initializer'
  | 'class-static-block' | 'block' | 'for' | 'catch' | 'switch' | 'with';

export type DefType = 'Variable' | 'FunctionName' | 'ClassName' | 'Parameter' | 'CatchClause' | 'ImportBinding';

export interface Def { type: DefType; name: TSESTree.Identifier; node: Node }

export class Variable {
  readonly defs: Def[] = [];
  readonly identifiers: TSESTree.Identifier[] = [];
  readonly references: Reference[] = [];
  constructor(readonly name: string, readonly scope: Scope) {}
  /** (a getter, not a field: one slot less in every variable) */
  get isValueVariable(): true { return true; }
}

const READ = 1;
const WRITE = 2;

export class Reference {
  resolved: Variable | null = null;
  /** a write that initializes (a declarator's `= value`, a default value) */
  readonly init: boolean | undefined;
  constructor(readonly identifier: TSESTree.Identifier, readonly from: Scope, private readonly flag: number, init: boolean) {
    // (always set, so that every reference has the same shape)
    this.init = flag & WRITE ? init : undefined;
  }
  /** (a getter, not a field: one slot less in every reference) */
  get isValueReference(): true { return true; }
  isWrite(): boolean { return (this.flag & WRITE) !== 0; }
  isRead(): boolean { return (this.flag & READ) !== 0; }
}

const VARIABLE_SCOPES = new Set<ScopeType>(['class-field-initializer', 'class-static-block', 'function', 'global', 'module']);

export class Scope {
  readonly childScopes: Scope[] = [];
  readonly set = new Map<string, Variable>();
  readonly variables: Variable[] = [];
  readonly references: Reference[] = [];
  /** where `var` declarations made in this scope go */
  readonly variableScope: Scope;
  constructor(readonly type: ScopeType, readonly block: Node, readonly upper: Scope | null) {
    this.variableScope = VARIABLE_SCOPES.has(type) || !upper ? this : upper.variableScope;
    upper?.childScopes.push(this);
  }
  define(id: TSESTree.Identifier | string, def: Def | null): Variable {
    const name = typeof id === 'string' ? id : id.name;
    let v = this.set.get(name);
    if (!v) {
      v = new Variable(name, this);
      this.set.set(name, v);
      this.variables.push(v);
    }
    if (def) v.defs.push(def);
    if (typeof id !== 'string') v.identifiers.push(id);
    return v;
  }
}

/** What the model reads of a scope analysis (scope-manager's ScopeManager has the same shape). */
export interface ScopeAnalysis {
  scopes: Scope[];
  /** the innermost scope whose block is `node` */
  acquire(node: Node, inner: true): Scope | null;
}

type Pattern = Node;
/** What to do at each identifier of a pattern. */
const enum Target { Param, Catch, Var, Assign, ForDecl, Update }

/** Scopes, variables and resolved references of a JavaScript module. */
export function analyzeScopes(program: TSESTree.Program, keys: Record<string, readonly string[] | undefined>): ScopeAnalysis {
  const scopes: Scope[] = [];
  const byBlock = new Map<Node, Scope[]>();
  let current: Scope = null as unknown as Scope;

  const nest = (type: ScopeType, block: Node): Scope => {
    const s = new Scope(type, block, current);
    scopes.push(s);
    const list = byBlock.get(block);
    if (list) list.push(s);
    else byBlock.set(block, [s]);
    return (current = s);
  };
  /** closes every scope whose block is `node` (a named function expression has two) */
  const close = (node: Node): void => {
    while (current && current.block === node) current = current.upper!;
  };
  const reference = (id: TSESTree.Identifier, flag: number, init = false): void => {
    current.references.push(new Reference(id, current, flag, init));
  };

  function children(node: Node): void {
    const ks = keys[node.type];
    if (!ks) return;
    for (let k = 0; k < ks.length; k++) {
      const child = (node as unknown as Record<string, unknown>)[ks[k]];
      if (!child) continue;
      if (Array.isArray(child)) {
        for (let i = 0; i < child.length; i++) {
          const c = child[i] as Node | null;
          if (c && typeof c.type === 'string') visit(c);
        }
      } else if (typeof (child as Node).type === 'string') visit(child as Node);
    }
  }

  // ---------- patterns: the identifiers a pattern binds or assigns, then its right-hand nodes ----------
  // (defaults and computed keys are visited after every identifier of the pattern, as
  // scope-manager does; they are only collected while the pattern is walked)
  let rightHand: Node[] = [];
  const assignments: Node[] = [];
  let ctx: { target: Target; scope: Scope; fn: Node | null; decl: Node | null; hasInit: boolean } = { target: Target.Param, scope: null as unknown as Scope, fn: null, decl: null, hasInit: false };

  function patternIdentifier(id: TSESTree.Identifier): void {
    const c = ctx;
    switch (c.target) {
      case Target.Param:
        c.scope.define(id, { type: 'Parameter', name: id, node: c.fn! });
        for (let i = 0; i < assignments.length; i++) reference(id, WRITE, true);
        break;
      case Target.Catch:
        c.scope.define(id, { type: 'CatchClause', name: id, node: c.fn! });
        for (let i = 0; i < assignments.length; i++) reference(id, WRITE, true);
        break;
      case Target.Var:
        c.scope.define(id, { type: 'Variable', name: id, node: c.decl! });
        for (let i = 0; i < assignments.length; i++) reference(id, WRITE, true);
        if (c.hasInit) reference(id, WRITE, true);
        break;
      case Target.Assign:
        for (let i = 0; i < assignments.length; i++) reference(id, WRITE, false);
        reference(id, WRITE, false);
        break;
      case Target.ForDecl:
        reference(id, WRITE, true);
        break;
      case Target.Update:
        reference(id, READ | WRITE, false);
        break;
    }
  }

  function walkPattern(node: Node | null): void {
    if (!node) return;
    switch (node.type) {
      case 'Identifier':
        patternIdentifier(node);
        return;
      case 'ObjectPattern':
        for (const p of node.properties) walkPattern(p);
        return;
      case 'Property':
        if (node.computed) rightHand.push(node.key);
        walkPattern(node.value);
        return;
      case 'ArrayPattern':
      case 'ArrayExpression':
        for (const e of node.elements) walkPattern(e as Node | null);
        return;
      case 'RestElement':
        walkPattern(node.argument);
        return;
      case 'SpreadElement':
        walkPattern(node.argument);
        return;
      case 'AssignmentPattern':
      case 'AssignmentExpression':
        assignments.push(node);
        walkPattern(node.left);
        rightHand.push(node.right);
        assignments.pop();
        return;
      case 'MemberExpression':
        if (node.computed) rightHand.push(node.property);
        rightHand.push(node.object);
        return;
      case 'CallExpression':
        for (const a of node.arguments) rightHand.push(a);
        walkPattern(node.callee);
        return;
      default:
        // (anything else in a pattern position is only read: scope-manager walks its children)
        patternChildren(node);
    }
  }
  function patternChildren(node: Node): void {
    const ks = keys[node.type];
    if (!ks) return;
    for (const k of ks) {
      const child = (node as unknown as Record<string, unknown>)[k];
      if (Array.isArray(child)) for (const c of child) { if (c && typeof c.type === 'string') walkPattern(c as Node); }
      else if (child && typeof (child as Node).type === 'string') walkPattern(child as Node);
    }
  }

  function pattern(node: Pattern, target: Target, scope: Scope, fn: Node | null, decl: Node | null, hasInit: boolean, processRightHand: boolean): void {
    const saved = rightHand;
    const savedCtx = ctx;
    rightHand = [];
    ctx = { target, scope, fn, decl, hasInit };
    walkPattern(node);
    const rh = rightHand;
    rightHand = saved;
    ctx = savedCtx;
    if (processRightHand) for (let i = 0; i < rh.length; i++) visit(rh[i]);
  }

  const isPattern = (t: string) => t === 'Identifier' || t === 'ObjectPattern' || t === 'ArrayPattern' || t === 'SpreadElement' || t === 'RestElement' || t === 'AssignmentPattern';

  // ---------- declarations with scopes ----------
  function functionLike(node: TSESTree.FunctionLike & Node, method: boolean): void {
    if (!method) {
      if (node.type === 'FunctionExpression') {
        if (node.id) nest('function-expression-name', node).define(node.id, { type: 'FunctionName', name: node.id, node });
      } else if (node.id) current.define(node.id, { type: 'FunctionName', name: node.id, node });
    }
    const scope = nest('function', node);
    if (node.type !== 'ArrowFunctionExpression') scope.define('arguments', null);
    for (const p of node.params) pattern(p as Node, Target.Param, scope, node, null, false, true);
    const body = node.body as Node | null | undefined;
    if (body) {
      if (body.type === 'BlockStatement') { for (const st of body.body) visit(st); } else visit(body);
    }
    close(node);
  }

  function classLike(node: TSESTree.ClassDeclaration | TSESTree.ClassExpression): void {
    if (node.type === 'ClassDeclaration' && node.id) current.define(node.id, { type: 'ClassName', name: node.id, node });
    const scope = nest('class', node);
    if (node.id) scope.define(node.id, { type: 'ClassName', name: node.id, node });
    if (node.superClass) visit(node.superClass);
    for (const m of node.body.body as Node[]) {
      switch (m.type) {
        case 'MethodDefinition':
          if (m.computed) visit(m.key);
          if (m.value.type === 'FunctionExpression') functionLike(m.value as TSESTree.FunctionExpression, true);
          else visit(m.value as Node);
          break;
        case 'PropertyDefinition':
        case 'AccessorProperty':
          if (m.computed) visit(m.key);
          if (m.value) {
            nest('class-field-initializer', m.value);
            visit(m.value);
            close(m.value);
          }
          break;
        case 'StaticBlock':
          nest('class-static-block', m);
          for (const st of m.body) visit(st);
          close(m);
          break;
        default:
          visit(m);
      }
    }
    close(node);
  }

  function forIn(node: TSESTree.ForInStatement | TSESTree.ForOfStatement): void {
    const left = node.left as Node;
    if (left.type === 'VariableDeclaration' && left.kind !== 'var') nest('for', node);
    if (left.type === 'VariableDeclaration') {
      visit(left);
      pattern(left.declarations[0].id as Node, Target.ForDecl, current, null, null, false, false);
    } else {
      pattern(left, Target.Assign, current, null, null, false, true);
    }
    visit(node.right as Node);
    visit(node.body as Node);
    close(node);
  }

  function visit(node: Node | null | undefined): void {
    if (!node) return;
    switch (node.type) {
      case 'Identifier':
        reference(node, READ);
        return;
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
      case 'FunctionDeclaration':
        functionLike(node, false);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression':
        classLike(node);
        return;
      case 'AssignmentExpression': {
        const left = node.left as Node;
        if (isPattern(left.type)) {
          if (node.operator === '=') pattern(left, Target.Assign, current, null, null, false, true);
          else if (left.type === 'Identifier') reference(left, READ | WRITE);
        } else visit(left);
        visit(node.right);
        return;
      }
      case 'UpdateExpression':
        if (isPattern(node.argument.type)) pattern(node.argument as Node, Target.Update, current, null, null, false, false);
        else children(node);
        return;
      case 'VariableDeclaration': {
        const target = node.kind === 'var' ? current.variableScope : current;
        for (const d of node.declarations) {
          pattern(d.id as Node, Target.Var, target, null, d, !!d.init, true);
          visit(d.init);
        }
        return;
      }
      case 'BlockStatement':
        nest('block', node);
        for (const st of node.body) visit(st);
        close(node);
        return;
      case 'CatchClause': {
        const scope = nest('catch', node);
        if (node.param) pattern(node.param as Node, Target.Catch, scope, node, null, false, true);
        visit(node.body);
        close(node);
        return;
      }
      case 'ForStatement':
        if (node.init?.type === 'VariableDeclaration' && node.init.kind !== 'var') nest('for', node);
        visit(node.init as Node | null);
        visit(node.test);
        visit(node.update);
        visit(node.body);
        close(node);
        return;
      case 'ForInStatement':
      case 'ForOfStatement':
        forIn(node);
        return;
      case 'SwitchStatement':
        visit(node.discriminant);
        nest('switch', node);
        for (const c of node.cases) visit(c);
        close(node);
        return;
      case 'WithStatement':
        visit(node.object);
        nest('with', node);
        visit(node.body);
        close(node);
        return;
      case 'MemberExpression':
        visit(node.object);
        if (node.computed) visit(node.property);
        return;
      case 'Property':
        if (node.computed) visit(node.key);
        visit(node.value as Node);
        return;
      case 'LabeledStatement':
        visit(node.body);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
      case 'PrivateIdentifier':
      case 'ExportAllDeclaration':
      case 'ImportAttribute':
        return;
      case 'ImportDeclaration':
        for (const s of node.specifiers) current.define(s.local, { type: 'ImportBinding', name: s.local, node: s });
        return;
      case 'ExportNamedDeclaration':
        if (node.declaration) visit(node.declaration);
        else if (!node.source) for (const s of node.specifiers) { if (s.local.type === 'Identifier') reference(s.local, READ); }
        return;
      case 'ExportDefaultDeclaration':
        visit(node.declaration as Node);
        return;
      case 'TaggedTemplateExpression':
        visit(node.tag);
        visit(node.quasi);
        return;
      case 'Program':
        nest('global', node);
        nest('module', node);
        for (const st of node.body) visit(st);
        close(node);
        return;
      default:
        children(node);
    }
  }

  visit(program);
  resolve(scopes);
  return {
    scopes,
    acquire(node: Node): Scope | null {
      const list = byBlock.get(node);
      return list ? list[list.length - 1] : null;
    },
  };
}

/**
 * Binds every reference to the variable of the nearest enclosing scope that declares its name
 * (all of a scope's declarations count, hoisted or not), except that a parameter's default
 * value does not see the function body's own declarations, and nothing resolves through `with`.
 */
function resolve(scopes: Scope[]): void {
  for (const scope of scopes) {
    for (const ref of scope.references) {
      const name = ref.identifier.name;
      for (let s: Scope | null = scope; s; s = s.upper) {
        if (s.type === 'with') break;
        const v = s.set.get(name);
        if (!v || !validResolution(s, ref, v)) continue;
        v.references.push(ref);
        ref.resolved = v;
        break;
      }
    }
  }
}

function validResolution(s: Scope, ref: Reference, v: Variable): boolean {
  if (s.type !== 'function' || s.block.type === 'Program') return true;
  const body = (s.block as { body?: Node | null }).body;
  const bodyStart = body ? body.range[0] : -1;
  if (ref.identifier.range[0] >= bodyStart) return true;
  // a reference in the parameters to a name declared only in the body goes to the scope above
  for (const d of v.defs) if (d.name.range[0] < bodyStart) return true;
  return false;
}
